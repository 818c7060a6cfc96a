"""Extraction throughput against the bare spaCy tokenizer, on the seed papers replicated to N.

Run from the repository root (takes ~15-25 minutes at the default 50,000 on 2 cores)::

    .venv/bin/python benchmarks/bench_extract.py                 # N=50,000, --jobs 1 and nproc
    .venv/bin/python benchmarks/bench_extract.py --n 5000 --jobs 1

Every rate is papers (title + abstract) per second. The figure that matters
is the ratio of the full extractor (one process) to the bare tokenizer
(``spacy.blank("en").tokenizer``) on the same texts, split the same way (title
and abstract as two docs), in the same run: machine speed and load cancel
out. The table also shows spaCy 3.8's newline trap (a ``"\\n"`` is a tokenizer
special case; after one, the tokenizer stops caching for the rest of the doc)
and the tokenizer of the extractor's own pipeline.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_SEEDS, command_line, machine, markdown_table, replicate, save_result, seed_papers  # noqa: E402


def time_tokenizer(texts_of, papers, tokenizer) -> float:
    """Papers per second for ``tokenizer`` over ``texts_of(paper)`` for every paper."""
    start = time.perf_counter()
    for paper in papers:
        for text in texts_of(paper):
            tokenizer(text)
    return len(papers) / (time.perf_counter() - start)


def time_extract(papers, *, jobs: int, batch_size: int) -> tuple[float, str]:
    """Papers per second of :func:`kg.extract.extract`, and a digest of its output."""
    from kg.extract import extract

    digest = hashlib.sha256()
    start = time.perf_counter()
    n = 0
    for record in extract(iter(papers), batch_size=batch_size, n_process=jobs):
        digest.update(record.model_dump_json().encode())
        n += 1
    elapsed = time.perf_counter() - start
    assert n == len(papers), (n, len(papers))
    return n / elapsed, digest.hexdigest()[:12]


TOKENIZER_CASES = [
    ("abstract alone", lambda p: (p.abstract,)),
    ('title + " " + abstract', lambda p: (p.title + " " + p.abstract,)),
    ('title + "\\n" + abstract (newline trap)', lambda p: (p.title + "\n" + p.abstract,)),
    ("title, abstract as two docs (baseline)", lambda p: (p.title, p.abstract)),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="papers (seeds replicated), default 50,000")
    parser.add_argument("--jobs", type=int, nargs="+", default=None, help="n_process values (default: 1 and nproc)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--profile", type=int, default=2000, metavar="N",
                        help="also profile the extractor on N papers and save the top functions (0: skip)")
    args = parser.parse_args(argv)
    jobs = args.jobs or sorted({1, os.cpu_count() or 1})

    import spacy

    info = machine()
    seeds = seed_papers(args.seeds)
    papers = list(replicate(seeds, args.n))
    info["corpus"] = f"{len(seeds)} distinct seed papers replicated to {len(papers):,} (mean abstract " \
                     f"{sum(len(p.abstract) for p in seeds) / len(seeds):,.0f} chars)"
    print(f"{len(papers):,} papers", file=sys.stderr)

    rows, rates = [], {}
    for name, texts_of in TOKENIZER_CASES:
        rate = time_tokenizer(texts_of, papers, spacy.blank("en").tokenizer)
        rates[name] = rate
        rows.append([f"bare tokenizer: {name}", 1, f"{rate:,.0f}", f"{rate:,.0f}", ""])
        print(rows[-1], file=sys.stderr)
    baseline = rates["title, abstract as two docs (baseline)"]

    from kg.extract import make_nlp

    start = time.perf_counter()
    nlp = make_nlp()
    load = time.perf_counter() - start
    rate = time_tokenizer(lambda p: (p.title, p.abstract), papers, nlp.tokenizer)
    rows.append(["extractor's own tokenizer (`make_nlp().tokenizer`), two docs", 1, f"{rate:,.0f}", f"{rate:,.0f}",
                 f"{rate / baseline:.2f}"])
    print(rows[-1], file=sys.stderr)

    digests = {}
    one_process = None
    for j in jobs:
        rate, digests[j] = time_extract(papers, jobs=j, batch_size=args.batch_size)
        if j == 1:
            one_process = rate
        rows.append([f"full extractor `extract(n_process={j}, batch_size={args.batch_size})`", j, f"{rate:,.0f}",
                     f"{rate / j:,.0f}", f"{rate / j / baseline:.2f}"])
        print(rows[-1], file=sys.stderr)

    header = ["what", "processes", "papers/s", "papers/s per core", "ratio to baseline (per core)"]
    body = markdown_table(header, rows)
    trap = rates[TOKENIZER_CASES[2][0]]
    space = rates[TOKENIZER_CASES[1][0]]
    summary = [
        f"- pipeline load (`make_nlp()`): {load:.1f} s, not counted above",
        f"- newline trap: `{TOKENIZER_CASES[2][0]}` runs at {trap:,.0f}/s against {space:,.0f}/s"
        f" with a space ({space / trap:.1f}x slower)",
    ]
    if one_process is not None:
        verdict = "meets" if one_process / baseline >= 0.3 else "misses"
        summary.append(f"- **extractor / bare tokenizer = {one_process / baseline:.2f}** (one process; target >= 0.30:"
                       f" {verdict} it)")
    if len(set(digests.values())) > 1:
        summary.append(f"- WARNING: outputs differ between process counts: {digests}")
    else:
        summary.append(f"- same output for every process count (sha256 of the records: {next(iter(digests.values()))})")
    body += "\n\n" + "\n".join(summary)

    if args.profile:
        prof = cProfile.Profile()
        from kg.extract import extract

        sample = papers[: args.profile]
        prof.enable()
        for _ in extract(iter(sample), batch_size=args.batch_size):
            pass
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        text = out.getvalue()
        text = text[text.index("ncalls"):] if "ncalls" in text else text
        body += f"\n\n## Profile of the extractor on {len(sample):,} papers (one process, cumulative)\n\n```\n" \
                f"{text.rstrip()}\n```"

    path = save_result("extract", "Extraction throughput", command_line(), info, body)
    print(body)
    print(f"\nsaved {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
