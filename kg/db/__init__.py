"""The one seam for "run this Cypher with these parameters", and loading a graph through it.

Two backends implement :class:`CypherBackend`:

- :class:`kg.db.bolt.BoltBackend`: Neo4j (or any Bolt server) through the official driver;
- :class:`kg.db.falkor.FalkorBackend`: an embedded FalkorDB on a unix socket
  (:class:`kg.db.falkor.EmbeddedFalkorDB`), for ``kg query`` and the tests.

The same ``.cypher`` files (:mod:`kg.db.cypher_files`) run through both; only
the schema file differs (constraints on Neo4j, indexes on FalkorDB).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional, Protocol

from .cypher_files import fill, list_queries, load_cypher, split_statements, strip_comments
from .load import LoadSummary, count_in_database, load_graph_into


class CypherBackend(Protocol):
    """What the loader and ``kg query`` need from a Cypher database."""

    name: str
    #: name of the schema file in ``kg/cypher`` for this backend
    schema_file: str

    def run(self, statement: str, params: Optional[Mapping[str, Any]] = None) -> tuple[list[str], list[list[Any]]]:
        """Run one statement with parameters; return ``(columns, rows)``."""

    def apply_schema(self, statements: list[str]) -> None:
        """Run the schema statements; an existing constraint or index is not an error."""

    def close(self) -> None:
        """Release connections."""


__all__ = [
    "CypherBackend",
    "LoadSummary",
    "count_in_database",
    "fill",
    "list_queries",
    "load_cypher",
    "load_graph_into",
    "split_statements",
    "strip_comments",
]
