"""Where an extracted paper's time goes: each spaCy component and each step of the rules, per paper.

Tokenises the replicated seed papers once, then times every pipeline component
on those docs and every top-level step of building the records, the best of
``--repeat`` runs per stage (so other load inflates the figures less). The
sum is close to the full extractor of ``bench_extract.py``; this script says
which part to work on.

    .venv/bin/python benchmarks/bench_stages.py [--n 5000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict

from common import best_of, command_line, machine, per_paper_table, replicated_fields, save_result

#: the steps of ``kg.extract.pipeline._record`` that are timed (module attribute names there)
RULE_STEPS = ("title_candidates", "field_candidates", "find_links", "resolve", "find_results")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="papers (seed papers replicated)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import spacy

    from kg.extract import make_nlp
    from kg.extract import pipeline

    info = machine()
    papers, fields, texts = replicated_fields(args.n)
    nlp = make_nlp()
    bare = spacy.blank("en").tokenizer
    n = len(papers)
    per_paper = {}  # stage -> ms per paper

    per_paper["bare tokenizer (baseline)"] = best_of(args.repeat, lambda: [bare(t) for t in texts])
    per_paper["extractor's tokenizer"] = best_of(args.repeat, lambda: [nlp.tokenizer(t) for t in texts])
    docs = [nlp.tokenizer(t) for t in texts]
    for name, component in nlp.pipeline:
        per_paper[f"component `{name}`"] = best_of(args.repeat, lambda: [component(d) for d in docs])
        for d in docs:
            component(d)  # the next component sees what this one set

    # the rules: time each step through a wrapper in the pipeline module, best run kept per step
    spent: dict[str, float] = defaultdict(float)
    originals = {name: getattr(pipeline, name) for name in RULE_STEPS}

    def timed(name, fn):
        def run(*a, **k):
            started = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                key = f"{name} ({a[1]})" if name == "field_candidates" else name
                spent[key] += time.perf_counter() - started
        return run

    best_steps: dict[str, float] = {}
    best_record = float("inf")
    try:
        for name, fn in originals.items():
            setattr(pipeline, name, timed(name, fn))
        for _ in range(args.repeat):
            spent.clear()
            started = time.perf_counter()
            for i, paper in enumerate(papers):
                pipeline._record(paper, docs[2 * i], docs[2 * i + 1], fields[i])
            elapsed = time.perf_counter() - started
            if elapsed < best_record:
                best_record, best_steps = elapsed, dict(spent)
    finally:
        for name, fn in originals.items():
            setattr(pipeline, name, fn)
    per_paper["rules and resolve (records from docs), of which:"] = best_record
    for key in sorted(best_steps, key=best_steps.get, reverse=True):
        per_paper[f"  - {key}"] = best_steps[key]
    per_paper["  - the rest (merging, record models)"] = best_record - sum(best_steps.values())
    per_paper["full extractor `extract(papers)`"] = best_of(args.repeat, lambda: list(pipeline.extract(papers)))

    base = per_paper["bare tokenizer (baseline)"]
    table = per_paper_table(per_paper, n, "bare tokenizer (baseline)")
    full = per_paper["full extractor `extract(papers)`"]
    body = (f"{n:,} papers (title and abstract; seed papers replicated), best of {args.repeat} runs per stage.\n\n"
            f"{table}\n\n- **extractor / bare tokenizer = {base / full:.2f}** (the issue's target is 0.30)\n"
            "- the timing wrappers add a little to the rule steps; the full extractor row has none\n")
    print(body)
    path = save_result("stages", "Extraction: time per paper by stage", command_line(), info, body)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
