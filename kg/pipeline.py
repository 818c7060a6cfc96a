"""The main job: read -> extract -> graph -> export, merging into an existing build.

``papers.jsonl`` in the output directory is the build's memory: papers already
there are not extracted again (a repeat only adds to their ``sources``), so
re-running with the same inputs changes nothing and adding inputs merges.
"""
from __future__ import annotations

import signal
import sys
import threading
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import networkx as nx

from .errors import InputError
from .graph import to_networkx, write_graph_json, write_graphml
from .io import check_writable, staged
from .models import NODE_LABELS, Paper, PaperRecord, Source
from .read import read_papers

OUTPUT_FILES = ("graph.json", "graph.graphml", "graph.html", "graph.cypher", "papers.jsonl")

Warn = Callable[[InputError], None]


@dataclass
class BuildSummary:
    """What a build did: counts to print and to test."""

    out_dir: Path
    papers: int
    new_papers: int
    records_read: int
    nodes: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"{self.papers} papers ({self.new_papers} new, {self.records_read} records read) -> {self.out_dir}",
            "nodes: " + ", ".join(f"{label} {self.nodes.get(label, 0)}" for label in NODE_LABELS),
            "edges: " + ", ".join(f"{rel} {n}" for rel, n in sorted(self.edges.items())),
        ]
        return out


class RecordStore:
    """Paper records by paper id, in insertion order, held as compressed JSON.

    A build keeps every record until it writes ``papers.jsonl``; as pydantic
    objects they take about 25 KB a paper, as zlib-compressed JSON about 2 KB,
    so memory is dominated by the graph itself. Reading a record back decodes
    it; change it and store it again to keep the change.

    Examples
    --------
    >>> from kg.models import Paper, PaperRecord
    >>> store = RecordStore()
    >>> store["p1"] = PaperRecord(id="p1", title="T", paper=Paper(id="p1", title="T"))
    >>> "p1" in store, len(store), store["p1"].title
    (True, 1, 'T')
    """

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, paper_id: str) -> PaperRecord:
        return PaperRecord.model_validate_json(zlib.decompress(self._data[paper_id]))

    def __setitem__(self, paper_id: str, record: PaperRecord) -> None:
        self.put_json(paper_id, record.model_dump_json())

    def put_json(self, paper_id: str, text: str) -> None:
        self._data[paper_id] = zlib.compress(text.encode("utf-8"), 1)

    def json_lines(self) -> Iterator[str]:
        """Each record as the line ``papers.jsonl`` holds (no newline)."""
        for blob in self._data.values():
            yield zlib.decompress(blob).decode("utf-8")

    def values(self) -> Iterator[PaperRecord]:
        for blob in self._data.values():
            yield PaperRecord.model_validate_json(zlib.decompress(blob))


def load_records(path: Path) -> RecordStore:
    """The records of an earlier build (``papers.jsonl``), by paper id, in file order."""
    records = RecordStore()
    if not path.exists():
        return records
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = PaperRecord.model_validate_json(line)
            except ValueError as exc:
                first = str(exc).splitlines()[0]
                raise InputError(f"earlier build output is not readable ({first}); remove it or use another --out", str(path), lineno) from None
            records.put_json(rec.paper.id, rec.model_dump_json())
    return records


def _merge_sources(paper: Paper, sources: Iterable[Source]) -> None:
    known = {(s.file, s.line) for s in paper.sources}
    for s in sources:
        if (s.file, s.line) not in known:
            paper.sources.append(s)
            known.add((s.file, s.line))


def _fill_missing(paper: Paper, other: Paper) -> None:
    """Metadata one listing has and another lacks (a date, an author count) is kept."""
    for name in ("url", "arxiv_id", "published", "n_authors", "upvotes", "input_id"):
        if getattr(paper, name) in (None, "") and getattr(other, name) not in (None, ""):
            setattr(paper, name, getattr(other, name))
    if not paper.authors and other.authors:
        paper.authors = list(other.authors)
    if not paper.abstract and other.abstract:
        paper.abstract = other.abstract


def extract_new(
    papers: Iterable[Paper], known: "RecordStore | dict[str, PaperRecord]", *, jobs: int = 1, batch_size: int = 256
) -> Iterator[PaperRecord]:
    """Extract the papers not in ``known``; repeats only extend ``sources``.

    Repeats of a paper still being extracted are merged into its record when it
    comes out, so output stays in input order of first appearance.
    """
    later: dict[str, list[Paper]] = {}
    queue: deque[Paper] = deque()

    def fresh() -> Iterator[Paper]:
        for paper in papers:
            if paper.id in known:
                rec = known[paper.id]
                _merge_sources(rec.paper, paper.sources)
                _fill_missing(rec.paper, paper)
                known[paper.id] = rec  # a RecordStore keeps copies: store the change
            elif paper.id in later:
                later[paper.id].append(paper)
            else:
                later[paper.id] = []
                queue.append(paper)
                yield paper

    from .extract import extract

    for record in extract(fresh(), batch_size=batch_size, n_process=jobs):
        paper = queue.popleft()
        for repeat in later.pop(paper.id, []):
            _merge_sources(paper, repeat.sources)
            _fill_missing(paper, repeat)
        # the record was validated by the extractor: construct, do not validate it a second time
        rec = PaperRecord.model_construct(**dict(record), paper=paper)
        known[paper.id] = rec
        yield rec


def _progress(iterable: Iterable, enabled: bool, desc: str) -> Iterable:
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, unit=" papers", file=sys.stderr, leave=False)


def build(
    inputs: Iterable[str],
    out_dir: "str | Path",
    *,
    on_warning: Optional[Warn] = None,
    progress: bool = False,
    jobs: int = 1,
    html: bool = True,
) -> BuildSummary:
    """Build (or extend) the graph in ``out_dir`` from ``inputs``.

    Writes ``graph.json``, ``graph.graphml``, ``graph.html``, ``graph.cypher``
    and ``papers.jsonl`` atomically; an interrupted build leaves the previous
    outputs as they were. Raises :class:`InputError` when no paper at all could
    be read.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a directory", str(out))
    check_writable(out)
    last_warning: list[InputError] = []  # only the last: a broken input may hold millions of bad lines

    def warn(exc: InputError) -> None:
        last_warning[:] = [exc]
        if on_warning is not None:
            on_warning(exc)

    records = load_records(out / "papers.jsonl")
    before = len(records)
    read_count = Counter()

    def counted(papers: Iterable[Paper]) -> Iterator[Paper]:
        for paper in papers:
            read_count["n"] += 1
            yield paper

    stream = counted(read_papers(inputs, on_warning=warn))
    for _ in _progress(extract_new(stream, records, jobs=jobs), progress, "extracting"):
        pass
    if read_count["n"] == 0:  # nothing usable: exit 1, and an earlier build stays as it was
        raise InputError(f"no papers read; {last_warning[0]}" if last_warning else "no papers read")
    graph = to_networkx(records.values())
    write_outputs(graph, records.json_lines(), out, html=html)
    return summarise(graph, out, new=len(records) - before, read=read_count["n"])


def summarise(graph: nx.MultiDiGraph, out: Path, *, new: int, read: int) -> BuildSummary:
    nodes = Counter(d.get("label") for _, d in graph.nodes(data=True))
    edges = Counter(k for _, _, k in graph.edges(keys=True))
    return BuildSummary(
        out_dir=out, papers=nodes.get("Paper", 0), new_papers=new, records_read=read, nodes=dict(nodes), edges=dict(edges)
    )


def write_outputs(graph: nx.MultiDiGraph, records: "Iterable[PaperRecord | str]", out: Path, *,
                  html: bool = True) -> None:
    """Write every output file of a build, all or none; ``records`` as models or as their JSON text."""
    from .export.cypher_script import write_cypher_script
    from .export.html import render_html

    names = [n for n in OUTPUT_FILES if html or n != "graph.html"]
    with _SigintGate() as gate:
        gate.hold()
        with staged([out / n for n in names]) as temps:
            gate.release()  # a Ctrl-C while the temporary files were made is raised here, where they get removed
            tmp = dict(zip(names, temps))
            with open(tmp["papers.jsonl"], "w", encoding="utf-8", newline="\n") as fh:
                for rec in records:
                    fh.write((rec if isinstance(rec, str) else rec.model_dump_json()) + "\n")
            with open(tmp["graph.json"], "w", encoding="utf-8", newline="\n") as fh:
                write_graph_json(graph, fh)
            write_graphml(graph, tmp["graph.graphml"])
            with open(tmp["graph.cypher"], "w", encoding="utf-8", newline="\n") as fh:
                write_cypher_script(graph, fh)
            if html:
                render_html(graph, tmp["graph.html"])
            gate.hold()  # until the last rename: the outputs change all together or not at all


class _SigintGate:
    """Holds Ctrl-C between :meth:`hold` and :meth:`release` (or the end of the ``with`` block).

    A SIGINT that arrives meanwhile is raised as :class:`KeyboardInterrupt`
    by :meth:`release`, at a point where the caller can clean up; one that
    arrives after the final hold, while the outputs are renamed, is dropped,
    because the build then completes. Creating
    or renaming a set of files is not atomic as a whole; holding Ctrl-C over
    those few system calls means a build leaves all old or all new outputs.
    Outside the main thread signals cannot be handled, and nothing is held.
    """

    def __init__(self) -> None:
        self._previous = None
        self._caught = False

    def _handler(self, signum, frame) -> None:
        self._caught = True

    def hold(self) -> None:
        if self._previous is None and threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)

    def _restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def release(self) -> None:
        self._restore()
        if self._caught:
            self._caught = False
            raise KeyboardInterrupt

    def __enter__(self) -> "_SigintGate":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        # on success every output is already renamed into place: the build is complete,
        # so a Ctrl-C held over the renames came too late to stop it and is not raised
        self._restore()
        self._caught = False
