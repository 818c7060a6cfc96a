"""Readers: every seed layout and every input format, from fixtures we wrote."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import detect_format, normalise_title, paper_id, read_papers

FIX = Path(__file__).parent / "fixtures" / "read"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TITLES = ["Tiny Adapters for Big Models", "Learning Depth from Stereo Video"]


def read(path, **kw):
    warnings: list[InputError] = []
    papers = list(read_papers([str(path)], on_warning=warnings.append, **kw))
    return papers, warnings


@pytest.mark.parametrize("name", ["blank_separated.txt", "one_per_line.txt", "with_metadata.txt"])
def test_listing_layouts_give_titles_and_abstracts(name):
    papers, warnings = read(FIX / name)
    assert [p.title for p in papers][:2] == TITLES
    assert papers[0].abstract.startswith("We propose TinyAdapter")
    assert papers[1].abstract.endswith("report RMSE on KITTI.")
    assert warnings == []
    # chrome never becomes a paper
    assert not any(p.title.lower().startswith(("get trending", "subscribe", "byak", "new")) for p in papers)


def test_title_glued_to_subscribe_is_split_off():
    papers, _ = read(FIX / "one_per_line.txt")
    assert len(papers) == 3
    assert papers[0].title == "Tiny Adapters for Big Models"
    assert papers[0].sources[0].line == 3


def test_metadata_lines_become_paper_properties():
    papers, _ = read(FIX / "with_metadata.txt")
    assert [(p.n_authors, p.published, p.upvotes) for p in papers] == [
        (5, "2023-06-01", None),
        (1, "Jun 9", None),
        (3, "2023-05-28", 17),
    ]
    # the date heading of the page is chrome, not a paper's date
    assert all(p.published != "Nov 7" for p in papers)


def test_source_line_is_the_title_line():
    papers, _ = read(FIX / "blank_separated.txt")
    text = (FIX / "blank_separated.txt").read_text().splitlines()
    for p in papers:
        assert text[p.sources[0].line - 1] == p.title


def test_title_without_abstract_is_kept_and_reported(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(
        "A Lonely Title\n\nTiny Adapters for Big Models\n\n"
        "We propose TinyAdapter, a small module inserted into every block of a frozen Transformer. "
        "It matches full fine-tuning on GLUE and on SuperGLUE, and it needs a tenth of the memory of "
        "full fine-tuning while training for the same number of steps on every task we tried.\n"
    )
    papers, warnings = read(page)
    assert [p.title for p in papers] == ["A Lonely Title", "Tiny Adapters for Big Models"]
    assert papers[0].abstract == ""
    assert len(warnings) == 1 and f"{page}:1:" in str(warnings[0]) and "no abstract" in str(warnings[0])


def test_jsonl_keeps_ids_order_and_metadata():
    papers, warnings = read(FIX / "papers.jsonl")
    assert [p.input_id for p in papers] == ["p-2", "p-1", None]
    assert papers[0].arxiv_id == "2301.01234" and papers[0].id == "arxiv:2301.01234"
    assert papers[0].authors == ["A. One", "B. Two"] and papers[0].n_authors == 2
    assert papers[2].id == "arxiv:2305.11111"
    assert papers[1].id.startswith("title:")
    assert warnings == []


def test_json_array_with_line_numbers():
    papers, _ = read(FIX / "papers.json")
    assert [p.title for p in papers] == TITLES
    assert [p.sources[0].line for p in papers] == [2, 4]
    assert papers[1].authors == ["A. One", "B. Two"]


def test_csv_with_header():
    papers, _ = read(FIX / "papers.csv")
    assert [p.title for p in papers] == TITLES
    assert papers[1].arxiv_id == "2301.01234"
    assert [p.sources[0].line for p in papers] == [2, 3]


def test_arxiv_atom():
    papers, _ = read(FIX / "arxiv.xml")
    assert [p.title for p in papers] == ["Learning Depth from Stereo Video", "Audio Tagging at Scale"]
    assert papers[0].abstract.startswith("Monocular depth estimation")
    assert "\n" not in papers[0].abstract
    assert papers[0].authors == ["A. One", "B. Two"]
    assert papers[0].published == "2023-01-03"
    assert papers[0].id == "arxiv:2301.01234"


def test_format_detected_from_content_not_name(tmp_path):
    disguised = tmp_path / "papers.txt"
    disguised.write_bytes((FIX / "papers.jsonl").read_bytes())
    papers, _ = read(disguised)
    assert [p.input_id for p in papers] == ["p-2", "p-1", None]
    assert detect_format((FIX / "arxiv.xml").read_text()) == "atom"
    assert detect_format((FIX / "papers.csv").read_text()) == "csv"
    assert detect_format((FIX / "papers.json").read_text()) == "json"
    assert detect_format((FIX / "with_metadata.txt").read_text()) == "listing"


def test_stdin_dash():
    data = (FIX / "papers.jsonl").read_bytes()
    papers = list(read_papers(["-"], stdin=io.BufferedReader(io.BytesIO(data))))
    assert len(papers) == 3 and papers[0].sources[0].file == "<stdin>"


def test_same_paper_in_two_layouts_has_one_id():
    a, _ = read(FIX / "blank_separated.txt")
    b, _ = read(FIX / "with_metadata.txt")
    assert a[0].id == b[0].id == paper_id("Tiny  adapters for big models!")
    assert normalise_title("Tiny Adapters, for Big Models") == "tiny adapters for big models"


def test_seeds_give_332_records_and_295_papers():
    seeds = sorted((SHARED / "seeds").glob("*.txt")) if SHARED.exists() else []
    if not seeds:
        pytest.skip(f"seed pages not found in {SHARED / 'seeds'} (../shared is absent)")
    warnings: list[InputError] = []
    papers = list(read_papers([str(s) for s in seeds], on_warning=warnings.append))
    assert len(papers) == 332
    assert len({p.id for p in papers}) == 295
    assert warnings == []
    assert all(p.abstract for p in papers)


def test_long_fields_are_cut_and_the_length_reported():
    from kg.errors import InputError
    from kg.models import Source
    from kg.read import CLEAN_AT_MOST, MAX_ABSTRACT_CHARS, make_paper

    def cut(abstract: str) -> tuple[int, list[str]]:
        said: list[InputError] = []
        paper = make_paper("A Title", abstract, source=Source(file="f", line=3), on_warning=said.append)
        return len(paper.abstract), [e.message for e in said]

    # under the cleaning cap: the clean text's length (runs of spaces collapse first)
    assert cut("word  " * 30_000) == (MAX_ABSTRACT_CHARS, ["abstract of 149,999 characters cut to 100,000"])
    # over it: cut before cleaning (a 200 MB abstract no longer costs gigabytes), the length as given
    huge = "<b>word</b> " * (CLEAN_AT_MOST * MAX_ABSTRACT_CHARS // 12 + 5)
    assert cut(huge) == (MAX_ABSTRACT_CHARS, ["HTML markup removed from the abstract",
                                              f"abstract of {len(huge):,} characters cut to 100,000"])
