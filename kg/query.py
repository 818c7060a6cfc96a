"""``kg query``: Cypher on an embedded FalkorDB loaded from a built graph.

Nothing to install or configure: a private FalkorDB server starts on a unix
socket (no TCP port), the graph is loaded in large batches, the query runs
read-only, and the server stops. ``cypher`` may also name one of the example
queries in ``kg/cypher/queries`` (``most_used_datasets``) or a ``.cypher`` file.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Optional

from .db.cypher_files import list_queries, strip_comments
from .db.falkor import EmbeddedFalkorDB
from .db.load import load_graph_into
from .errors import InputError
from .graph import load_graph

#: rows per UNWIND statement when loading for a query (FalkorDB takes large batches well)
LOAD_BATCH = 5000
_MAX_CELL = 80


def resolve_query(cypher: str) -> str:
    """The Cypher to run: an example query name, a ``.cypher`` file, or the text itself.

    Examples
    --------
    >>> resolve_query("RETURN 1")
    'RETURN 1'
    >>> "MATCH" in resolve_query("most_used_datasets")
    True
    """
    text = cypher.strip()
    queries = list_queries()
    if text in queries:
        return queries[text].text
    if text.endswith(".cypher") and "\n" not in text:
        try:
            return Path(text).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read Cypher file ({exc.strerror})", text) from None
    return cypher


def run_query(
    directory: "str | Path",
    cypher: str,
    params: Optional[Mapping[str, Any]] = None,
) -> tuple[list[str], list[list[Any]]]:
    """Run ``cypher`` with ``params`` on the graph built in ``directory``; ``(columns, rows)``.

    Nodes in results come back as maps of their properties plus ``_labels``;
    relationships as maps plus ``_type``.

    Examples
    --------
    >>> run_query("out", "MATCH (d:Dataset) RETURN d.name AS name LIMIT 1")  # doctest: +SKIP
    (['name'], [['ImageNet']])
    """
    if params is not None and not isinstance(params, Mapping):
        raise InputError("query parameters must be a JSON object")
    named = list_queries().get(cypher.strip())
    if named is not None:
        missing = [p for p in named.parameters if p not in (params or {})]
        if missing:
            example = json.dumps({p: 10 if p == "limit" else "..." for p in named.parameters})
            raise InputError(f"query {named.name} needs parameters {', '.join(missing)}: --params '{example}'")
    graph = load_graph(directory)
    statement = strip_comments(resolve_query(cypher))
    if not statement.strip():
        raise InputError("empty query")
    with EmbeddedFalkorDB() as server:
        backend = server.backend()
        load_graph_into(backend, graph, batch_size=LOAD_BATCH)
        return backend.run(statement, dict(params or {}), read_only=True)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, max_width: int = _MAX_CELL) -> str:
    """A plain-text table: header, rule, one line per row, and a row count.

    Cells are one line (newlines shown as spaces) and cut to ``max_width``
    characters with an ellipsis; lists and maps print as JSON.

    Examples
    --------
    >>> print(format_table(["name", "papers"], [["COCO", 3], ["ImageNet", 12]]))
    name     | papers
    ---------+-------
    COCO     | 3
    ImageNet | 12
    (2 rows)
    """
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    header = [_cell(c, max_width) for c in columns]
    widths = [max([len(header[i])] + [len(r[i]) for r in cells if i < len(r)]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(header), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cell(value: Any, max_width: int) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = " ".join(text.split()) if any(c in text for c in "\n\r\t\v\f\u2028\u2029") else text
    if len(text) > max_width:
        text = text[: max_width - 1] + "…"
    return text
