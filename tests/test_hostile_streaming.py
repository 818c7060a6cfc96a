"""Streaming: reading a big input holds one record at a time, whatever its format."""
from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

from kg.read import read_papers

N = 8000
ABSTRACT = "We propose StreamNet, a model evaluated on GLUE that reaches 88.1 accuracy. " * 12


def rows():
    # no ids: ids are remembered (to report duplicates), which is memory per paper, not per byte read
    for i in range(N):
        yield {"title": f"Streaming Paper {i}", "abstract": ABSTRACT}


def write(path: Path, fmt: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if fmt == "jsonl":
            for r in rows():
                fh.write(json.dumps(r) + "\n")
        elif fmt == "json":
            fh.write("[\n" + ",\n".join(json.dumps(r, indent=1) for r in rows()) + "\n]\n")
        elif fmt == "csv":
            w = csv.DictWriter(fh, fieldnames=["title", "abstract"])
            w.writeheader()
            w.writerows(rows())
        else:  # listing page
            for r in rows():
                fh.write(f"{r['title']}\n\n{r['abstract']}\n\n")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "listing"])
def test_reading_holds_one_record_not_the_file(tmp_path, fmt):
    path = write(tmp_path / f"big.{fmt}", fmt)
    size = path.stat().st_size
    assert size > 7_000_000
    tracemalloc.start()
    try:
        count = 0
        last = None
        for paper in read_papers([str(path)]):
            count += 1
            last = paper.title
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == N and last == f"Streaming Paper {N - 1}"
    # a reader that loads the file would peak above its size; one record at a time stays far below
    assert peak < size / 10, f"peak {peak:,} bytes while reading a {size:,}-byte {fmt} file"
