"""Evaluate extraction against a gold file written to the annotation guideline.

Matching follows the reference scorer (``shared/eval/score.py``): a predicted
entity matches a gold entity of the same type when the normalised form of its
name or of any mention text equals the normalised form of a gold alias;
one-to-one, greedy, micro-averaged over papers.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import InputError

GOLD_TYPES = {
    "Dataset": ["dataset"],
    "Metric": ["metric"],
    "Task": ["task"],
    "Method": ["method_proposed", "method_named", "technique"],
}
CORE = ("Dataset", "Metric", "Method", "Code")


def norm(text: str) -> str:
    """Lower-case, drop a leading "the ", keep letters, digits and ``+ @ #``."""
    text = text.strip().lower()
    if text.startswith("the "):
        text = text[4:]
    return re.sub(r"[^0-9a-z+@#\u00c0-\uffff]", "", text)


def norm_url(url: str) -> str:
    url = url.strip().rstrip(".,;:)/").lower()
    return re.sub(r"^https?://(www\.)?", "", url)


def _forms(entity: dict[str, Any]) -> set[str]:
    out = {norm(entity.get("name", ""))}
    out.update(norm(m.get("text", "")) for m in entity.get("mentions", []))
    out.discard("")
    return out


def match(preds: list[dict], golds: list[dict]) -> tuple[set[int], set[int]]:
    """Greedy one-to-one matching: (matched prediction indices, matched gold indices)."""
    gold_forms = [{norm(a) for a in g.get("aliases", [])} | {norm(g["name"])} for g in golds]
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for i, p in enumerate(preds):
        pf = _forms(p)
        for j, gf in enumerate(gold_forms):
            if j not in used_gold and pf & gf:
                used_gold.add(j)
                used_pred.add(i)
                break
    return used_pred, used_gold


def prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class Scores:
    """Per-type (P, R, F1, n_pred, n_gold), sub-recalls and the core macro-F1."""

    rows: dict[str, tuple[float, float, float, int, int]]
    recalls: dict[str, tuple[float, int]]
    macro: float
    missing: int
    papers: int
    errors: list[dict] = field(default_factory=list)

    def table(self) -> str:
        lines = [f"{'type':22} {'P':>6} {'R':>6} {'F1':>6} {'pred':>6} {'gold':>6}"]
        for t, (p, r, f, npred, ngold) in self.rows.items():
            lines.append(f"{t:22} {p:6.3f} {r:6.3f} {f:6.3f} {npred:6d} {ngold:6d}")
        for k, (r, ng) in self.recalls.items():
            lines.append(f"{k:22} recall {r:6.3f} of {ng}")
        if self.missing:
            lines.append(f"papers with no prediction record: {self.missing} of {self.papers}")
        lines.append(f"macro-F1 (Dataset, Metric, Method, Code): {self.macro:.3f}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "recalls": self.recalls, "macro_f1_core": self.macro,
                "missing": self.missing, "papers": self.papers}


def score(gold: Iterable[dict], pred: Iterable[dict]) -> Scores:
    """Score prediction records (``kg extract`` output) against gold records."""
    gold_by_id = {g["id"]: g for g in gold}
    pred_by_id = {p.get("id"): p for p in pred}
    counts = {t: [0, 0, 0, 0] for t in [*GOLD_TYPES, "Code"]}
    sub = {"Method/named": [0, 0], "Method/technique": [0, 0]}
    role = [0, 0, 0, 0]
    missing = 0
    errors: list[dict] = []
    for pid, g in gold_by_id.items():
        p = pred_by_id.get(pid)
        if p is None:
            missing += 1
            p = {"entities": [], "links": []}
        ents = p.get("entities", [])
        for etype, gkeys in GOLD_TYPES.items():
            golds, origin = [], []
            for k in gkeys:
                for e in g.get(k, []):
                    golds.append(e)
                    origin.append(k)
            preds = [e for e in ents if e.get("type") == etype]
            mp, mg = match(preds, golds)
            c = counts[etype]
            c[0] += len(mp); c[1] += len(preds); c[2] += len(mg); c[3] += len(golds)  # noqa: E702
            errors += [{"id": pid, "type": etype, "kind": "fp", "name": e["name"]} for i, e in enumerate(preds) if i not in mp]
            errors += [{"id": pid, "type": etype, "kind": "fn", "name": e["name"], "gold": origin[j]}
                       for j, e in enumerate(golds) if j not in mg]
            if etype == "Method":
                for j, k in enumerate(origin):
                    key = "Method/technique" if k == "technique" else "Method/named"
                    sub[key][1] += 1
                    sub[key][0] += j in mg
                props = [e for e in preds if e.get("role") == "proposed"]
                gprops = g.get("method_proposed", [])
                pp, pg = match(props, gprops)
                role[0] += len(pp); role[1] += len(props); role[2] += len(pg); role[3] += len(gprops)  # noqa: E702
        gcode = {norm_url(u) for u in g.get("code", [])}
        pcode = {norm_url(link["url"]) for link in p.get("links", []) if link.get("kind") == "code"}
        c = counts["Code"]
        hit = len(pcode & gcode)
        c[0] += hit; c[1] += len(pcode); c[2] += hit; c[3] += len(gcode)  # noqa: E702
    rows = {t: prf(*v) + (v[1], v[3]) for t, v in counts.items()}
    rows["Method/proposed-role"] = prf(*role) + (role[1], role[3])
    recalls = {k: (v[0] / v[1] if v[1] else 0.0, v[1]) for k, v in sub.items()}
    macro = sum(rows[t][2] for t in CORE) / len(CORE)
    return Scores(rows, recalls, macro, missing, len(gold_by_id), errors)


class GoldEntity(BaseModel):
    """One annotated entity: its name and the other forms that count as a match."""

    model_config = ConfigDict(extra="allow")
    name: str
    aliases: list[str] = []


class GoldRecord(BaseModel):
    """One line of a gold file in the annotation guideline's format (other keys are kept, not checked)."""

    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    abstract: str = ""
    method_proposed: list[GoldEntity] = []
    method_named: list[GoldEntity] = []
    technique: list[GoldEntity] = []
    dataset: list[GoldEntity] = []
    metric: list[GoldEntity] = []
    task: list[GoldEntity] = []
    code: list[str] = []


def _first_problem(exc: ValidationError) -> str:
    """The first validation error on one line: where in the record, and what is wrong."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def read_gold(path: "str | Path") -> list[dict]:
    """Gold records (one JSON object per line with id, title, abstract and the entity lists)."""
    out = []
    try:
        fh = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot open gold file: {exc.strerror}", str(path)) from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"malformed JSON line ({exc.msg})", str(path), lineno) from None
            if not isinstance(obj, dict) or "id" not in obj or "title" not in obj:
                raise InputError("gold record needs id, title and abstract", str(path), lineno)
            try:
                GoldRecord.model_validate(obj)
            except ValidationError as exc:
                raise InputError(f"not a gold record ({_first_problem(exc)})", str(path), lineno) from None
            out.append(obj)
    if not out:
        raise InputError("empty gold file", str(path))
    return out


def evaluate(gold_path: "str | Path", *, jobs: int = 1) -> tuple[Scores, list[dict]]:
    """Extract the gold papers' titles and abstracts and score the result."""
    from .extract import extract
    from .read import make_paper
    from .models import Source

    gold = read_gold(gold_path)
    papers = []
    for i, g in enumerate(gold, 1):
        paper = make_paper(g["title"], g.get("abstract", ""), source=Source(file=str(gold_path), line=i),
                           input_id=str(g["id"]))
        if paper is not None:
            papers.append(paper)
    preds = [r.model_dump() for r in extract(papers, n_process=jobs)]
    return score(gold, preds), preds
