"""``kg build`` wall time and peak memory at growing corpus sizes (seed papers replicated).

Run from the repository root::

    .venv/bin/python benchmarks/bench_build.py                       # 10k, 50k, 200k; --jobs nproc
    .venv/bin/python benchmarks/bench_build.py --sizes 2000 10000 --jobs 1

For each size the script writes a JSON Lines corpus (distinct titles, so
distinct papers) into the work directory, runs the real command line
(``python -m kg.cli build CORPUS --out DIR -q --jobs N``) in a child process,
and records its wall time, the peak resident memory of the build process
(``ru_maxrss`` from ``os.wait4``) and the peak proportional set size (PSS) of
the build and its worker processes together (sampled from ``/proc`` every
0.2 s: PSS splits pages the forked workers share). The package is copied to
the work directory first, so every size runs the same code even while
``kg/`` is being edited.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (DEFAULT_SEEDS, ROOT, command_line, machine, markdown_table, replicate,  # noqa: E402
                    save_result, seed_papers, write_jsonl)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak summed PSS (KiB) of a process and its descendants, sampled until stopped."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, sum(_pss_kb(p) for p in _tree(self.pid)))
            self._done.wait(self.every)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def run_build(corpus: Path, out: Path, *, jobs: int, src: Path, html: bool) -> dict:
    cmd = [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(out), "-q", "--jobs", str(jobs)]
    if not html:
        cmd.append("--no-html")
    env = dict(os.environ, PYTHONPATH=str(src), CI="1")
    log_out, log_err = out.with_suffix(".stdout"), out.with_suffix(".stderr")
    with open(log_out, "w") as fo, open(log_err, "w") as fe:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=fo, stderr=fe, cwd=src)  # not the repo: its kg/ would win
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # reaps the child itself: its own rusage
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    peak_tree = sampler.stop()
    stdout, stderr = log_out.read_text(), log_err.read_text()
    if proc.returncode:
        raise SystemExit(f"kg build failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {"wall": wall, "maxrss_kb": usage.ru_maxrss, "pss_kb": peak_tree,
            "stdout": stdout, "stderr": stderr,
            "out_mb": sum(f.stat().st_size for f in out.iterdir()) / 1e6}


HEADER = ["papers", "wall s", "papers/s", "peak RSS build process MB", "peak PSS build + workers MB",
          "PSS MB per 1k papers", "time per paper vs smallest", "outputs MB", "nodes"]
NOTE = ("\n\nNear-linear growth shows as a flat 'time per paper vs smallest' (1.00 = linear) and a"
        " flat 'PSS MB per 1k papers'.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-html", action="store_true", help="skip graph.html (kg build --no-html)")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench-build"))
    parser.add_argument("--keep", action="store_true", help="keep corpora and outputs in --workdir")
    args = parser.parse_args(argv)

    info = machine()
    args.workdir.mkdir(parents=True, exist_ok=True)
    src = args.workdir / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(ROOT / "kg", src / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    seeds = seed_papers(args.seeds)
    info["corpus"] = f"{len(seeds)} distinct seed papers replicated (distinct titles), JSON Lines"
    info["command per size"] = f"python -m kg.cli build CORPUS --out DIR -q --jobs {args.jobs}" + \
                               (" --no-html" if args.no_html else "")

    rows = []
    base = None
    path = None
    for size in args.sizes:
        corpus = args.workdir / f"corpus-{size}.jsonl"
        if not corpus.exists() or sum(1 for _ in open(corpus, "rb")) != size:
            write_jsonl(replicate(seeds, size), corpus)
        out = args.workdir / f"out-{size}"
        shutil.rmtree(out, ignore_errors=True)
        print(f"building {size:,} papers ...", file=sys.stderr, flush=True)
        r = run_build(corpus, out, jobs=args.jobs, src=src, html=not args.no_html)
        summary = r["stdout"].strip().splitlines()
        per_k_mb = r["pss_kb"] / 1024 / (size / 1000)
        if base is None:
            base = (size, r["wall"], r["pss_kb"])
        rows.append([
            f"{size:,}", f"{r['wall']:,.0f}", f"{size / r['wall']:,.0f}",
            f"{(r['maxrss_kb'] or 0) / 1024:,.0f}", f"{r['pss_kb'] / 1024:,.0f}", f"{per_k_mb:.1f}",
            f"{(r['wall'] / base[1]) / (size / base[0]):.2f}", f"{r['out_mb']:,.0f}",
        ])
        print(rows[-1], "|", " / ".join(summary), file=sys.stderr, flush=True)
        rows[-1].append(summary[1] if len(summary) > 1 else "")
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
        body = markdown_table(HEADER, rows) + NOTE
        if len(rows) < len(args.sizes):
            body += f"\n\n(still running: {', '.join(f'{n:,}' for n in args.sizes[len(rows):])})"
        path = save_result("build", "kg build: wall time and peak memory", command_line(), info, body, path=path)
    print(body)
    print(f"\nsaved {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
