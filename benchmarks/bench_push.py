"""Push throughput on the embedded FalkorDB: batched ``UNWIND $rows`` vs one row per transaction.

Loads a built graph (default: the seed pages, built into a temporary
directory) into fresh graphs on one embedded FalkorDB server, for each batch
size, a few times, and reports rows per second (median). Batch size 1 is one
row per statement, and each FalkorDB statement is its own transaction.

    .venv/bin/python benchmarks/bench_push.py [BUILD_DIR] [--repeat 3] [--batch-sizes 1,100,1000,5000]

Writes the table to benchmarks/results/push.md and prints it.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
RESULTS = ROOT / "benchmarks" / "results" / "push.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", help="a kg build directory (default: build the seed pages)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-sizes", default="1,100,1000,5000")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.batch_sizes.split(",")]

    import kg
    from kg.db import count_in_database, load_cypher, load_graph_into, split_statements
    from kg.db.falkor import EmbeddedFalkorDB

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        if args.build:
            source = args.build
        else:
            if not SEEDS.is_dir():
                sys.exit(f"no build directory given and no seed pages at {SEEDS}")
            source = tmp
            kg.build([str(p) for p in sorted(SEEDS.glob("*.txt"))], tmp, html=False)
        graph = kg.load_graph(source)
    rows = graph.number_of_nodes() + graph.number_of_edges()
    schema = split_statements(load_cypher("schema.falkordb"))

    results: dict[int, list[float]] = {size: [] for size in sizes}
    with EmbeddedFalkorDB() as server:
        for run in range(args.repeat):
            for size in sizes:
                backend = server.backend(f"bench-{size}-{run}")
                backend.apply_schema(schema)
                started = time.perf_counter()
                summary = load_graph_into(backend, graph, batch_size=size, schema=False)
                seconds = time.perf_counter() - started
                nodes, rels = count_in_database(backend)
                assert sum(nodes.values()) == graph.number_of_nodes() and sum(rels.values()) == graph.number_of_edges()
                assert summary.rows == rows
                results[size].append(seconds)
                print(f"run {run + 1}: batch {size:>5}: {rows / seconds:10.0f} rows/s ({seconds:.2f} s)", file=sys.stderr)

    single = statistics.median(results[1]) if 1 in results else None
    lines = [
        "# Push throughput on the embedded FalkorDB",
        "",
        f"Graph: {graph.number_of_nodes()} nodes + {graph.number_of_edges()} relationships = {rows} rows "
        f"({'seed pages' if not args.build else args.build}). Median of {args.repeat} runs, each into a fresh graph "
        "with its indexes; the time covers turning the graph into rows and the upserts (not the schema).",
        "",
        "| batch size | statements | seconds | rows/s | vs one row per transaction |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        seconds = statistics.median(results[size])
        statements = sum(-(-n // size) for n in _group_sizes(graph))
        ratio = f"{single / seconds:.1f}x" if single else ""
        lines.append(f"| {size} | {statements} | {seconds:.2f} | {rows / seconds:,.0f} | {ratio} |")
    lines += [
        "",
        f"Command: `.venv/bin/python benchmarks/bench_push.py{' ' + args.build if args.build else ''} "
        f"--repeat {args.repeat} --batch-sizes {args.batch_sizes}`",
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{_cpus()} CPUs; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    table = "\n".join(lines)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(table, encoding="utf-8")
    print(table)
    return 0


def _group_sizes(graph) -> list[int]:
    from kg.db.rows import node_rows, relationship_rows

    return [len(r) for r in node_rows(graph).values()] + [len(r) for r in relationship_rows(graph).values()]


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())
