"""``graph.cypher``: a script ``cypher-shell`` can run to build the same graph.

The script is the schema (``cypher/schema.cypher``) followed by the very
upsert statements ``kg neo4j push`` sends, with each batch's ``$rows``
written out as a Cypher literal instead of a parameter. Rows come from
:mod:`kg.db.rows`, so the script, the push and ``kg query`` build the same
graph. Rows are made one batch at a time (:class:`~kg.db.rows.RowStream`),
so writing holds one statement's rows, not every node's and edge's. Every
statement MERGEs on a key: running the script twice changes nothing. Run it
with ``cypher-shell -u neo4j -p PASSWORD -f graph.cypher``.

Strings are single-quoted; backslash, quote, newline, carriage return and tab
use their Cypher escapes, other control characters ``\\uXXXX``; any other
character, including non-ASCII text, is written as itself (UTF-8).
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import IO, Any

import networkx as nx

from ..db.cypher_files import fill, load_cypher, split_statements, strip_comments
from ..db.rows import RowStream, batched

#: rows written per statement
SCRIPT_BATCH = 100
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SPECIAL = re.compile(r"[\\'\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def cypher_string(text: str) -> str:
    """A single-quoted Cypher string literal for ``text``.

    Examples
    --------
    >>> print(cypher_string("Let's go\\\\home\\n"))
    'Let\\'s go\\\\home\\n'
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _ESCAPES.get(char) or f"\\u{ord(char):04x}"

    return "'" + _SPECIAL.sub(escape, text) + "'"


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a property value or row: string, number, boolean, null, list or map.

    Examples
    --------
    >>> cypher_literal({"id": "a", "props": {"n": 2, "tags": ["x", "y"], "ok": True}})
    "{id: 'a', props: {n: 2, tags: ['x', 'y'], ok: true}}"
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no Cypher literal for {value!r}")
        return repr(value)
    if isinstance(value, str):
        return cypher_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            if not isinstance(key, str) or not _KEY.match(key):
                raise ValueError(f"map key not allowed in a Cypher literal: {key!r}")
            parts.append(f"{key}: {cypher_literal(item)}")
        return "{" + ", ".join(parts) + "}"
    raise ValueError(f"no Cypher literal for a {type(value).__name__}")


def _with_rows(template: str, rows: list[dict[str, Any]]) -> str:
    if template.count("$rows") != 1:
        raise ValueError("an upsert template must use $rows exactly once")
    literal = "[\n  " + ",\n  ".join(cypher_literal(row) for row in rows) + "\n]"
    return template.replace("$rows", literal)


def write_cypher_script(graph: nx.MultiDiGraph, fh: IO[str], *, batch_size: int = SCRIPT_BATCH) -> None:
    """Write ``graph`` as a Cypher script (schema, then batched MERGE upserts) to ``fh``.

    Examples
    --------
    >>> import io
    >>> from kg.models import Paper, PaperRecord
    >>> from kg.graph import to_networkx
    >>> p = Paper(id="arxiv:2101.00001", title="It's a paper")
    >>> out = io.StringIO()
    >>> write_cypher_script(to_networkx([PaperRecord(id=p.id, title=p.title, paper=p)]), out)
    >>> "MERGE (n:Paper {id: row.id})" in out.getvalue()
    True
    """
    rows = RowStream(graph)
    n_nodes = sum(rows.node_counts.values())
    n_rels = sum(rows.relationship_counts.values())
    fh.write("// graph.cypher, written by `kg build`: builds the same graph as graph.json.\n")
    fh.write(f"// {n_nodes} nodes, {n_rels} relationships. Idempotent (MERGE on keys): safe to run again.\n")
    fh.write("// Run: cypher-shell -u neo4j -p PASSWORD -f graph.cypher\n\n")
    for statement in split_statements(load_cypher("schema")):
        fh.write(statement + ";\n")
    node_template = strip_comments(load_cypher("upsert_nodes"))
    for label, count in rows.node_counts.items():
        fh.write(f"\n// {label}: {count} nodes\n")
        statement = fill(node_template, label=label)
        for batch in batched(rows.nodes(label), batch_size):
            fh.write(_with_rows(statement, batch) + ";\n")
    rel_template = strip_comments(load_cypher("upsert_relationships"))
    for group, count in rows.relationship_counts.items():
        source_label, rel_type, target_label = group
        fh.write(f"\n// {rel_type} ({source_label} -> {target_label}): {count} relationships\n")
        statement = fill(rel_template, source_label=source_label, type=rel_type, target_label=target_label)
        for batch in batched(rows.relationships(group), batch_size):
            fh.write(_with_rows(statement, batch) + ";\n")
