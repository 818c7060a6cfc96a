"""Would compiling the rules as they are make them fast enough? mypyc-compiled rules against the Python ones.

Copies ``kg/`` to a temporary directory and compiles the rule and resolve
modules there with mypyc. The modules are ``kg.extract.{rules, candidates,
acronyms, results}`` and ``kg.resolve``. Two fresh interpreters then time the
same work: building the records from the same docs, once from the Python
sources and once from the compiled copy. Both interpreters also check that
their records are identical.

Needs mypy (it provides mypyc) and a C compiler; neither is a dependency of kg:

    .venv/bin/pip install mypy
    .venv/bin/python benchmarks/bench_compiled.py [--n 3000] [--repeat 3]

One change is made to the copy before compiling: mypyc cannot compile a class
that subclasses ``list``. So ``candidates.Coverage`` is marked as a normal
Python class there (``mypyc_attr(native_class=False)``).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, command_line, machine, markdown_table, save_result

MODULES = ("kg/extract/rules.py", "kg/extract/candidates.py", "kg/extract/acronyms.py", "kg/extract/results.py",
           "kg/resolve.py")

#: run in a fresh interpreter with kg on PYTHONPATH: time the bare tokenizer and the rule stage, hash the records
TIMER = r"""
import hashlib, json, sys
sys.path.insert(0, sys.argv[1])
from common import best_of, replicated_fields
import spacy
from kg.extract import make_nlp, pipeline
n, repeat = int(sys.argv[2]), int(sys.argv[3])
papers, fields, texts = replicated_fields(n)
bare = spacy.blank("en").tokenizer
docs = list(make_nlp().pipe(texts))
records = []
tok = best_of(repeat, lambda: [bare(t) for t in texts])
rules = best_of(repeat, lambda: records.__setitem__(slice(None), [pipeline._record(p, docs[2 * i], docs[2 * i + 1], fields[i])
                                                         for i, p in enumerate(papers)]))
digest = hashlib.sha256("\n".join(r.model_dump_json() for r in records).encode()).hexdigest()[:12]
print(json.dumps({"tokenizer": tok / n, "rules": rules / n, "sha": digest,
                  "compiled": sys.modules["kg.extract.candidates"].__file__.endswith(".so")}))
"""


def compile_copy(dest: Path) -> None:
    shutil.copytree(ROOT / "kg", dest / "kg", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    cand = dest / "kg" / "extract" / "candidates.py"
    src = cand.read_text(encoding="utf-8")
    if "class Coverage(list):" not in src:
        raise SystemExit("candidates.Coverage changed; update bench_compiled.py's patch")
    cand.write_text(src.replace("class Coverage(list):", "from mypy_extensions import mypyc_attr\n\n\n"
                                "@mypyc_attr(native_class=False)\nclass Coverage(list):"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mypyc", "--ignore-missing-imports", *MODULES], cwd=dest,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("mypyc failed:\n" + (done.stdout + done.stderr)[-3000:])


def run_timer(kg_path: Path, n: int, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(kg_path))
    done = subprocess.run([sys.executable, "-c", TIMER, str(ROOT / "benchmarks"), str(n), str(repeat)],
                          cwd=tempfile.gettempdir(), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"timing run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="papers (seed papers replicated)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if importlib.util.find_spec("mypyc") is None:
        raise SystemExit("needs mypyc: .venv/bin/pip install mypy")

    info = machine()
    with tempfile.TemporaryDirectory(prefix="kg-mypyc-") as tmp:
        compile_copy(Path(tmp))
        # alternate the two, so a change of load on the machine hits both alike
        runs = {"Python": [], "mypyc": []}
        for _ in range(2):
            runs["Python"].append(run_timer(ROOT, args.n, args.repeat))
            runs["mypyc"].append(run_timer(Path(tmp), args.n, args.repeat))
    if not all(r["compiled"] for r in runs["mypyc"]) or any(r["compiled"] for r in runs["Python"]):
        raise SystemExit("the compiled copy was not the one imported")
    shas = {r["sha"] for rs in runs.values() for r in rs}
    tok = min(r["tokenizer"] for rs in runs.values() for r in rs)
    rows, best = [["bare tokenizer (both variants' interpreters)", f"{tok * 1e3:.3f}", "1.00"]], {}
    for what, rs in runs.items():
        rules = best[what] = min(r["rules"] for r in rs)
        rows.append([f"rules and resolve, {what}", f"{rules * 1e3:.3f}", f"{rules / tok:.2f}"])
    table = markdown_table(["stage", "ms per paper", "x bare tokenizer"], rows)
    body = (f"{args.n:,} papers, best of {args.repeat} runs in each of 2 interpreters per variant.\n\n{table}\n\n"
            f"- compiled / Python = **{best['mypyc'] / best['Python']:.2f}**\n"
            f"- records identical in every run: {'yes' if len(shas) == 1 else 'NO'} (sha256 {', '.join(sorted(shas))})\n")
    print(body)
    path = save_result("compiled", "mypyc-compiled rules against the Python rules", command_line(), info, body)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
