"""Cypher kept as data: ``.cypher`` files in ``kg/cypher`` loaded by name.

Statements that need a label or relationship type (which Cypher cannot take
as a parameter) hold ``{{label}}``-style slots; :func:`fill` puts in names
from the graph model only. Values always travel as parameters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..models import NODE_LABELS, REL_TYPES

_SLOT = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_NAME = re.compile(r"^(queries/)?[a-z0-9_]+(\.[a-z0-9_]+)?$")


@lru_cache(maxsize=None)
def load_cypher(name: str) -> str:
    """The text of ``kg/cypher/<name>.cypher`` (``name`` may be ``queries/<query>``).

    Examples
    --------
    >>> "MERGE" in load_cypher("upsert_nodes")
    True
    """
    if not _NAME.match(name):
        raise ValueError(f"not a Cypher file name: {name!r}")
    path = resources.files("kg").joinpath("cypher", *f"{name}.cypher".split("/"))
    if not path.is_file():
        raise FileNotFoundError(f"no Cypher file named {name!r}")
    return path.read_text(encoding="utf-8")


def fill(template: str, **names: str) -> str:
    """Fill ``{{slot}}`` names: ``*label`` slots from NODE_LABELS, ``type`` from REL_TYPES.

    Raises ``ValueError`` for a name outside the graph model or a slot left empty.

    Examples
    --------
    >>> fill("MERGE (n:{{label}} {id: $id})", label="Paper")
    'MERGE (n:Paper {id: $id})'
    """

    def one(match: re.Match[str]) -> str:
        slot = match.group(1)
        if slot not in names:
            raise ValueError(f"no value for Cypher slot {{{{{slot}}}}}")
        value = names[slot]
        allowed = REL_TYPES if slot == "type" else NODE_LABELS if slot.endswith("label") else ()
        if value not in allowed:
            raise ValueError(f"{value!r} is not allowed in slot {slot!r} (graph model only)")
        return value

    return _SLOT.sub(one, template)


def strip_comments(text: str) -> str:
    """Drop ``//`` comments (outside string literals) and blank lines."""
    return "\n".join(line for line in _without_comments(text).splitlines() if line.strip())


def split_statements(text: str) -> list[str]:
    """Split a Cypher script into statements on ``;`` outside quotes, without comments.

    Quoted strings ('…', "…", `…`) may hold ``;``, ``//`` and escaped quotes.

    Examples
    --------
    >>> split_statements("RETURN 'a;b'; // note\\nRETURN 2;")
    ["RETURN 'a;b'", 'RETURN 2']
    """
    statements, current = [], []
    for kind, chunk in _tokens(text):
        if kind == "end":
            statements.append("".join(current))
            current = []
        elif kind != "comment":
            current.append(chunk)
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


def _without_comments(text: str) -> str:
    return "".join(chunk for kind, chunk in _tokens(text) if kind != "comment")


def _tokens(text: str):
    """Yield (kind, text) pieces: 'code', 'string', 'comment' (to end of line) or 'end' (a ``;``)."""
    i, n, start = 0, len(text), 0
    while i < n:
        c = text[i]
        if c in "'\"`":
            if i > start:
                yield "code", text[start:i]
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" and c != "`" else 1
            yield "string", text[i : j + 1]
            i = start = j + 1
        elif text.startswith("//", i):
            if i > start:
                yield "code", text[start:i]
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield "comment", text[i:j]
            i = start = j
        elif c == ";":
            if i > start:
                yield "code", text[start:i]
            yield "end", ";"
            i = start = i + 1
        else:
            i += 1
    if start < n:
        yield "code", text[start:]


@dataclass(frozen=True)
class QueryFile:
    """One of the example questions in ``kg/cypher/queries``."""

    name: str
    description: str
    parameters: tuple[str, ...]
    text: str


def list_queries() -> dict[str, QueryFile]:
    """Every ``cypher/queries/*.cypher`` by name, with the first header line as description.

    Examples
    --------
    >>> list_queries()["most_used_datasets"].parameters
    ('limit',)
    """
    folder = resources.files("kg").joinpath("cypher", "queries")
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".cypher"):
            continue
        name = entry.name[: -len(".cypher")]
        text = load_cypher(f"queries/{name}")
        header = [line[2:].strip() for line in text.splitlines() if line.startswith("//")]
        body = strip_comments(text)
        params = tuple(dict.fromkeys(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", _code_only(body))))
        out[name] = QueryFile(name, header[0] if header else "", params, text)
    return out


def _code_only(text: str) -> str:
    return "".join(chunk for kind, chunk in _tokens(text) if kind == "code")
