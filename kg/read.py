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
import html
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
#: control characters XML 1.0 cannot carry: dropped
_UNPRINTABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
#: lone surrogates (from JSON ``"\\ud800"``) cannot be encoded as UTF-8: replaced
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
#: HTML elements whose content is code, not text: dropped whole
_CODE_ELEMENT_RE = re.compile(r"<(script|style|iframe|object|embed|svg|math|template)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S)
#: tags of HTML elements only; ``<mask>``, ``<eos>`` and ``p<0.05`` are text and stay
_HTML_TAGS = (
    "a abbr b big blockquote body br center cite code del dfn div em font h1 h2 h3 h4 h5 h6 head hr html i "
    "img input ins kbd label li link mark meta ol p pre q s samp small span strike strong sub sup table "
    "tbody td th thead title tr tt u ul var wbr form button select option textarea frame frameset "
    "script style iframe object embed svg math template noscript base"
).split()
_TAG_RE = re.compile(rf"<!--.*?-->|</?(?:{'|'.join(_HTML_TAGS)})\b(?:[^<>\"']|\"[^\"]*\"|'[^']*')*/?>", re.I | re.S)
#: tags that separate words; other tags (``<b>``, ``<sub>``) sit inside a word: ``H<sub>2</sub>O``
_BLOCK_TAGS = frozenset(
    "blockquote body br div h1 h2 h3 h4 h5 h6 head hr html li ol p pre table tbody td th thead title tr ul".split()
)
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.I)


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


def clean_text(text: str) -> tuple[str, bool]:
    """Text fit for every output: markup removed, entities decoded, unprintable characters dropped.

    Returns the clean text and whether HTML markup was removed (so the caller can say so).

    Examples
    --------
    >>> clean_text("<b>Fast</b> &amp; <script>alert(1)</script>Safe <mask> tokens")
    ('Fast & Safe <mask> tokens', True)
    """
    had_markup = False
    if "<" in text:
        stripped = _TAG_RE.sub(_tag_space, _CODE_ELEMENT_RE.sub(" ", text))
        had_markup = stripped != text
        text = stripped
    if "&" in text and _ENTITY_RE.search(text):
        text = html.unescape(text)
    return _printable(text), had_markup


def _printable(text: str) -> str:
    """Unprintable characters dropped, lone surrogates replaced, runs of whitespace made one space."""
    return " ".join(_SURROGATE_RE.sub("\ufffd", _UNPRINTABLE_RE.sub("", text)).split())


#: text longer than this many times its field's limit is cut before it is cleaned: cleaning a 200 MB abstract to
#: keep 100,000 characters of it split it into 40 million words (a 3.3 GB peak)
CLEAN_AT_MOST = 10


def _clean_capped(text: str, limit: int) -> tuple[str, bool, int]:
    """:func:`clean_text` of a field that will be cut at ``limit``: (clean text, markup removed, length to report).

    The length is that of the clean text; for text over ``CLEAN_AT_MOST * limit`` characters, which is cut
    before cleaning, it is that of the text as given.
    """
    if len(text) <= CLEAN_AT_MOST * limit:
        clean, markup = clean_text(text)
        return clean, markup, len(clean)
    clean, markup = clean_text(text[: CLEAN_AT_MOST * limit])
    return clean, markup, len(text)


def _plain(value: Optional[str]) -> Optional[str]:
    """A metadata string (id, url, date, author) fit for every output: like :func:`clean_text` but markup kept as text."""
    if value is None:
        return None
    return _printable(value) or None


def _tag_space(match: re.Match) -> str:
    name = re.match(r"</?([a-z0-9]+)", match.group(0), re.I)
    return " " if name is None or name.group(1).lower() in _BLOCK_TAGS else ""


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
    title, title_markup, title_len = _clean_capped(title or "", MAX_TITLE_CHARS)
    abstract, abstract_markup, abstract_len = _clean_capped(abstract or "", MAX_ABSTRACT_CHARS)
    if title_markup or abstract_markup:
        where = " and ".join(f for f, m in (("title", title_markup), ("abstract", abstract_markup)) if m)
        on_warning(InputError(f"HTML markup removed from the {where}", source.file, source.line))
    if not title:
        on_warning(InputError("record has no title; skipped", source.file, source.line))
        return None
    if title_len > MAX_TITLE_CHARS:
        on_warning(InputError(f"title of {title_len} characters cut to {MAX_TITLE_CHARS}", source.file, source.line))
        title = title[:MAX_TITLE_CHARS]
    if not abstract:
        on_warning(InputError(f"paper {title[:60]!r} has no abstract; kept with its title only", source.file, source.line))
    if abstract_len > MAX_ABSTRACT_CHARS:
        on_warning(
            InputError(
                f"abstract of {abstract_len:,} characters cut to {MAX_ABSTRACT_CHARS:,}", source.file, source.line
            )
        )
        abstract = abstract[:MAX_ABSTRACT_CHARS]
    input_id, url, arxiv_id, published = _plain(input_id), _plain(url), _plain(arxiv_id), _plain(published)
    authors = [a for a in map(_plain, authors or []) if a]
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
        utf16 = _bomless_utf16(head)
        if utf16 is None:
            raise InputError("binary file (NUL bytes), not a paper listing", name)
        on_warning(InputError(f"no byte-order mark; read as {utf16.upper()}", name, 1))
        return utf16
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
        if re.search(b"[\x80-\x9f]", head):
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                pass
            else:  # curly quotes and dashes of a Windows file, not C1 control codes
                on_warning(InputError("not valid UTF-8; read as Windows-1252", name, line))
                return "cp1252"
        on_warning(InputError("not valid UTF-8; read as Latin-1", name, line))
        return "latin-1"


def _bomless_utf16(head: bytes) -> Optional[str]:
    """``utf-16-le`` / ``utf-16-be`` when NUL bytes sit in every other byte like UTF-16 text; else None."""
    even, odd = head[0::2], head[1::2]
    half = len(head) // 2
    if half < 2:
        return None
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.7 * half and other.count(0) == 0:
            text = head[: half * 2].decode(encoding, errors="replace")
            control = sum(1 for c in text if c < "\t" or "\r" < c < " ")
            if control <= len(text) // 100 + 2:
                return encoding
    return None


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
    first = _first_line(text).lower()
    try:
        cols = next(csv.reader([first], dialect=_sniff_dialect(first)), [])
    except csv.Error:  # not a line the csv module can parse: not a CSV header
        return "listing"
    names = {c.strip().strip('"').lower() for c in cols}
    if "title" in names and len(cols) > 1:
        return "csv"
    return "listing"


_LINE_END = re.compile(r"\r\n|\r|\n")


def _first_line(text: str) -> str:
    """The first line as the csv module ends lines: at "\\n", "\\r\\n" or a lone "\\r" (old Mac files)."""
    return _LINE_END.split(text, 1)[0]


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
    reported through ``on_warning`` and skipped, so the other inputs still count;
    so is the rest of a file after an error a reader cannot get past (malformed
    JSON array or XML), the papers before it still count. A record whose id was
    already used by a paper with another title is reported and skipped.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "a.jsonl")
    >>> _ = open(p, "w").write('{"title": "DSI++", "abstract": "We propose DSI++."}\\n')
    >>> [x.title for x in read_papers([p])]
    ['DSI++']
    """
    first_use: dict[str, tuple[str, str, int]] = {}  # id -> (title key, file, line) where first seen
    for path in paths:
        try:
            src = _Input(path, on_warning, stdin=stdin)
        except InputError as exc:
            on_warning(exc)
            continue
        try:
            kind = fmt or detect_format(src.head)
            count = 0
            try:
                for paper in _READERS[kind](src, on_warning):
                    if _is_duplicate(paper, first_use, on_warning):
                        continue
                    count += 1
                    yield paper
            except InputError as exc:
                rest = "; rest of the file skipped" if count else ""
                on_warning(InputError(exc.message + rest, exc.file, exc.line))
                continue
            except OSError as exc:
                on_warning(InputError(f"read error: {exc.strerror or exc}; rest of the file skipped", src.name))
                continue
            if count == 0:
                on_warning(InputError(f"no papers found ({kind} format)", src.name))
        finally:
            src.close()


def _is_duplicate(paper: Paper, first_use: dict[str, tuple[str, str, int]], on_warning: Warn) -> bool:
    """True (and reported) when the paper's id was already used by a paper with another title."""
    here = paper.sources[0]
    title_key = paper_id(paper.title)
    keys = [(paper.id, paper.arxiv_id)] if paper.arxiv_id else []
    if paper.input_id:
        keys.append((f"input:{paper.input_id}", paper.input_id))
    for key, shown in keys:
        seen = first_use.get(key)
        if seen is not None and seen[0] != title_key:
            first = f"{seen[1]}:{seen[2]}"
            on_warning(InputError(f"duplicate id {shown!r} (first used at {first} by another title); skipped",
                                  here.file, here.line))
            return True
    for key, _ in keys:
        first_use.setdefault(key, (title_key, here.file, here.line))
    return False


def _read_jsonl(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    for lineno, line in enumerate(src.text, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            at = exc.msg if exc.msg.endswith(" at") else exc.msg + " at"
            on_warning(InputError(f"malformed JSON line ({at} column {exc.colno}); skipped", src.name, lineno))
            continue
        except RecursionError:
            on_warning(InputError("malformed JSON line (nested too deeply); skipped", src.name, lineno))
            continue
        paper = _from_mapping(obj, Source(file=src.name, line=lineno), on_warning)
        if paper is not None:
            yield paper


def _read_json_array(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    """A JSON array of paper objects, decoded one element at a time (never the whole file at once)."""
    for obj, lineno in _json_array_elements(src.text, src.name):
        paper = _from_mapping(obj, Source(file=src.name, line=lineno), on_warning)
        if paper is not None:
            yield paper


def _json_array_elements(text: IO[str], name: str, chunk: int = 1 << 16) -> Iterator[tuple[object, int]]:
    """Each top-level element of the JSON array in ``text`` with the line it starts on.

    Only the element being decoded is held in memory: the buffer is cut after
    every element and grows (doubling) only while one element is incomplete.
    """
    decoder = json.JSONDecoder()
    buf, pos, line, eof = "", 0, 1, False  # ``line`` is the line number at ``buf[pos]``

    def fill() -> bool:
        nonlocal buf, pos, eof
        data = "" if eof else text.read(max(chunk, len(buf) - pos))
        buf, pos = buf[pos:] + data, 0
        eof = eof or not data
        return bool(data)

    def skip_space() -> bool:
        """Advance past whitespace; False at end of input."""
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n\ufeff":
                line += buf[pos] == "\n"
                pos += 1
            if pos < len(buf):
                return True
            if not fill():
                return False

    def fail(message: str, at: int = -1) -> InputError:
        where = line + buf.count("\n", pos, at) if at > pos else line
        return InputError(f"malformed JSON ({message})", name, where)

    if not skip_space() or buf[pos] != "[":
        raise fail("a JSON file must hold an array of paper objects")
    pos += 1
    first = True
    while True:
        if not skip_space():
            raise fail("unexpected end of file; the array is not closed")
        if buf[pos] == "]":
            return
        if not first:
            if buf[pos] != ",":
                raise fail(f"expected ',' or ']' but found {buf[pos]!r}")
            pos += 1
            if not skip_space():
                raise fail("unexpected end of file; the array is not closed")
        first = False
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                offset = exc.pos - pos  # fill() moves the buffer
                if fill():
                    continue
                raise fail(exc.msg, pos + offset) from None
            except RecursionError:
                raise fail("nested too deeply") from None
            if end == len(buf) and not eof:  # a number cut at the chunk end is not complete
                fill()
                continue
            break
        yield obj, line
        line += buf.count("\n", pos, end)
        pos = end


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
    if isinstance(abstract, list) and all(isinstance(a, str) for a in abstract):
        abstract = " ".join(abstract)  # paragraphs
    elif abstract is not None and not isinstance(abstract, str):
        on_warning(InputError(f"abstract must be a string, not {type(abstract).__name__}; ignored",
                              source.file, source.line))
        abstract = ""
    authors = low.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in re.split(r";|,| and ", authors) if a.strip()]
    elif isinstance(authors, dict):
        authors = [authors]  # one author given as {"name": ...}
    elif not isinstance(authors, list):
        on_warning(InputError(f"authors must be a list or a string, not {type(authors).__name__}; ignored",
                              source.file, source.line))
        authors = []
    authors = [a if isinstance(a, str) else str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in authors]
    raw_id = low.get("id")
    return make_paper(
        title,
        abstract or "",
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


#: largest CSV cell (the csv module's default, 128 KiB, is less than an enormous abstract)
CSV_FIELD_LIMIT = 64 * 1024 * 1024


def _read_csv(src: _Input, on_warning: Warn) -> Iterator[Paper]:
    first = _first_line(src.head.lstrip("\ufeff"))
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.DictReader(src.text, dialect=_sniff_dialect(first))
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc})", src.name, reader.line_num) from None
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
