"""Build the shipped gazetteers from the curated lists and the reference name lists.

Run from the repository root::

    python kg/data/build_gazetteers.py ../shared/reference

Writes ``kg/data/gazetteer_orth.jsonl`` (matched case-sensitively) and
``kg/data/gazetteer_lower.jsonl`` (matched on lower case), both in spaCy's
JSONL phrase-pattern format: ``{"label": TYPE, "pattern": TEXT, "id": CANONICAL}``.
The reference lists are large and noisy, so only names that look like names
are kept (see :func:`keep_reference`); the curated lists in ``curated/`` win
over the reference lists wherever both have a surface form.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CURATED = HERE / "curated"

GENERIC_WORDS = {
    "dataset", "datasets", "data", "benchmark", "benchmarks", "corpus", "model", "models",
    "method", "methods", "task", "tasks", "network", "networks", "learning", "training",
    "test", "testing", "train", "evaluation", "results", "result", "performance", "baseline",
    "baselines", "experiments", "experiment", "analysis", "framework", "approach", "system",
    "image", "images", "video", "videos", "text", "texts", "speech", "audio", "language",
    "graph", "graphs", "time", "score", "quality", "error", "loss", "accuracy", "average",
}
BAD_CHARS = re.compile(r"[?#!*=<>\[\]{}|\\\"“”;]|\(|\)|,|:|/|%|\s-\s|\.\.")
WORD = re.compile(r"[A-Za-z]+")


LEXICON = json.loads((HERE / "lexicon.json").read_text(encoding="utf-8"))
TASK_HEADS = set(LEXICON["task_heads"]) | {"answering", "folding", "transfer", "analysis"}
FUNCTION_WORDS = set(LEXICON["np_stop"]) | set(LEXICON["np_skip"]) | set(LEXICON["connectors"])


def read_list(name: str) -> list[str]:
    path = CURATED / name
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def is_cased_name(text: str) -> bool:
    """True for names whose case carries meaning: a capital inside a word, or a digit ("BERT", "ImageNet", "T5")."""
    return any(c.isdigit() for c in text) or any(any(c.isupper() for c in w[1:]) for w in re.split(r"[\s-]+", text))


def plural(text: str) -> str | None:
    """English plural of the last word of a lower-case phrase (None when it already looks plural)."""
    last = text.split()[-1]
    if last.endswith("ss"):
        return text + "es"
    if not last[-1:].isalpha() or last.endswith("s") or last.endswith("ing"):
        return None
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        return text[:-1] + "ies"
    if last.endswith(("x", "ch", "sh")):
        return text + "es"
    return text + "s"


def keep_reference(name: str, kind: str) -> bool:
    """Filter a reference name: drop junk, qualifiers, long titles and common words."""
    if len(name) < 3 or len(name) > 50 or BAD_CHARS.search(name):
        return False
    words = name.split()
    if len(words) > 6 or not WORD.search(name):
        return False
    low = name.lower()
    if low in GENERIC_WORDS or all(w.lower() in GENERIC_WORDS for w in words):
        return False
    if kind in ("Dataset", "Method"):
        # single words with no internal capital or digit are too often plain English
        if len(words) == 1 and not is_cased_name(name):
            return False
    if kind == "Dataset" and not is_cased_name(name) and not any(w[:1].isupper() for w in words[1:]):
        # "Natural Questions" is a name; "natural scenes" is not
        return False
    if kind in ("Task", "Metric") and len(words) == 1 and not is_cased_name(name):
        return False
    if kind in ("Dataset", "Metric") and re.fullmatch(r"[A-Z]{1,3}", name):
        return False  # "SSL", "DVD": three capitals are too often some other acronym
    if kind == "Task" and not is_cased_name(name):
        last = re.split(r"[\s-]+", low)[-1]
        if last not in TASK_HEADS and not low.endswith("representation learning"):
            return False
    return True


def add(table: dict, label: str, pattern: str, canonical: str, cased: bool, priority: int) -> None:
    key = (pattern if cased else pattern.lower(), cased)
    old = table.get(key)
    if old is None or priority > old[3]:
        table[key] = (label, pattern if cased else pattern.lower(), canonical, priority)


def read_aliases() -> dict[str, str]:
    """Variant -> canonical name from ``aliases.tsv`` (the alias table the resolver uses too)."""
    out = {}
    for line in (HERE / "aliases.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            canonical, *variants = line.split("\t")
            for v in variants:
                out[v.strip()] = canonical.strip()
    return out


def build(reference: Path) -> tuple[list[dict], list[dict]]:
    table: dict = {}
    aliases = read_aliases()
    stop = {s for s in read_list("stop_methods.txt")}
    stop_tasks = {s.lower() for s in read_list("stop_tasks.txt")}

    # reference lists (priority 1)
    for fname, label in (("datasets.jsonl", "Dataset"), ("methods.jsonl", "Method"),
                         ("metrics.jsonl", "Metric"), ("tasks.jsonl", "Task")):
        for rec in read_jsonl(reference / fname):
            if rec.get("ambiguous"):
                continue
            canonical = rec["name"]
            forms = [canonical] + [a for a in rec.get("aliases", [])]
            if rec.get("full_name") and label != "Dataset":
                forms.append(rec["full_name"])
            for form in forms:
                if form in stop or not keep_reference(form, label):
                    continue
                if label == "Task" and form.lower() in stop_tasks:
                    continue
                cased = label == "Dataset" or is_cased_name(form)
                add(table, label, form, canonical, cased, 1)

    # curated lists (priority 2): general knowledge, case rules per list
    for fname, label, cased_default in (("techniques.txt", "Method", False), ("methods.txt", "Method", True),
                                        ("tasks.txt", "Task", False), ("metrics.txt", "Metric", None),
                                        ("datasets.txt", "Dataset", True)):
        for name in read_list(fname):
            cased = is_cased_name(name) if cased_default is None else cased_default
            add(table, label, name, aliases.get(name, name), cased, 2)
            if not cased:
                p = plural(name)
                if p:
                    add(table, label, p, name, cased, 2)

    for name in stop_tasks:
        table.pop((name, False), None)
    orth, lower = [], []
    for (pattern, cased), (label, pat, canonical, _prio) in sorted(table.items()):
        row = {"label": label, "pattern": pat, "id": canonical}
        (orth if cased else lower).append(row)
    return orth, lower


def modifier_words(reference: Path) -> list[str]:
    """Lower-case words that occur inside task and method names: the words a name may be extended by
    to its left ("fine-grained image classification", "multiview contrastive learning")."""
    words: set[str] = set()
    names = [r["name"] for f in ("tasks.jsonl", "methods.jsonl", "metrics.jsonl") for r in read_jsonl(reference / f)]
    names += read_list("tasks.txt") + read_list("techniques.txt") + read_list("metrics.txt")
    for name in names:
        for w in name.split():
            w = w.lower().strip(",.:;()")
            if re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z]", w) and any(c.isalpha() for c in w) and len(w) > 1:
                words.add(w)
    stop = FUNCTION_WORDS | {s.lower() for s in read_list("stop_modifiers.txt")}
    return sorted(words - stop)


def main(argv: list[str]) -> int:
    reference = Path(argv[1]) if len(argv) > 1 else HERE.parents[1].parent / "shared" / "reference"
    orth, lower = build(reference)
    for name, rows in (("gazetteer_orth.jsonl", orth), ("gazetteer_lower.jsonl", lower)):
        with open(HERE / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    mods = modifier_words(reference)
    (HERE / "modifiers.txt").write_text("\n".join(mods) + "\n", encoding="utf-8")
    print(f"orth: {len(orth)} patterns, lower: {len(lower)} patterns, modifiers: {len(mods)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
