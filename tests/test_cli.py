"""The command line: contract of kg extract / kg eval, exit codes and one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE

FIX = Path(__file__).parent / "fixtures" / "read"


def kg(*args, stdin: bytes | None = None, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], input=stdin,
                          capture_output=True, cwd=cwd, timeout=600)


def test_extract_copies_ids_and_keeps_input_order():
    res = kg("extract", FIX / "papers.jsonl")
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert [r["id"] for r in records] == ["p-2", "p-1", "arxiv:2305.11111"]
    assert [r["title"] for r in records][0] == "Learning Depth from Stereo Video"
    for r in records:
        assert set(r) >= {"id", "title", "entities", "links", "results"}
        for e in r["entities"]:
            assert e["type"] in {"Method", "Dataset", "Metric", "Task"}
            assert e["role"] in {"proposed", "used", "introduced", "evaluated", "measured", "addressed"}
            for m in e["mentions"]:
                assert {"field", "start", "end", "text", "rule"} <= set(m)


def test_extract_offsets_point_at_the_mention_text():
    res = kg("extract", EXAMPLE)
    assert res.returncode == 0, res.stderr
    from kg.read import read_papers

    papers = list(read_papers([str(EXAMPLE)]))
    records = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert len(records) == len(papers) == 8
    checked = 0
    for paper, rec in zip(papers, records):
        for e in rec["entities"]:
            for m in e["mentions"]:
                text = paper.title if m["field"] == "title" else paper.abstract
                assert text[m["start"]:m["end"]] == m["text"]
                checked += 1
    assert checked > 30


def test_extract_to_file_and_from_stdin(tmp_path):
    out = tmp_path / "records.jsonl"
    res = kg("extract", "-", "-o", out, stdin=(FIX / "papers.jsonl").read_bytes())
    assert res.returncode == 0, res.stderr
    assert res.stdout == b""
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["p-2", "p-1", "arxiv:2305.11111"]


def test_build_prints_a_summary_per_label(tmp_path):
    res = kg("build", EXAMPLE, "--out", tmp_path / "out")
    assert res.returncode == 0, res.stderr
    text = res.stdout.decode()
    assert "8 papers" in text
    for label in ("Paper 8", "Method", "Dataset", "Metric", "Task", "Repository"):
        assert label in text


def test_usage_error_is_one_line_and_exit_1():
    res = kg("build", EXAMPLE)  # --out missing
    assert res.returncode == 1
    assert len(res.stderr.decode().strip().splitlines()) == 1
    assert "--out" in res.stderr.decode()


def test_missing_file_names_it_and_exits_1(tmp_path):
    res = kg("build", tmp_path / "nope.txt", "--out", tmp_path / "out")
    assert res.returncode == 1
    err = res.stderr.decode()
    assert "nope.txt: no such file" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_eval_prints_the_same_figures_as_the_reference_scorer(shared_dir, tmp_path):
    gold = shared_dir / "eval" / "dev_gold.jsonl"
    pred = tmp_path / "pred.jsonl"
    ours = kg("eval", gold, "--pred", pred)
    assert ours.returncode == 0, ours.stderr
    ref = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), str(gold), str(pred)],
                         capture_output=True, text=True, check=True)
    assert ours.stdout.decode() == ref.stdout
    assert "Dataset" in ref.stdout and "macro-F1" in ref.stdout


@pytest.mark.parametrize("line, problem", [
    ('{"id": "a", "title": "t", "abstract": "x", "dataset": 5}', "dataset: Input should be a valid list"),
    ('{"id": "a", "title": "t", "abstract": "x", "task": [5]}',
     "task.0: Input should be a valid dictionary or instance of GoldEntity"),
    ('{"id": "a", "title": "t", "abstract": "x", "metric": [{"name": "F1", "aliases": "F-1"}]}',
     "metric.0.aliases: Input should be a valid list"),
    ('{"id": 7, "title": "t", "abstract": "x"}', "id: Input should be a valid string"),
    ('{"id": "a", "title": "t", "abstract": ["x"]}', "abstract: Input should be a valid string"),
])
def test_eval_names_the_field_of_a_malformed_gold_record(tmp_path, line, problem):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "ok", "title": "Fine", "abstract": "We use BERT.", "method_named": [{"name": "BERT"}]}\n'
                    + line + "\n")
    res = kg("eval", gold)
    assert res.returncode == 1
    assert res.stderr.decode() == f"kg: error: {gold}:2: not a gold record ({problem})\n"
