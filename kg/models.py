"""Pydantic models at the boundaries of the pipeline, and the fixed graph model.

Data flows one way: :class:`Paper` (read) -> :class:`ExtractionRecord`
(extract + resolve) -> ``networkx.MultiDiGraph`` (graph) -> exports.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

# The graph model: the only labels and relationship types that ever reach Cypher.
NODE_LABELS = ("Paper", "Method", "Dataset", "Metric", "Task", "Repository")
ENTITY_TYPES = ("Method", "Dataset", "Metric", "Task")
REL_TYPES = ("PROPOSES", "USES", "INTRODUCES", "EVALUATES_ON", "MEASURES", "ADDRESSES", "HAS_CODE")

EntityType = Literal["Method", "Dataset", "Metric", "Task"]
Role = Literal["proposed", "used", "introduced", "evaluated", "measured", "addressed"]
Field_ = Literal["title", "abstract"]
LinkKind = Literal["code", "project", "other"]

#: role of an entity in a paper -> relationship type of the edge Paper -> entity
ROLE_TO_REL = {
    "proposed": "PROPOSES",
    "used": "USES",
    "introduced": "INTRODUCES",
    "evaluated": "EVALUATES_ON",
    "measured": "MEASURES",
    "addressed": "ADDRESSES",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """Where a paper record was read: a file (or ``-``) and its line number."""

    file: str
    line: int = Field(ge=0)


class Paper(_Model):
    """One paper as read from an input listing."""

    id: str = Field(description="arXiv id when known, else a stable hash of the normalised title")
    input_id: Optional[str] = Field(None, description="the id given by the input, if any")
    title: str
    abstract: str = ""
    url: Optional[str] = None
    arxiv_id: Optional[str] = None
    published: Optional[str] = None
    authors: list[str] = Field(default_factory=list)
    n_authors: Optional[int] = None
    upvotes: Optional[int] = None
    sources: list[Source] = Field(default_factory=list)


class Mention(_Model):
    """One surface form of an entity in a paper, with its provenance."""

    field: Field_
    start: int = Field(ge=0, description="character offset in the field")
    end: int = Field(ge=0)
    text: str
    rule: str = Field(description="id of the pattern or rule that fired")
    sentence: str = Field("", description="the sentence the mention came from")


class Entity(_Model):
    """A resolved entity in one paper: canonical name, role and every mention."""

    type: EntityType
    name: str
    id: str = Field("", description="type + normalised canonical key")
    role: Role
    aliases: list[str] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)


class Link(_Model):
    url: str
    kind: LinkKind
    field: Field_ = "abstract"
    sentence: str = ""


class Result(_Model):
    """A stated number tied to a metric (and a dataset where stated)."""

    metric: str
    dataset: Optional[str] = None
    value: str
    text: str
    field: Field_ = "abstract"
    rule: str = ""


class ExtractionRecord(_Model):
    """What ``kg extract`` prints for one paper (DESIGN.md section 4)."""

    id: str
    title: str
    entities: list[Entity] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    results: list[Result] = Field(default_factory=list)


class Relationship(_Model):
    """An edge of the graph with its provenance: why is this edge here?"""

    source: str
    target: str
    type: Literal["PROPOSES", "USES", "INTRODUCES", "EVALUATES_ON", "MEASURES", "ADDRESSES", "HAS_CODE"]
    sentence: str = Field("", description="the first sentence the edge came from")
    evidence: list[str] = Field(default_factory=list, description="every distinct sentence, in order")
    rules: list[str] = Field(default_factory=list)
    count: int = Field(1, ge=1, description="number of mentions behind the edge")
    results: list[Result] = Field(default_factory=list)


class PaperRecord(ExtractionRecord):
    """A line of ``papers.jsonl``: the extraction record plus the paper it came from."""

    paper: Paper


ALL_MODELS = {
    "paper": Paper,
    "mention": Mention,
    "entity": Entity,
    "link": Link,
    "result": Result,
    "extraction_record": ExtractionRecord,
    "paper_record": PaperRecord,
    "relationship": Relationship,
}
