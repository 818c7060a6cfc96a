"""Peak memory and time of writing graph.json, graph.graphml and graph.cypher: the old calls vs the streaming writers.

Run from the repository root::

    .venv/bin/python benchmarks/bench_write.py                  # 50,000 papers
    .venv/bin/python benchmarks/bench_write.py --papers 5000    # quick look

The graph has the shape of a real build: the seed pages are built once, and
their paper records (``papers.jsonl``) are replicated with distinct paper ids
and titles and turned into a graph by :func:`kg.graph.to_networkx`, so papers
grow while entity nodes are shared, as in ``kg build``. The graph is pickled,
and every writer runs in its own child process that loads the pickle, resets
its peak resident set (``/proc/self/clear_refs``), writes, and reports the
peak over what it held before writing (``VmHWM - VmRSS`` from
``/proc/self/status``). ``ru_maxrss`` would be the same high-water mark but
cannot be reset, so it would measure loading the pickle (and, through fork,
the parent's size) instead of writing. The old and new files must be
byte-identical (sha256), or the script fails.

graph.cypher's old writer is kept below (:func:`_old_cypher_script`): it
built every row list with ``node_rows``/``relationship_rows`` before writing;
the new one, ``kg.export.cypher_script.write_cypher_script``, takes rows from
``kg.db.rows.RowStream`` one batch at a time.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import json
import pickle
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_SEEDS, ROOT, command_line, machine, markdown_table, save_result  # noqa: E402

MODES = ("json-old", "json-new", "graphml-old", "graphml-new", "both-old", "both-new", "cypher-old", "cypher-new")


def _status_kb(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))


def _old_cypher_script(graph, fh) -> None:
    """graph.cypher as ``write_cypher_script`` wrote it before streaming: every node and edge row first."""
    from kg.db.cypher_files import fill, load_cypher, split_statements, strip_comments
    from kg.db.rows import batches, node_rows, relationship_rows
    from kg.export.cypher_script import SCRIPT_BATCH, _with_rows

    nodes = node_rows(graph)
    rels = relationship_rows(graph)
    n_nodes = sum(map(len, nodes.values()))
    n_rels = sum(map(len, rels.values()))
    fh.write("// graph.cypher, written by `kg build`: builds the same graph as graph.json.\n")
    fh.write(f"// {n_nodes} nodes, {n_rels} relationships. Idempotent (MERGE on keys): safe to run again.\n")
    fh.write("// Run: cypher-shell -u neo4j -p PASSWORD -f graph.cypher\n\n")
    for statement in split_statements(load_cypher("schema")):
        fh.write(statement + ";\n")
    node_template = strip_comments(load_cypher("upsert_nodes"))
    for label, rows in nodes.items():
        fh.write(f"\n// {label}: {len(rows)} nodes\n")
        statement = fill(node_template, label=label)
        for batch in batches(rows, SCRIPT_BATCH):
            fh.write(_with_rows(statement, batch) + ";\n")
    rel_template = strip_comments(load_cypher("upsert_relationships"))
    for (source_label, rel_type, target_label), rows in rels.items():
        fh.write(f"\n// {rel_type} ({source_label} -> {target_label}): {len(rows)} relationships\n")
        statement = fill(rel_template, source_label=source_label, type=rel_type, target_label=target_label)
        for batch in batches(rows, SCRIPT_BATCH):
            fh.write(_with_rows(statement, batch) + ";\n")


def _write(mode: str, graph, out: Path) -> list[Path]:
    import networkx as nx

    from kg.graph import graph_to_json, graphml_ready, write_graph_json, write_graphml

    what, how = mode.split("-")
    files = []
    if what == "cypher":
        from kg.export.cypher_script import write_cypher_script

        path = out / f"graph-{how}.cypher"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            (_old_cypher_script if how == "old" else write_cypher_script)(graph, fh)
        files.append(path)
    if what in ("json", "both"):
        path = out / f"graph-{how}.json"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            if how == "old":
                json.dump(graph_to_json(graph), fh, ensure_ascii=False, indent=1, sort_keys=True)
                fh.write("\n")
            else:
                write_graph_json(graph, fh)
        files.append(path)
    if what in ("graphml", "both"):
        path = out / f"graph-{how}.graphml"
        if how == "old":
            nx.write_graphml(graphml_ready(graph), path, encoding="utf-8", prettyprint=True)
        else:
            write_graphml(graph, path)
        files.append(path)
    return files


def child(mode: str, pickled: Path, out: Path) -> None:
    """One measurement, printed as a JSON line: runs in its own process."""
    importlib.import_module("kg.graph")  # before measuring: only the writing counts
    if mode.startswith("cypher"):
        importlib.import_module("kg.export.cypher_script")

    with open(pickled, "rb") as fh:
        graph = pickle.load(fh)
    gc.collect()
    before = _status_kb("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    except OSError as exc:
        raise SystemExit(f"cannot reset the peak RSS ({exc}): Linux with /proc is needed")
    started = time.perf_counter()
    files = _write(mode, graph, out)
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    digests = {p.suffix: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    print(json.dumps({"mode": mode, "seconds": seconds, "graph_kb": before, "extra_kb": peak - before,
                      "peak_kb": peak,
                      "sha256": digests, "bytes": sum(p.stat().st_size for p in files)}))


def make_graph(papers: int, seeds: Path, workdir: Path):
    """The seed build's records replicated to ``papers`` papers (distinct ids and titles), as a graph."""
    import kg
    from kg.graph import to_networkx
    from kg.pipeline import load_records

    build = workdir / "seed-build"
    kg.build([str(p) for p in sorted(seeds.glob("*.txt"))], build, html=False)
    base = list(load_records(build / "papers.jsonl").values())

    def replicas():
        for i in range(papers):
            rec = base[i % len(base)]
            k = i // len(base)
            if k == 0:
                yield rec
                continue
            pid, title = f"{rec.paper.id}-r{k}", f"{rec.paper.title}, part {k}"
            paper = rec.paper.model_copy(update={"id": pid, "title": title})
            yield rec.model_copy(update={"id": pid, "title": title, "paper": paper})

    return to_networkx(replicas())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "PICKLE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0

    info = machine()
    with tempfile.TemporaryDirectory(prefix="kg-bench-write-") as tmp:
        tmpdir = Path(tmp)
        started = time.perf_counter()
        graph = make_graph(args.papers, args.seeds, tmpdir)
        nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
        pickled = tmpdir / "graph.pickle"
        with open(pickled, "wb") as fh:
            pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
        del graph
        print(f"graph: {nodes:,} nodes, {edges:,} edges ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        results = {}
        for mode in args.modes:
            out = tmpdir / mode
            out.mkdir()
            proc = subprocess.run([sys.executable, __file__, "--child", mode, str(pickled), str(out)],
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode:
                raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
            results[mode] = r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{mode}: {r['seconds']:.1f} s, +{r['extra_kb'] / 1024:,.0f} MB", file=sys.stderr)
            for p in out.iterdir():
                p.unlink()

    for what in ("json", "graphml", "both", "cypher"):
        old, new = results.get(f"{what}-old"), results.get(f"{what}-new")
        if old and new and old["sha256"] != new["sha256"]:
            raise SystemExit(f"{what}: the streamed files differ from the old calls' files")

    names = {"json": "graph.json", "graphml": "graph.graphml", "both": "both (as kg build writes them)",
             "cypher": "graph.cypher"}
    rows = []
    for what in ("json", "graphml", "both", "cypher"):
        old, new = results.get(f"{what}-old"), results.get(f"{what}-new")
        if not (old and new):
            continue
        rows.append([
            names[what], f"{old['bytes'] / 1e6:,.0f}",
            f"{old['extra_kb'] / 1024:,.1f}", f"{new['extra_kb'] / 1024:,.1f}",
            f"{old['extra_kb'] / max(new['extra_kb'], 1):,.0f}x",
            f"{old['seconds']:.1f}", f"{new['seconds']:.1f}", f"{old['seconds'] / new['seconds']:.2f}x",
            f"{old['peak_kb'] / 1024:,.0f} / {new['peak_kb'] / 1024:,.0f}",
        ])
    graph_mb = min(r["graph_kb"] for r in results.values()) / 1024
    table = markdown_table(
        ["file(s)", "MB written", "old extra peak MB", "new extra peak MB", "less memory", "old s", "new s",
         "speed-up", "peak RSS MB old / new"], rows)
    body = (f"Graph: {args.papers:,} papers replicated from the seed build: {nodes:,} nodes, {edges:,} edges; "
            f"the loaded graph holds ~{graph_mb:,.0f} MB RSS in each child.\n\n{table}\n\n"
            "Extra peak = peak RSS while writing minus RSS before (`VmHWM` reset through `/proc/self/clear_refs`), "
            "one child process per row and writer; old = `json.dump(graph_to_json(graph))` and "
            "`nx.write_graphml(graphml_ready(graph))`, new = `write_graph_json` and `write_graphml`; for graph.cypher "
            "old = every row list from `node_rows`/`relationship_rows` first (the writer before `RowStream`), "
            "new = `write_cypher_script`. "
            "Old and new files are byte-identical (sha256 checked).")
    info["graph"] = f"{args.papers:,} papers (seed records replicated), {nodes:,} nodes, {edges:,} edges"
    path = save_result("write", "Writing graph.json, graph.graphml and graph.cypher: old calls vs streaming writers",
                       command_line(), info, body)
    print(body)
    print(f"\nsaved {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
