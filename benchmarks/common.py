"""Shared by the benchmark scripts: seed papers, synthetic corpora, machine notes, result tables.

The benchmarks replicate the seed papers (``../shared/seeds``, read with
:func:`kg.read.read_papers`) to the sizes they need. Replicas get a distinct
title (``"<title>, part <k>"``) so every one is a distinct paper with its own
id; abstracts are unchanged, which flatters spaCy's tokenizer cache equally for
the bare tokenizer and for the extractor, so ratios between them stay fair.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def seed_papers(seeds: Path = DEFAULT_SEEDS) -> list:
    """The distinct seed papers (295 with the shared seeds), in first-seen order."""
    from kg.read import read_papers

    files = sorted(str(p) for p in Path(seeds).glob("*.txt"))
    if not files:
        raise SystemExit(f"no seed pages (*.txt) in {seeds}; pass --seeds DIR")
    seen, papers = set(), []
    for paper in read_papers(files):
        if paper.id not in seen:
            seen.add(paper.id)
            papers.append(paper)
    return papers


def replicate(papers: list, n: int) -> Iterator:
    """``n`` papers cycling through ``papers``; replica k > 0 gets a distinct title and id.

    Examples
    --------
    >>> from kg.read import make_paper
    >>> from kg.models import Source
    >>> p = make_paper("Tiny Nets", "We propose TinyNet.", source=Source(file="x", line=1))
    >>> [q.title for q in replicate([p], 3)]
    ['Tiny Nets', 'Tiny Nets, part 1', 'Tiny Nets, part 2']
    """
    from kg.read import paper_id

    for i in range(n):
        base = papers[i % len(papers)]
        k = i // len(papers)
        if k == 0:
            yield base
            continue
        title = f"{base.title}, part {k}"
        yield base.model_copy(update={"title": title, "id": paper_id(title), "arxiv_id": None})


def write_jsonl(papers, path: Path) -> int:
    """Write papers as the JSON Lines interchange format (title, abstract, metadata); returns the count."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for p in papers:
            row = {"title": p.title, "abstract": p.abstract}
            if p.published:
                row["published"] = p.published
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import spacy

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        if subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", "kg"]).returncode:
            commit += " (kg/ modified)"
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date (UTC)": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "memory": mem,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "kg commit": commit,
    }


def replicated_fields(n: int) -> tuple[list, list[tuple[str, str]], list[str]]:
    """``n`` replicated seed papers, their (title, abstract) field texts, and those texts as one list of docs."""
    from kg.extract import pipeline

    papers = list(replicate(seed_papers(), n))
    fields = [pipeline._field_texts(p) for p in papers]
    return papers, fields, [t for pair in fields for t in pair]


def best_of(repeat: int, run) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``run()``: other load on the machine inflates it least."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def per_paper_table(seconds: dict[str, float], n: int, baseline: str) -> str:
    """Rows "what | ms per paper | x baseline" from total seconds over ``n`` papers."""
    base = seconds[baseline]
    rows = [[what, f"{secs / n * 1e3:.3f}", f"{secs / base:.2f}"] for what, secs in seconds.items()]
    return markdown_table(["stage", "ms per paper", f"x {baseline.split(' (')[0]}"], rows)


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def save_result(name: str, title: str, command: str, info: dict[str, str], body: str,
                path: Path | None = None) -> Path:
    """Write ``benchmarks/results/<name>-<UTC stamp>.md`` (or rewrite ``path``) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    if path is None:
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"{name}-{stamp}.md"
    machine_lines = "\n".join(f"- {k}: {v}" for k, v in info.items())
    text = f"# {title}\n\nCommand: `{command}`\n\nMachine:\n{machine_lines}\n\n{body.rstrip()}\n"
    path.write_text(text, encoding="utf-8")
    return path


def command_line() -> str:
    return " ".join(["python", *sys.argv])


def take(it, n):
    return list(islice(it, n))
