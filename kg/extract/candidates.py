"""Turn the matches of one field (title or abstract) into typed candidates.

:func:`field_candidates` is the decision step: gazetteer hits, acronym
definitions, name-shaped words and the contextual triggers ("we propose X",
"called X", "the X dataset", a title's name before the colon) are combined
into :class:`~kg.resolve.Candidate` objects. It works on a ``Doc`` whose
gazetteer and trigger matches are given as plain tuples.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from ..resolve import Candidate, Definition
from .acronyms import find_definitions
from .rules import Lexicon, Sentences, find_shapes, head_type, is_name_shape, lexicon, looks_like_name

# strengths: how much a rule's evidence counts when two rules disagree on a type
S_SHAPE, S_GAZ_REF, S_CONTEXT, S_GAZ_CUR, S_ACRONYM, S_PROPOSE = 1, 2, 3, 4, 5, 6

Match = tuple  # (label, start_char, end_char, canonical, rule, strength)
Trigger = tuple  # (label, start_token, end_token)


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _inside(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= a[0] and a[1] <= e for s, e in spans)


def _name_run(doc, i: int, lex: Lexicon, limit: int = 8) -> tuple[int, int] | None:
    """Token range [i, j) of a proper name starting at token i, or None.

    A run of capitalised or name-shaped tokens, joined by hyphens and, between
    capitalised words, by connectors such as "of", "for", "with" ("Slow Learner
    with Classifier Alignment").
    """
    n = len(doc)
    if i >= n or not looks_like_name(doc[i].text, lex):
        return None
    j = i + 1
    while j < n and j - i < limit:
        t = doc[j]
        prev = doc[j - 1]
        if t.text in ("-", "+", "++", "^", "/", "²") and not prev.whitespace_ and j + 1 < n and not t.whitespace_:
            j += 1
            continue
        if not prev.whitespace_ and prev.text in ("-", "/", "^") and (t.is_alpha or t.like_num or t.text[:1].isalnum()):
            j += 1
            continue
        if t.text == "++" or (t.text.startswith("+") and not prev.whitespace_):
            j += 1
            continue
        if looks_like_name(t.text, lex):
            j += 1
            continue
        if re.fullmatch(r"v?\d+(\.\d+)*", t.text) and j - i <= 2:
            j += 1
            continue
        if t.lower_ in lex.connectors and j + 1 < n and looks_like_name(doc[j + 1].text, lex) \
                and doc[j + 1].text not in lex.generic_names and t.lower_ != "and":
            j += 2
            continue
        break
    # trailing connectors or punctuation never end a name
    while j > i and (doc[j - 1].lower_ in lex.connectors or doc[j - 1].is_punct and doc[j - 1].text not in ("++", "+")):
        j -= 1
    return (i, j) if j > i else None


def _after_trigger(doc, k: int, lex: Lexicon) -> int:
    """Skip determiners and generic adjectives after a trigger ending at token k."""
    n = len(doc)
    while k < n and (doc[k].lower_ in lex.np_skip or doc[k].text in ('"', "'", "``", "''", "“", "”", ":", ",")):
        if doc[k].lower_ in lex.np_skip and doc[k].text[:1].isupper() and k > 0 and doc[k - 1].text not in (".",):
            # a capitalised word ("Unified", "General") can itself start a name
            if k + 1 < n and looks_like_name(doc[k + 1].text, lex):
                break
        k += 1
    return k


def _type_after(doc, j: int, phrase: str, lex: Lexicon) -> str:
    """Dataset when the name is followed by "dataset"/"benchmark"/..., else by its head word."""
    if j < len(doc) and doc[j].lower_ in lex.dataset_words:
        return "Dataset"
    if j + 1 < len(doc) and doc[j].text == "," and doc[j + 1].lower_ in ("a", "an", "the"):
        # "X, a large-scale dataset of ..." : look a few words on
        for t in doc[j + 2: j + 8]:
            if t.lower_ in lex.dataset_heads:
                return "Dataset"
            if t.lower_ in lex.method_heads or t.is_punct:
                break
    return head_type(phrase, lex, "Method")


def field_candidates(doc, field: str, gaz: Sequence[Match], triggers: Sequence[Trigger],
                     lex: Lexicon | None = None, title_text: str = "") -> tuple[list[Candidate], list[Definition]]:
    """Typed candidates and acronym definitions of one field."""
    lex = lex or lexicon()
    text = doc.text
    sents = Sentences(text, [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") else [0])
    cands: list[Candidate] = []
    defs: list[Definition] = []

    def add(etype, start, end, rule, strength, canonical="", proposed=False):
        surface = text[start:end]
        # strip leading article and trailing punctuation from the surface form
        while surface and surface[-1] in ".,;:" and not surface.endswith("++"):
            surface, end = surface[:-1], end - 1
        if surface.lower().startswith("the "):
            surface, start = surface[4:], start + 4
        if not surface.strip():
            return
        cands.append(Candidate(etype, field, start, end, surface, rule, sents.of(start), canonical, strength,
                               proposed))

    # 1. acronym definitions: both forms, typed by gazetteer or by the long form's head word
    gaz_by_span = {(m[1], m[2]): m for m in gaz}
    acr_long: list[tuple[int, int]] = []
    short_types: dict[str, str] = {}
    for d in find_definitions(text):
        long, short = text[d.long_start:d.long_end], text[d.short_start:d.short_end]
        hit = gaz_by_span.get((d.long_start, d.long_end)) or gaz_by_span.get((d.short_start, d.short_end))
        if hit:
            etype = hit[0]
        else:
            etype = head_type(long, lex, "Method")
            if etype == "Method" and head_type(long + " " + _next_word(text, d.short_end), lex, "Method") != "Method":
                # "out-of-distribution (OOD) detection": the head follows the acronym
                etype = head_type(long + " " + _next_word(text, d.short_end), lex, "Method")
        if etype == "Method" and (short in lex.stop_methods or short.rstrip("s") in lex.stop_methods) and not hit:
            continue
        if etype == "Method" and long.islower() and len(long.split()) == 1:
            continue
        defs.append(Definition(field, d.long_start, d.long_end, long, d.short_start, d.short_end, short,
                               sents.of(d.long_start)))
        acr_long.append((d.long_start, d.long_end))
        add(etype, d.long_start, d.long_end, "acronym", S_ACRONYM, hit[3] if hit and (hit[1], hit[2]) == (d.long_start, d.long_end) else "")
        add(etype, d.short_start, d.short_end, "acronym", S_ACRONYM)
        short_types[short] = etype

    # 2. gazetteer hits (not inside an acronym's long form: the definition wins)
    taken: list[tuple[int, int]] = []
    for label, s, e, canonical, rule, strength in gaz:
        if _inside((s, e), acr_long) and (s, e) not in acr_long:
            continue
        add(label, s, e, rule, strength, canonical)
        taken.append((s, e))

    # 3. uses of defined acronyms elsewhere in the field
    for short, etype in short_types.items():
        for m in re.finditer(r"(?<![\w-])" + re.escape(short) + r"s?(?![\w-])", text):
            if not _overlaps((m.start(), m.end()), taken):
                add(etype, m.start(), m.end(), "acronym-use", S_ACRONYM)
                taken.append((m.start(), m.end()))

    # 4. contextual triggers: "we propose X", "called X", "our X"
    proposed_spans: list[tuple[int, int]] = []
    for label, ts, te in triggers:
        if label == "OUR":
            k = te
        else:
            k = _after_trigger(doc, te, lex)
        run = _name_run(doc, k, lex)
        if not run:
            if label == "PROPOSE":
                # "we propose a novel framework ... (ACR)": an acronym defined later in the same sentence
                s0, s1 = sents.bounds(doc[te - 1].idx)
                for d in defs:
                    if d.field == field and doc[te - 1].idx < d.long_start < s1 and d.short_start - doc[te - 1].idx < 200:
                        if head_type(d.long, lex, "Method") in ("Method", "Dataset"):
                            add(head_type(d.long, lex, "Method"), d.long_start, d.long_end, "propose-acronym", S_PROPOSE)
                            add(head_type(d.long, lex, "Method"), d.short_start, d.short_end, "propose-acronym", S_PROPOSE)
                        break
            continue
        i, j = run
        span = doc[i:j]
        phrase = span.text
        if label == "OUR":
            if not any(is_name_shape(t.text) for t in span) and not _overlaps((span.start_char, span.end_char), taken):
                continue
            if phrase in lex.generic_names:
                continue
        etype = _type_after(doc, j, phrase, lex)
        if etype in ("Task", "Metric"):
            # a capitalised coinage right after "we propose" is the paper's method whatever its head word
            if label == "OUR" or not all(w[:1].isupper() or not w[:1].isalpha() for w in phrase.split()):
                continue
            etype = "Method"
        if phrase in lex.stop_methods:
            continue
        rule = {"PROPOSE": "propose", "CALLED": "called", "OUR": "our"}[label]
        if etype == "Dataset":
            rule = "introduce-dataset"
        add(etype, span.start_char, span.end_char, rule, S_PROPOSE)
        proposed_spans.append((span.start_char, span.end_char))
        taken.append((span.start_char, span.end_char))

    # 5. name-shaped words nothing else explained
    for s, e, word in find_shapes(text):
        if _overlaps((s, e), taken) or word in lex.stop_methods or word.rstrip("s") in lex.stop_methods:
            continue
        etype = "Method"
        nxt = _next_word(text, e).lower()
        if nxt in lex.dataset_words:
            etype = "Dataset"
        add(etype, s, e, "shape", S_SHAPE)
        taken.append((s, e))

    return cands, defs


def _next_word(text: str, pos: int) -> str:
    m = re.match(r"\s*\)?\s*([\w-]+)", text[pos:pos + 40])
    return m.group(1) if m else ""


def title_candidates(title: str, lex: Lexicon | None = None) -> list[Candidate]:
    """The name before a title's colon is the paper's own method (or dataset: "X: A Benchmark for ...")."""
    lex = lex or lexicon()
    if ":" not in title:
        return []
    prefix, rest = title.split(":", 1)
    name = prefix.strip()
    words = name.split()
    if not words or len(words) > 4 or words[0].lower() in lex.title_prefix_stop:
        return []
    if not any(is_name_shape(w) for w in words):
        # a single capitalised coinage ("Arcana: ...") passes; ordinary phrases do not
        if len(words) > 1 and not all(w[:1].isupper() for w in words):
            return []
        if len(words) > 2:
            return []
    if name in lex.stop_methods or name in lex.generic_names:
        return []
    start = title.index(name)
    first = " ".join(rest.lower().split()[:5])
    etype = "Dataset" if any(w in first.split() for w in ("dataset", "benchmark", "corpus", "benchmarking")) else "Method"
    rule = "introduce-dataset" if etype == "Dataset" else "title-colon"
    return [Candidate(etype, "title", start, start + len(name), name, rule, title, "", S_PROPOSE, True)]
