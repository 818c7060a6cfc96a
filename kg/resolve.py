"""Resolve: merge the mentions of one paper into entities.

Pure functions over plain data: candidates (typed mentions with the rule that
found them) and acronym definitions come in, :class:`~kg.models.Entity` objects
go out. An acronym and its expansion become one entity; spelling variants meet
through a normalised key and the alias table (``kg/data/aliases.tsv``); the
canonical name keeps its conventional casing; the entity id is
``type.lower() + ":" + key``.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

from pydantic import TypeAdapter

from .models import Entity, Mention

#: rules whose mentions make a method "proposed" or a dataset "introduced"
PROPOSING_RULES = {"propose", "title-colon", "called", "our", "propose-acronym", "introduce-dataset"}
DEFAULT_ROLE = {"Method": "used", "Dataset": "evaluated", "Metric": "measured", "Task": "addressed"}
TYPE_ORDER = ("Method", "Dataset", "Metric", "Task")

_NON_KEY = re.compile(r"[^0-9a-z+@#\u00c0-\uffff]")


@dataclass
class Candidate:
    """A typed mention found by some rule, before resolution."""

    type: str
    field: str
    start: int
    end: int
    text: str
    rule: str
    sentence: str = ""
    canonical: str = ""
    strength: int = 1
    proposed: bool = False


@dataclass
class Definition:
    """An acronym definition in one field: ``long`` spelled out, ``short`` its acronym."""

    field: str
    long_start: int
    long_end: int
    long: str
    short_start: int
    short_end: int
    short: str
    sentence: str = ""


@dataclass
class _Group:
    members: list = field(default_factory=list)
    long_forms: list = field(default_factory=list)


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """Spelling variant key -> canonical name, from ``kg/data/aliases.tsv``."""
    table: dict[str, str] = {}
    text = resources.files("kg.data").joinpath("aliases.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canonical, *variants = line.split("\t")
        for v in [canonical, *variants]:
            table[base_key(v)] = canonical.strip()
    return table


@lru_cache(maxsize=65536)
def base_key(text: str) -> str:
    """Lower-case, drop a leading article, keep letters, digits and + @ #."""
    text = text.strip().lower()
    if text.startswith("the "):
        text = text[4:]
    return _NON_KEY.sub("", text)


def _singular(text: str) -> str:
    """Drop a plural "s": "LLMs" -> "LLM", "ViTs" -> "ViT", "diffusion models" -> "diffusion model"."""
    last = text.split()[-1] if text.split() else ""
    if len(last) < 3 or not last.endswith("s") or last.endswith(("ss", "us", "is")):
        return text
    stem = last[:-1]
    if stem.isupper() or any(c.isupper() for c in stem[1:]) or (stem.isalpha() and stem.islower() and len(stem) > 3):
        return text[:-1]
    return text


@lru_cache(maxsize=65536)
def normalise_key(text: str) -> str:
    """The key two surface forms of one entity share: alias table first, then singular base key."""
    table = alias_table()
    k = base_key(text)
    if k in table:
        return base_key(table[k])
    s = base_key(_singular(text.strip()))
    if s in table:
        return base_key(table[s])
    return s


@lru_cache(maxsize=65536)
def _alias_of(text: str) -> str | None:
    """The alias table's canonical name for a surface form or its singular, else None (or "")."""
    table = alias_table()
    return table.get(base_key(text)) or table.get(base_key(_singular(text)))


def canonical_name(text: str) -> str:
    """Canonical spelling of a surface form (alias table), else the form itself."""
    return alias_table().get(base_key(text), text)


def entity_id(etype: str, name: str) -> str:
    return f"{etype.lower()}:{normalise_key(name)}"


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


_ENTITIES = TypeAdapter(list[Entity])


def resolve(candidates: Iterable[Candidate], definitions: Iterable[Definition] = ()) -> list[Entity]:
    """Merge candidates into entities, one per (type, key), acronyms joined to their expansions.

    >>> cands = [Candidate("Method", "abstract", 11, 44, "Vocabulary Disentangled Retrieval", "propose"),
    ...          Candidate("Method", "abstract", 46, 49, "VDR", "acronym")]
    >>> defs = [Definition("abstract", 11, 44, "Vocabulary Disentangled Retrieval", 46, 49, "VDR")]
    >>> [(e.name, e.role, e.aliases) for e in resolve(cands, defs)]
    [('Vocabulary Disentangled Retrieval', 'proposed', ['Vocabulary Disentangled Retrieval', 'VDR'])]
    """
    cands = [c for c in candidates if c.text.strip()]
    uf = _UnionFind()
    long_of: dict[str, str] = {}
    for d in definitions:
        ks, kl = normalise_key(d.short), normalise_key(d.long)
        if ks and kl:
            uf.union(kl, ks)
            long_of.setdefault(uf.find(kl), d.long)

    # one type per key: the strongest single piece of evidence wins, then the number of mentions
    type_votes: dict[str, dict] = defaultdict(dict)
    keyed = []
    for c in cands:
        k = normalise_key(c.canonical or c.text)
        if not k:
            continue
        root = uf.find(k)
        best, n = type_votes[root].get(c.type, (0, 0))
        type_votes[root][c.type] = (max(best, c.strength), n + 1)
        keyed.append((root, c))

    groups: dict[tuple, list[Candidate]] = defaultdict(list)
    best_type: dict[str, str] = {}  # the votes are final here: one winner per key
    for root, c in keyed:
        best = best_type.get(root)
        if best is None:
            votes = type_votes[root]
            best = best_type[root] = max(votes.items(), key=lambda kv: (kv[1], -TYPE_ORDER.index(kv[0])))[0]
        groups[(best, root)].append(c)

    rows: list[dict] = []
    for (etype, root), members in groups.items():
        if len(members) > 1:
            members.sort(key=lambda c: (c.field != "title", c.start))
        name = _pick_name(members, long_of.get(root))
        proposed = any(c.proposed or c.rule in PROPOSING_RULES for c in members)
        if etype == "Method":
            role = "proposed" if proposed else "used"
        elif etype == "Dataset":
            role = "introduced" if proposed else "evaluated"
        else:
            role = DEFAULT_ROLE[etype]
        mentions, seen = [], set()
        for c in members:
            span = (c.field, c.start, c.end)
            if span in seen:
                continue
            seen.add(span)
            mentions.append({"field": c.field, "start": c.start, "end": c.end, "text": c.text,
                             "rule": c.rule, "sentence": c.sentence})
        aliases = []
        for form in [name] + [m["text"] for m in mentions]:
            if form not in aliases:
                aliases.append(form)
        rows.append({"type": etype, "name": name, "id": f"{etype.lower()}:{normalise_key(name) or root}",
                     "role": role, "aliases": aliases, "mentions": mentions})
    entities: list[Entity] = _ENTITIES.validate_python(rows)  # one call into pydantic-core for the whole paper
    _variants_of_proposed(entities)
    entities.sort(key=lambda e: (TYPE_ORDER.index(e.type), _first_pos(e)))
    return entities


def _variants_of_proposed(entities: list[Entity]) -> None:
    """"VAD-Base", "VAD-Tiny" are sizes of the proposed "VAD": proposed too."""
    names = [e.name for e in entities if e.type == "Method" and e.role == "proposed"]
    names += [a for e in entities if e.type == "Method" and e.role == "proposed" for a in e.aliases]
    for e in entities:
        if e.type == "Method" and e.role == "used" and any(
                e.name.startswith(n + "-") and len(n) >= 2 for n in names):
            e.role = "proposed"


def _first_pos(e: Entity) -> tuple:
    m = e.mentions[0] if e.mentions else None
    return (m.field != "title", m.start) if m else (True, 0)


def _pick_name(members: list[Candidate], long_form: Optional[str]) -> str:
    """The most complete form: an acronym's expansion, else a gazetteer canonical, else the longest text."""
    if long_form:
        texts = [c.text for c in members]
        match = [t for t in texts if base_key(t) == base_key(long_form)]
        return match[0] if match else long_form
    canon: list[str] = [form for form in (c.canonical or _alias_of(c.text) for c in members) if form]
    if len(canon) == 1:
        return canon[0]
    if canon:
        first = canon[0]
        if all(c == first for c in canon):
            return first  # what Counter(...).most_common(1) gives when every form agrees, without the Counter
        return Counter(canon).most_common(1)[0][0]
    if len(members) == 1:
        return members[0].text
    counts = Counter(c.text for c in members)
    return max(counts, key=lambda t: (len(t), counts[t]))
