"""Read paper listings into :class:`~kg.models.Paper` records, lazily.

Formats are detected from content: Hugging Face listing pages saved as text
(four layouts), JSON Lines, a JSON array, CSV with title/abstract columns and
arXiv API Atom XML. ``-`` reads standard input. Problems that leave the rest of
a file usable are reported through ``on_warning`` as :class:`InputError`
(naming file and line) and reading goes on; a file with nothing usable raises.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Optional
from xml.etree import ElementTree

from .errors import InputError
from .models import Paper, Source

#: abstracts longer than this are cut (with a warning): spaCy and the page stay usable
MAX_ABSTRACT_CHARS = 100_000
MAX_TITLE_CHARS = 1_000
SNIFF_BYTES = 64 * 1024

Warn = Callable[[InputError], None]

_ARXIV_RE = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\w.])")
_ARXIV_OLD_RE = re.compile(r"\b([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_MONTH_NUM = {m: i + 1 for i, m in enumerate(_MONTHS.split("|"))}
_DATE_RE = re.compile(rf"^({_MONTHS})[a-z]* (\d{{1,2}})(?:, (\d{{4}}))?(?: (\d+))?$")
_AUTHORS_RE = re.compile(r"^[•·\-*]\s*(\d+)\s+authors?$")
_CHROME_EXACT = {"new", "subscribe", "daily papers", "byak and the research community", "·", "•"}
_CHROME_PREFIX = ("get trending papers",)


def _ignore(_: InputError) -> None:
    pass


def normalise_title(title: str) -> str:
    """Lower-case, NFKC, letters and digits only, single spaces: the title's identity."""
    text = unicodedata.normalize("NFKC", title).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def find_arxiv_id(*texts: Optional[str]) -> Optional[str]:
    """The first arXiv identifier (version stripped) found in ``texts``."""
    for text in texts:
        if not text:
            continue
        m = _ARXIV_RE.search(text) or _ARXIV_OLD_RE.search(text)
        if m:
            return m.group(1)
    return None


def paper_id(title: str, arxiv_id: Optional[str] = None) -> str:
    """arXiv id when known, else a stable hash of the normalised title."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    digest = hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:16]
    return f"title:{digest}"


def make_paper(
    title: str,
    abstract: str = "",
    *,
    source: Source,
    on_warning: Warn = _ignore,
    input_id: Optional[str] = None,
    url: Optional[str] = None,
    arxiv_id: Optional[str] = None,
    published: Optional[str] = None,
    authors: Optional[list[str]] = None,
    n_authors: Optional[int] = None,
    upvotes: Optional[int] = None,
) -> Optional[Paper]:
    """Clean one record's fields and build its Paper; ``None`` when it has no title."""
    title = " ".join((title or "").split())
    abstract = " ".join((abstract or "").split())
    if not title:
        on_warning(InputError("record has no title; skipped", source.file, source.line))
        return None
    if len(title) > MAX_TITLE_CHARS:
        on_warning(InputError(f"title of {len(title)} characters cut to {MAX_TITLE_CHARS}", source.file, source.line))
        title = title[:MAX_TITLE_CHARS]
    if not abstract:
        on_warning(InputError(f"paper {title[:60]!r} has no abstract; kept with its title only", source.file, source.line))
    if len(abstract) > MAX_ABSTRACT_CHARS:
        on_warning(
            InputError(
                f"abstract of {len(abstract):,} characters cut to {MAX_ABSTRACT_CHARS:,}", source.file, source.line
            )
        )
        abstract = abstract[:MAX_ABSTRACT_CHARS]
    arxiv = find_arxiv_id(arxiv_id, url, input_id)
    return Paper(
        id=paper_id(title, arxiv),
        input_id=input_id,
        title=title,
        abstract=abstract,
        url=url or None,
        arxiv_id=arxiv,
        published=published or None,
        authors=list(authors or []),
        n_authors=n_authors if n_authors is not None else (len(authors) if authors else None),
        upvotes=upvotes,
        sources=[source],
    )


# --------------------------------------------------------------------------- decoding


def _decode_head(head: bytes, name: str, on_warning: Warn) -> str:
    """Pick the encoding of a file from its first bytes; raise on binary or empty."""
    if not head.strip():
        raise InputError("empty file", name)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise InputError("binary file (NUL bytes), not a paper listing", name)
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    if control > len(head) // 100 + 2:
        raise InputError("binary file (control bytes), not a paper listing", name)
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4 and len(head) == SNIFF_BYTES:
            return "utf-8"  # a multi-byte character cut by the sniff window
        line = head[: exc.start].count(b"\n") + 1
        on_warning(InputError("not valid UTF-8; read as Latin-1", name, line))
        return "latin-1"


class _Input:
    """An opened input: its display name, encoding and a text stream."""

    def __init__(self, path: str, on_warning: Warn, stdin: Optional[IO[bytes]] = None):
        self.name = "<stdin>" if path == "-" else path
        if path == "-":
            raw = stdin if stdin is not None else sys.stdin.buffer
        else:
            if os.path.isdir(path):
                raise InputError("is a directory, not a file", path)
            try:
                raw = open(path, "rb")
            except FileNotFoundError:
                raise InputError("no such file", path) from None
            except OSError as exc:
                raise InputError(f"cannot open: {exc.strerror}", path) from None
        self.raw = io.BufferedReader(raw) if not hasattr(raw, "peek") else raw
        head = self.raw.peek(SNIFF_BYTES)[:SNIFF_BYTES]
        self.encoding = _decode_head(head, self.name, on_warning)
        self.text = io.TextIOWrapper(self.raw, encoding=self.encoding, errors="replace", newline="")
        self.head = head.decode(self.encoding if self.encoding != "utf-16" else "utf-16", errors="replace")

    def close(self) -> None:
        if self.name != "<stdin>":
            self.text.close()


def detect_format(head: str) -> str:
    """``jsonl``, ``json``, ``csv``, ``atom`` or ``listing``, from the start of the content."""
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        return "jsonl"
    if text.startswith("<"):
        if re.search(r"<feed\b|<entry\b", text[:4096]):
            return "atom"
        return "listing"
    first = text.split("\n", 1)[0].lower()
    cols = next(csv.reader([first], dialect=_sniff_dialect(first)), [])
    names = {c.strip().strip('"').lower() for c in cols}
    if "title" in names and len(cols) > 1:
        return "csv"
    return "listing"


def _sniff_dialect(first_line: str) -> type[csv.Dialect]:
    return csv.excel_tab if first_line.count("\t") > first_line.count(",") else csv.excel


# --------------------------------------------------------------------------- readers


def read_papers(
    paths: Iterable[str],
    *,
    on_warning: Warn = _ignore,
    stdin: Optional[IO[bytes]] = None,
    fmt: Optional[str] = None,
) -> Iterator[Paper]:
    """Yield every paper of every input, in input order, lazily.

    A file that cannot be used at all (missing, empty, binary, a directory) is
    reported through ``on_warning`` and skipped, so the other inputs still count.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "a.jsonl")
    >>> _ = open(p, "w").write('{"title": "DSI++", "abstract": "We propose DSI++."}\\n')
    >>> [x.title for x in read_papers([p])]
    ['DSI++']
    """
    for path in paths:
        try:
            src = _Input(path, on_warning, stdin=stdin)
        except InputError as exc:
            on_warning(exc)
            continue
        try:
            kind = fmt or detect_format(src.head)
            reader = _READERS[kind]
            count = 0
            for paper in reader(src, on_warning):
                count += 1
                yield paper
            if count == 0:
                on_warning(InputError(f"no papers found ({kind} format)", src.name))
        finally:
            src.close()


def _read_jsonl(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    for lineno, line in enumerate(src.text, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            on_warning(InputError(f"malformed JSON line ({exc.msg}); skipped", src.name, lineno))
            continue
        paper = _from_mapping(obj, Source(file=src.name, line=lineno), on_warning)
        if paper is not None:
            yield paper


def _read_json_array(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    text = src.text.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON ({exc.msg})", src.name, exc.lineno) from None
    if not isinstance(data, list):
        raise InputError("a JSON file must hold an array of paper objects", src.name, 1)
    # line numbers: the line where each top-level element starts
    starts = _array_element_lines(text, len(data))
    for i, obj in enumerate(data):
        paper = _from_mapping(obj, Source(file=src.name, line=starts[i]), on_warning)
        if paper is not None:
            yield paper


def _array_element_lines(text: str, n: int) -> list[int]:
    decoder = json.JSONDecoder()
    lines, pos = [], text.index("[") + 1
    for _ in range(n):
        while text[pos] in " \t\r\n,":
            pos += 1
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)
    return lines


def _from_mapping(obj: object, source: Source, on_warning: Warn) -> Optional[Paper]:
    if not isinstance(obj, dict):
        on_warning(InputError("expected a JSON object with title and abstract; skipped", source.file, source.line))
        return None
    low = {str(k).lower(): v for k, v in obj.items()}
    title = low.get("title")
    if not isinstance(title, str) or not title.strip():
        on_warning(InputError("record has no title; skipped", source.file, source.line))
        return None
    abstract = low.get("abstract", low.get("summary", ""))
    authors = low.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in re.split(r";|,| and ", authors) if a.strip()]
    authors = [a if isinstance(a, str) else str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in authors]
    raw_id = low.get("id")
    return make_paper(
        title,
        abstract if isinstance(abstract, str) else str(abstract or ""),
        source=source,
        on_warning=on_warning,
        input_id=str(raw_id) if raw_id not in (None, "") else None,
        url=_str_or_none(low.get("url")),
        arxiv_id=_str_or_none(low.get("arxiv_id")),
        published=_str_or_none(low.get("published", low.get("date"))),
        authors=authors,
    )


def _str_or_none(value: object) -> Optional[str]:
    if value is None or value == "":
        return None
    return str(value)


def _read_csv(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    first = src.head.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.DictReader(src.text, dialect=_sniff_dialect(first))
    for row in reader:
        lineno = reader.line_num
        if None in row:
            on_warning(InputError("row has more cells than the header; extra cells ignored", src.name, lineno))
            row.pop(None)
        clean = {(k or "").strip().lstrip("\ufeff"): v for k, v in row.items()}
        paper = _from_mapping(clean, Source(file=src.name, line=lineno), on_warning)
        if paper is not None:
            yield paper


_ATOM = "{http://www.w3.org/2005/Atom}"


def _read_atom(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    src.text.close = lambda: None  # type: ignore[method-assign]
    parser = ElementTree.XMLPullParser(events=("end",))
    entry_no = 0
    try:
        for chunk in iter(lambda: src.text.read(65536), ""):
            parser.feed(chunk)
            for _, elem in parser.read_events():
                if elem.tag not in (f"{_ATOM}entry", "entry"):
                    continue
                entry_no += 1
                paper = _from_atom_entry(elem, Source(file=src.name, line=entry_no), on_warning)
                elem.clear()
                if paper is not None:
                    yield paper
        parser.close()
    except ElementTree.ParseError as exc:
        raise InputError(f"malformed XML ({exc})", src.name, exc.position[0]) from None


def _from_atom_entry(elem: ElementTree.Element, source: Source, on_warning: Warn) -> Optional[Paper]:
    def text(tag: str) -> str:
        node = elem.find(f"{_ATOM}{tag}")
        if node is None:
            node = elem.find(tag)
        return (node.text or "") if node is not None else ""

    entry_id = text("id")
    authors = [
        (a.findtext(f"{_ATOM}name") or a.findtext("name") or "").strip()
        for a in list(elem.findall(f"{_ATOM}author")) + list(elem.findall("author"))
    ]
    url = entry_id or None
    for link in elem.findall(f"{_ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            url = link.get("href")
    return make_paper(
        text("title"),
        text("summary"),
        source=source,
        on_warning=on_warning,
        input_id=entry_id or None,
        url=url,
        published=text("published")[:10] or None,
        authors=[a for a in authors if a],
    )


# --------------------------------------------------------------------------- listing pages


def _is_chrome(line: str) -> bool:
    low = line.lower()
    return low in _CHROME_EXACT or low.startswith(_CHROME_PREFIX)


def _parse_date(line: str) -> Optional[tuple[str, Optional[int]]]:
    """``"May 28, 2023 1"`` -> ``("2023-05-28", 1)``; a date without year stays as written."""
    m = _DATE_RE.match(line)
    if not m:
        return None
    month, day, year, votes = m.groups()
    if year:
        published = f"{int(year):04d}-{_MONTH_NUM[month]:02d}-{int(day):02d}"
    else:
        published = f"{month} {int(day)}"
    return published, int(votes) if votes else None


def _looks_like_title(line: str) -> bool:
    return len(line) < 300 and not line.rstrip().endswith(".")


def _read_listing(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    """Hugging Face listing pages: title/abstract pairs amid chrome and metadata lines."""
    lines = _listing_lines(src)
    pending: Optional[dict] = None  # the paper being assembled
    seen_paper = False

    def finish(p: dict) -> Optional[Paper]:
        return make_paper(
            p["title"],
            p.get("abstract", ""),
            source=Source(file=src.name, line=p["line"]),
            on_warning=on_warning,
            published=p.get("published"),
            n_authors=p.get("n_authors"),
            upvotes=p.get("upvotes"),
        )

    buffered: list[tuple[int, str]] = []
    it = iter(lines)
    for lineno, line in it:
        buffered.append((lineno, line))
        if len(buffered) < 2:
            continue
        (lineno, line), nxt = buffered[0], buffered[1]
        buffered.pop(0)
        out = _listing_step(lineno, line, nxt[1], pending, seen_paper)
        pending, seen_paper, done = out
        if done is not None:
            paper = finish(done)
            if paper is not None:
                yield paper
    for lineno, line in buffered:
        pending, seen_paper, done = _listing_step(lineno, line, None, pending, seen_paper)
        if done is not None:
            paper = finish(done)
            if paper is not None:
                yield paper
    if pending is not None:
        paper = finish(pending)
        if paper is not None:
            yield paper


def _listing_step(lineno: int, line: str, nxt: Optional[str], pending: Optional[dict], seen_paper: bool):
    """One content line of a listing page; returns (pending, seen_paper, finished paper or None)."""
    m = _AUTHORS_RE.match(line)
    if m:
        if pending is not None:
            pending["n_authors"] = int(m.group(1))
        return pending, seen_paper, None
    date = _parse_date(line)
    if date is not None:
        if pending is not None:
            pending["published"], votes = date
            if votes is not None:
                pending["upvotes"] = votes
        return pending, seen_paper, None  # a date heading before any paper is page chrome
    if pending is None:
        return {"title": line, "line": lineno}, True, None
    if "abstract" not in pending:
        next_is_abstract = nxt is not None and not _looks_like_title(nxt)
        if _looks_like_title(line) and next_is_abstract:
            # a title directly followed by a title: the first had no abstract
            return {"title": line, "line": lineno}, True, pending
        pending["abstract"] = line
        return pending, True, None
    return {"title": line, "line": lineno}, True, pending


def _listing_lines(src: _Input) -> Iterator[tuple[int, str]]:
    """Content lines with their numbers: blank lines and page chrome dropped, 'Subscribe' split off."""
    for lineno, raw in enumerate(src.text, 1):
        line = raw.strip()
        if line.startswith("Subscribe") and line[len("Subscribe") : len("Subscribe") + 1].isupper():
            line = line[len("Subscribe") :].strip()
        if not line or _is_chrome(line):
            continue
        yield lineno, line


_READERS = {
    "jsonl": _read_jsonl,
    "json": _read_json_array,
    "csv": _read_csv,
    "atom": _read_atom,
    "listing": _read_listing,
}
FORMATS = tuple(_READERS)
