"""Hostile input through the real command line: exact messages, exit codes, nothing half-written.

Every fixture is written here, into ``tmp_path``: binary, UTF-16, Latin-1 and
5 MB files are generated, never committed. Each case runs ``python -m kg.cli``
in a child process and asserts the whole of stderr, so a message that changes
or a traceback that appears fails the test.
"""
from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.pipeline import OUTPUT_FILES

GOOD = {"title": "Sparse Routers for Tiny Transformers",
        "abstract": "We propose SparseRouter, a routing layer for small Transformer models. "
                    "SparseRouter improves accuracy on GLUE over BERT."}
OTHER = {"title": "Depth from Rolling Shutter Video",
         "abstract": "We estimate depth from rolling shutter video and evaluate on KITTI with RMSE."}


def kg(*args, stdin: bytes | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], input=stdin, capture_output=True,
                          timeout=timeout)


def err(res: subprocess.CompletedProcess) -> str:
    return res.stderr.decode("utf-8")


def records(res: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in res.stdout.decode("utf-8").splitlines()]


def jsonl(path: Path, *rows: dict, encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode(encoding))
    return path


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES if (out / name).exists()}


# --------------------------------------------------------------------------- files nothing can be read from


def test_empty_file_is_an_error_naming_it(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = kg("build", empty, "--out", tmp_path / "out")
    assert res.returncode == 1
    assert err(res) == f"kg: warning: {empty}: empty file\nkg: error: no papers read; {empty}: empty file\n"
    assert not (tmp_path / "out").exists()


def test_blank_file_counts_as_empty(tmp_path):
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n  \r\n\t\n")
    res = kg("extract", blank)
    assert res.returncode == 1
    assert err(res) == f"kg: warning: {blank}: empty file\nkg: error: no papers read\n"
    assert res.stdout == b""


def test_binary_file_is_an_error(tmp_path):
    png = tmp_path / "figure.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    res = kg("build", png, "--out", tmp_path / "out")
    assert res.returncode == 1
    msg = f"{png}: binary file (NUL bytes), not a paper listing"
    assert err(res) == f"kg: warning: {msg}\nkg: error: no papers read; {msg}\n"
    assert not (tmp_path / "out").exists()


def test_binary_without_nul_bytes_is_an_error(tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 14, 15, 16, 65, 66]) * 300)
    res = kg("extract", blob)
    assert res.returncode == 1
    assert err(res) == f"kg: warning: {blob}: binary file (control bytes), not a paper listing\n" \
                       f"kg: error: no papers read\n"


def test_directory_instead_of_a_file(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    res = kg("build", folder, "--out", tmp_path / "out")
    assert res.returncode == 1
    msg = f"{folder}: is a directory, not a file"
    assert err(res) == f"kg: warning: {msg}\nkg: error: no papers read; {msg}\n"


def test_binary_on_stdin(tmp_path):
    res = kg("extract", "-", stdin=b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(200))
    assert res.returncode == 1
    assert err(res) == "kg: warning: <stdin>: binary file (NUL bytes), not a paper listing\n" \
                       "kg: error: no papers read\n"


def test_only_malformed_lines_is_an_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "Cut off", "abstract": "We pro\n{oops}\n')
    res = kg("build", bad, "--out", tmp_path / "out")
    assert res.returncode == 1
    assert err(res) == (
        f"kg: warning: {bad}:1: malformed JSON line (Unterminated string starting at column 34); skipped\n"
        f"kg: warning: {bad}:2: malformed JSON line (Expecting property name enclosed in double quotes at column 2);"
        f" skipped\n"
        f"kg: warning: {bad}: no papers found (jsonl format)\n"
        f"kg: error: no papers read; {bad}: no papers found (jsonl format)\n"
    )


# --------------------------------------------------------------------------- bad parts, good rest


def test_bad_files_beside_a_good_one_are_reported_and_the_good_one_built(tmp_path):
    good = jsonl(tmp_path / "good.jsonl", GOOD)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "x.bin"
    binary.write_bytes(bytes(100))
    folder = tmp_path / "dir"
    folder.mkdir()
    out = tmp_path / "out"
    res = kg("build", empty, binary, good, folder, tmp_path / "missing.txt", "--out", out)
    assert res.returncode == 0, err(res)
    assert err(res) == (
        f"kg: warning: {empty}: empty file\n"
        f"kg: warning: {binary}: binary file (NUL bytes), not a paper listing\n"
        f"kg: warning: {folder}: is a directory, not a file\n"
        f"kg: warning: {tmp_path / 'missing.txt'}: no such file\n"
    )
    assert res.stdout.decode().startswith(f"1 papers (1 new, 1 records read) -> {out}\n")
    assert set(outputs(out)) == set(OUTPUT_FILES)


def test_malformed_json_lines_are_skipped_and_the_rest_extracted(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps(GOOD), '{"title": "Broken", "abstract": "no closing quote}', "[1, 2, 3]", "",
             '"just a string"', "{" * 5000, json.dumps(OTHER)]
    path.write_text("\n".join(lines) + "\n")
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == [GOOD["title"], OTHER["title"]]
    assert err(res) == (
        f"kg: warning: {path}:2: malformed JSON line (Unterminated string starting at column 33); skipped\n"
        f"kg: warning: {path}:3: expected a JSON object with title and abstract; skipped\n"
        f"kg: warning: {path}:5: expected a JSON object with title and abstract; skipped\n"
        f"kg: warning: {path}:6: malformed JSON line (Expecting property name enclosed in double quotes at column 2);"
        f" skipped\n"
    )


def test_deeply_nested_json_line_is_skipped(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "\n")
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert len(records(res)) == 1
    assert err(res) == f"kg: warning: {path}:2: malformed JSON line (nested too deeply); skipped\n"


def test_malformed_json_array_keeps_the_elements_before_the_error(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text("[\n" + json.dumps(GOOD) + ",\n" + json.dumps(OTHER) + ",\n" + '{"title": oops}\n]\n')
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == [GOOD["title"], OTHER["title"]]
    assert err(res) == f"kg: warning: {path}:4: malformed JSON (Expecting value); rest of the file skipped\n"


def test_missing_abstracts_and_titles(tmp_path):
    path = jsonl(tmp_path / "gaps.jsonl", {"title": "Only a Title Here"}, {"abstract": "An abstract without title."},
                 {"title": "   ", "abstract": "Blank title."}, {"title": "Null Abstract", "abstract": None}, GOOD)
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == ["Only a Title Here", "Null Abstract", GOOD["title"]]
    assert err(res) == (
        f"kg: warning: {path}:1: paper 'Only a Title Here' has no abstract; kept with its title only\n"
        f"kg: warning: {path}:2: record has no title; skipped\n"
        f"kg: warning: {path}:3: record has no title; skipped\n"
        f"kg: warning: {path}:4: paper 'Null Abstract' has no abstract; kept with its title only\n"
    )


def test_abstract_that_is_not_text(tmp_path):
    path = jsonl(tmp_path / "abstracts.jsonl", {"title": "Numeric Abstract", "abstract": 5.5},
                 {"title": OTHER["title"], "abstract": OTHER["abstract"].split(". ")})
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == ["Numeric Abstract", OTHER["title"]]
    assert "KITTI" in {e["name"] for e in records(res)[1]["entities"]}  # paragraphs joined, then read
    assert err(res) == (f"kg: warning: {path}:1: abstract must be a string, not float; ignored\n"
                        f"kg: warning: {path}:1: paper 'Numeric Abstract' has no abstract; kept with its title only\n")


def test_authors_of_the_wrong_type_are_reported_and_the_paper_kept(tmp_path):
    path = jsonl(tmp_path / "authors.jsonl", {**GOOD, "authors": 5}, {**OTHER, "authors": {"name": "Ada Lovelace"}})
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == [GOOD["title"], OTHER["title"]]
    assert err(res) == f"kg: warning: {path}:1: authors must be a list or a string, not int; ignored\n"


@pytest.mark.parametrize("line_end", ["\r", "\r\n"])
def test_csv_with_old_mac_or_windows_line_ends(tmp_path, line_end):
    path = tmp_path / "papers.csv"
    rows = ["title,abstract", f'"{GOOD["title"]}","{GOOD["abstract"]}"', f'"{OTHER["title"]}","{OTHER["abstract"]}"']
    path.write_bytes((line_end.join(rows) + line_end).encode())
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == [GOOD["title"], OTHER["title"]]
    assert err(res) == ""


def test_listing_with_a_lone_carriage_return_in_its_first_line(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(b"Notes, today\rnew\n\n" + GOOD["title"].encode() + b"\n\n" + GOOD["abstract"].encode() + b"\n")
    res = kg("extract", page)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == ["Notes, today", GOOD["title"]]
    assert err(res) == f"kg: warning: {page}:1: paper 'Notes, today' has no abstract; kept with its title only\n"


def test_listing_page_title_without_abstract(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("A Title Standing Alone\n\n" + GOOD["title"] + "\n\n" + GOOD["abstract"] + "\n")
    res = kg("extract", page)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == ["A Title Standing Alone", GOOD["title"]]
    assert err(res) == f"kg: warning: {page}:1: paper 'A Title Standing Alone' has no abstract; " \
                       f"kept with its title only\n"


# --------------------------------------------------------------------------- encodings


def test_latin1_file_is_read_with_a_warning_naming_the_first_bad_line(tmp_path):
    path = jsonl(tmp_path / "latin1.jsonl", GOOD, {"title": "Café Networks for Naïve Users",
                                                    "abstract": "We propose CaféNet, évaluée on GLUE."},
                 encoding="latin-1")
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == [GOOD["title"], "Café Networks for Naïve Users"]
    assert err(res) == f"kg: warning: {path}:2: not valid UTF-8; read as Latin-1\n"


def test_windows_1252_quotes_survive(tmp_path):
    path = tmp_path / "win.jsonl"
    row = {"title": "“Quoted” Models — a Survey", "abstract": "We survey “quoted” models on GLUE."}
    path.write_bytes((json.dumps(row, ensure_ascii=False) + "\n").encode("cp1252"))
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert records(res)[0]["title"] == row["title"]
    assert err(res) == f"kg: warning: {path}:1: not valid UTF-8; read as Windows-1252\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_utf16_and_utf8_with_bom_are_read_silently(tmp_path, encoding):
    path = tmp_path / f"{encoding}.jsonl"
    data = (json.dumps(GOOD, ensure_ascii=False) + "\n" + json.dumps({**OTHER, "title": "Ünïcode Depth"},
                                                                    ensure_ascii=False) + "\n").encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == [GOOD["title"], "Ünïcode Depth"]
    assert err(res) == ""


def test_utf16_without_bom_is_read_with_a_warning(tmp_path):
    path = tmp_path / "nobom.jsonl"
    path.write_bytes((json.dumps(GOOD) + "\n").encode("utf-16-le"))
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert records(res)[0]["title"] == GOOD["title"]
    assert err(res) == f"kg: warning: {path}:1: no byte-order mark; read as UTF-16-LE\n"


# --------------------------------------------------------------------------- hostile content


@pytest.mark.slow
def test_five_megabyte_abstract_is_cut_and_the_next_paper_still_read(tmp_path):
    sentence = "We propose HostileNet, a model trained on ImageNet that reaches 91.2% top-1 accuracy. "
    huge = (sentence * (5_000_000 // len(sentence) + 1))[:5_000_000]
    path = jsonl(tmp_path / "huge.jsonl", {"title": "An Enormous Abstract", "abstract": huge}, GOOD)
    assert path.stat().st_size > 5_000_000
    out = tmp_path / "out"
    res = kg("build", path, "--out", out, "--no-html")
    assert res.returncode == 0, err(res)
    assert err(res) == f"kg: warning: {path}:1: abstract of 5,000,000 characters cut to 100,000\n"
    papers = [json.loads(x)["paper"] for x in (out / "papers.jsonl").read_text().splitlines()]
    assert [len(p["abstract"]) for p in papers] == [100_000, len(GOOD["abstract"])]


@pytest.mark.slow
def test_five_megabyte_csv_cell(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text("title,abstract\nHuge Cell," + "word " * 1_000_000 + "\n" + f'"{GOOD["title"]}","{GOOD["abstract"]}"\n')
    res = kg("extract", path)
    assert res.returncode == 0, err(res)
    assert [r["title"] for r in records(res)] == ["Huge Cell", GOOD["title"]]
    assert err(res) == f"kg: warning: {path}:2: abstract of 5,000,000 characters cut to 100,000\n"


def test_duplicate_ids_keep_the_first_and_name_both_places(tmp_path):
    a = jsonl(tmp_path / "a.jsonl", {"id": "p-1", **GOOD}, {"id": "2301.00001", **OTHER})
    b = jsonl(tmp_path / "b.jsonl", {"id": "p-1", "title": "A Different Paper", "abstract": "Same id."},
              {"id": "p-1", **GOOD},
              {"id": "2301.00001v2", "title": "Another Title", "abstract": "Same arXiv id."})
    res = kg("extract", a, b)
    assert res.returncode == 0, err(res)
    # a true repeat (same id, same title) is the same paper read twice, not a conflict
    assert [(r["id"], r["title"]) for r in records(res)] == [("p-1", GOOD["title"]), ("2301.00001", OTHER["title"]),
                                                              ("p-1", GOOD["title"])]
    assert err(res) == (
        f"kg: warning: {b}:1: duplicate id 'p-1' (first used at {a}:1 by another title); skipped\n"
        f"kg: warning: {b}:3: duplicate id '2301.00001' (first used at {a}:2 by another title); skipped\n"
    )
    out = tmp_path / "out"
    res = kg("build", a, b, "--out", out, "--no-html")
    assert res.returncode == 0, err(res)
    assert res.stdout.decode().startswith(f"2 papers (2 new, 3 records read) -> {out}\n")


def test_markup_in_titles_is_removed_and_never_reaches_the_page(tmp_path):
    hostile = {"title": '<script>alert("t")</script><b>Bold</b> Nets &amp; <i>Italic</i> H<sub>2</sub>O '
                        '<img src=x onerror=alert(1)>',
               "abstract": "We propose BoldNet <iframe src=//evil.example></iframe>for <mask> tokens, p<0.05."}
    path = jsonl(tmp_path / "markup.jsonl", hostile, GOOD)
    out = tmp_path / "out"
    res = kg("build", path, "--out", out)
    assert res.returncode == 0, err(res)
    assert err(res) == f"kg: warning: {path}:1: HTML markup removed from the title and abstract\n"
    paper = json.loads((out / "papers.jsonl").read_text().splitlines()[0])["paper"]
    assert paper["title"] == "Bold Nets & Italic H2O"
    assert paper["abstract"] == "We propose BoldNet for <mask> tokens, p<0.05."
    page = (out / "graph.html").read_text()
    for raw in ("<script>alert", "onerror=alert", "<iframe", "<mask>"):
        assert raw not in page


def test_control_characters_and_lone_surrogates_do_not_break_outputs(tmp_path):
    path = tmp_path / "ctrl.jsonl"
    path.write_text('{"title": "Bell\\u0007 and NUL\\u0000 Nets\\ud800", "abstract": "We use BERT\\u001b[31m."}\n'
                    + json.dumps(GOOD) + "\n"
                    + '{"id": "odd\\udc00", "title": "Odd Metadata", "abstract": "We use BERT.", "url": "https://x.org/\\u0000a",'
                    ' "published": "2023\\u0007-01-02", "authors": ["Ada\\ud800", "\\u0000"]}\n')
    out = tmp_path / "out"
    res = kg("build", path, "--out", out)
    assert res.returncode == 0, err(res)
    assert err(res) == ""
    import kg as kg_api

    graph = kg_api.load_graph(out / "graph.graphml")
    titles = sorted(d["title"] for _, d in graph.nodes(data=True) if d["label"] == "Paper")
    assert titles == ["Bell and NUL Nets\ufffd", "Odd Metadata", GOOD["title"]]
    odd = next(d for _, d in graph.nodes(data=True) if d.get("title") == "Odd Metadata")
    assert (odd["url"], odd["published"], odd["authors"]) == ("https://x.org/a", "2023-01-02", ["Ada\ufffd"])


# --------------------------------------------------------------------------- outputs


def test_output_path_that_is_a_file(tmp_path):
    good = jsonl(tmp_path / "good.jsonl", GOOD)
    target = tmp_path / "taken"
    target.write_text("not a directory")
    res = kg("build", good, "--out", target)
    assert res.returncode == 1
    assert err(res) == f"kg: error: {target}: output path exists and is not a directory\n"
    assert target.read_text() == "not a directory"


def test_unreadable_earlier_build_is_an_error_and_left_alone(tmp_path):
    good = jsonl(tmp_path / "good.jsonl", GOOD)
    out = tmp_path / "out"
    out.mkdir()
    (out / "papers.jsonl").write_text("this is not a record\n")
    res = kg("build", good, "--out", out)
    assert res.returncode == 1
    assert err(res).startswith(f"kg: error: {out / 'papers.jsonl'}:1: earlier build output is not readable (")
    assert err(res).endswith("); remove it or use another --out\n") and err(res).count("\n") == 1
    assert (out / "papers.jsonl").read_text() == "this is not a record\n"
    assert sorted(p.name for p in out.iterdir()) == ["papers.jsonl"]


def test_only_bad_input_leaves_an_earlier_build_untouched(tmp_path):
    good = jsonl(tmp_path / "good.jsonl", GOOD)
    out = tmp_path / "out"
    assert kg("build", good, "--out", out).returncode == 0
    before = outputs(out)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = kg("build", empty, "--out", out)
    assert res.returncode == 1
    assert err(res) == f"kg: warning: {empty}: empty file\nkg: error: no papers read; {empty}: empty file\n"
    assert outputs(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_output_under_a_file_fails_before_any_work_and_leaves_nothing(tmp_path):
    good = jsonl(tmp_path / "good.jsonl", GOOD)
    blocker = tmp_path / "plain.txt"
    blocker.write_text("a file, not a directory")
    res = kg("build", good, "--out", blocker / "out")
    assert res.returncode == 1
    assert err(res) == f"kg: error: cannot write {blocker / 'out'}: {blocker} is not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.jsonl", "plain.txt"]


def test_extract_to_an_unwritable_place_is_one_line(tmp_path):
    good = jsonl(tmp_path / "good.jsonl", GOOD)
    blocker = tmp_path / "plain.txt"
    blocker.write_text("a file, not a directory")
    res = kg("extract", good, "-o", blocker / "records.jsonl")
    assert res.returncode == 1
    assert err(res).startswith(f"kg: error: cannot write {blocker / 'records.jsonl'}: ") and err(res).count("\n") == 1
    assert blocker.read_text() == "a file, not a directory"
