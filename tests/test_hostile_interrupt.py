"""Ctrl-C in the middle of a build, and ``--jobs``: the real command line in a child process.

An earlier build is written by hand (records made here, outputs written by
:func:`kg.pipeline.write_outputs`, no extraction), so the slow part of the
interrupted build is either reading and extracting new papers or writing a few
thousand papers' outputs, and the test can strike at either.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.graph import to_networkx
from kg.models import Entity, Mention, Paper, PaperRecord, Source
from kg.pipeline import OUTPUT_FILES, write_outputs
from kg.read import paper_id

pytestmark = pytest.mark.slow

INTERRUPTED = "kg: interrupted; earlier outputs left as they were\n"


def synthetic_rows(n: int, prefix: str = "Routing Study") -> list[dict]:
    """Distinct papers written for these tests, with names the extractor picks up."""
    return [{"title": f"{prefix} Number {i}: Sparse Routers for Tiny Transformers",
             "abstract": f"We propose Router{i}, a routing layer for small Transformer models. "
                         f"Router{i} improves accuracy on GLUE over BERT and reaches 81.{i % 10} F1 on SQuAD. "
                         f"Code is at https://github.com/example/router{i}."}
            for i in range(n)]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def earlier_build(out: Path, n: int) -> dict[str, bytes]:
    """Outputs of a build of ``n`` hand-made records, as bytes by file name."""
    recs = []
    for i in range(n):
        title = f"Earlier Paper {i} on Graph Retrieval"
        sentence = f"We propose GraphRet{i} and evaluate it on BEIR."
        paper = Paper(id=paper_id(title), title=title, abstract=sentence * 4,
                      sources=[Source(file="earlier.jsonl", line=i + 1)])
        start = sentence.index("GraphRet")
        entities = [
            Entity(type="Method", name=f"GraphRet{i}", id=f"method:graphret{i}", role="proposed",
                   mentions=[Mention(field="abstract", start=start, end=start + len(f"GraphRet{i}"),
                                     text=f"GraphRet{i}", rule="propose", sentence=sentence)]),
            Entity(type="Dataset", name="BEIR", id="dataset:beir", role="evaluated",
                   mentions=[Mention(field="abstract", start=sentence.index("BEIR"), end=sentence.index("BEIR") + 4,
                                     text="BEIR", rule="gaz-orth", sentence=sentence)]),
        ]
        recs.append(PaperRecord(id=paper.id, title=title, entities=entities, paper=paper))
    write_outputs(to_networkx(recs), recs, out)
    return snapshot(out)


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def start_build(*args, group: bool = False) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "build", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=group)


def wait_until(condition, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"kg build ended (exit {proc.returncode}) before the moment to interrupt it: "
                        f"{proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("kg build never reached the moment to interrupt it")
        time.sleep(0.001)


def has_read(pid: int, path: Path, past: int) -> bool:
    """Whether process ``pid`` has ``path`` open and has read beyond byte ``past`` of it."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                pos = Path(f"/proc/{pid}/fdinfo/{fd}").read_text().split()[1]
                return int(pos) > past
        except (OSError, IndexError, ValueError):
            continue
    return False


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="watches the build through /proc")


@needs_proc
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_while_extracting_leaves_earlier_outputs_intact(tmp_path, jobs):
    out = tmp_path / "out"
    before = earlier_build(out, 50)
    corpus = write_jsonl(tmp_path / "new.jsonl", synthetic_rows(3000))
    proc = start_build(corpus, "--out", out, "--jobs", jobs, group=True)
    # past the first 64 KiB the reader peeks at: papers are being read and extracted
    wait_until(lambda: has_read(proc.pid, corpus, 100_000), proc)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr.decode()
    assert stderr.decode() == INTERRUPTED
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES), "temporary files left behind"


def writing(out: Path, name: str) -> bool:
    """Whether the temporary file of output ``name`` exists and has content."""
    return any(p.stat().st_size > 0 for p in out.glob(f".{name}.*.tmp"))


@needs_proc
@pytest.mark.parametrize("moment", ["creating temporary files", "writing graph.json"])
def test_ctrl_c_while_writing_leaves_earlier_outputs_intact(tmp_path, moment):
    out = tmp_path / "out"
    before = earlier_build(out, 3000)
    corpus = write_jsonl(tmp_path / "one.jsonl", synthetic_rows(1))
    proc = start_build(corpus, "--out", out, "--no-html")
    if moment == "creating temporary files":
        wait_until(lambda: any(p.suffix == ".tmp" for p in out.iterdir()), proc)
    else:  # papers.jsonl written, graph.json under way
        wait_until(lambda: writing(out, "graph.json"), proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr.decode()
    assert stderr.decode() == INTERRUPTED
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES), "temporary files left behind"


def test_build_with_two_jobs_is_byte_identical_to_one(tmp_path):
    rows = synthetic_rows(150)
    corpus = write_jsonl(tmp_path / "corpus.jsonl", rows + rows[:20])  # repeats merge the same way too
    results = {}
    for jobs in (1, 2):
        res = subprocess.run([sys.executable, "-m", "kg.cli", "build", corpus, "--out", tmp_path / f"j{jobs}",
                              "--jobs", str(jobs)], capture_output=True, timeout=900)
        assert res.returncode == 0, res.stderr.decode()
        results[jobs] = (res.stdout.replace(str(tmp_path / f"j{jobs}").encode(), b"OUT"), snapshot(tmp_path / f"j{jobs}"))
    assert results[1] == results[2]
    assert b"150 papers (150 new, 170 records read)" in results[1][0]


def test_extract_with_two_jobs_is_byte_identical_to_one(tmp_path):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", synthetic_rows(150))
    outs = []
    for jobs in (1, 2):
        res = subprocess.run([sys.executable, "-m", "kg.cli", "extract", corpus, "--jobs", str(jobs)],
                             capture_output=True, timeout=900)
        assert res.returncode == 0, res.stderr.decode()
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    assert len(outs[0].splitlines()) == 150
