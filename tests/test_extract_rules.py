"""Pure rule functions: name shapes, links, left modifiers, metric shapes, sentences."""
from __future__ import annotations

import pytest

from kg.extract.components import expand_token_pattern, sentence_char_starts
from kg.extract.rules import classify_url, extend_left, find_links, find_metric_shapes, find_shapes, is_name_shape, \
    lexicon


@pytest.mark.parametrize("word", ["InfoGAN", "BERT", "GPT-4", "MM-LoRA", "DSI++", "BT^2", "nuScenes", "wav2vec",
                                  "3DGS", "Qwen2.5", "ViTs", "ImageNet-1K", "n2c2"])
def test_name_shapes(word):
    assert is_name_shape(word)


@pytest.mark.parametrize("word", ["Language-Inspired", "Real-Time", "3times", "000-hour", "int8", "1MB", "10x-50x",
                                  "U.S", "framework.The", "4m45s", "Transformer", "model"])
def test_not_name_shapes_regression(word):
    assert not is_name_shape(word)


def test_adjectival_suffix_is_not_a_name_regression():
    assert not is_name_shape("LLM-based", lexicon().adjectival_suffixes)
    assert not is_name_shape("BoW-guided", lexicon().adjectival_suffixes)


def test_find_shapes_keeps_version_numbers():
    text = "We compare wav2vec 2.0 with GPT-4 and Llama 3.1."
    assert [w for _, _, w in find_shapes(text)] == ["wav2vec 2.0", "GPT-4"]


def test_links_exactly_as_written_minus_trailing_punctuation():
    text = ("Code: https://github.com/GengDavid/SLCA. Demo (https://arcana-project-page.github.io). "
            "Weights at https://huggingface.co/org/model; data at https://huggingface.co/datasets/org/d.")
    assert [(u, k) for _, _, u, k in find_links(text)] == [
        ("https://github.com/GengDavid/SLCA", "code"),
        ("https://arcana-project-page.github.io", "project"),
        ("https://huggingface.co/org/model", "code"),
        ("https://huggingface.co/datasets/org/d", "project"),
    ]


def test_link_offsets_point_at_the_url():
    text = "See https://gitlab.com/a/b)."
    (s, e, url, kind), = find_links(text)
    assert text[s:e] == url == "https://gitlab.com/a/b" and kind == "code"


def test_classify_url():
    assert classify_url("github.com/x/y") == "code"
    assert classify_url("https://x.github.io/y") == "project"
    assert classify_url("https://huggingface.co/spaces/a/b") == "project"


def test_extend_left_takes_known_modifiers_only():
    text = "we study fine-grained image classification here"
    start = text.index("classification")
    assert text[extend_left(text, start, frozenset({"fine-grained", "image"})):start] == "fine-grained image "
    assert extend_left(text, start, frozenset()) == start


def test_metric_shapes():
    assert [w for _, _, w in find_metric_shapes("gains in NDCG@10 and Recall@K, +2.6% in Verb ED@20")] == \
        ["NDCG@10", "Recall@K", "Verb ED@20"]


def test_sentence_starts_skip_abbreviations():
    text = "We use CLIP, e.g. in Fig. 2. It works. Results on ImageNet!"
    starts = sentence_char_starts(text)
    assert [text[s:s + 7] for s in starts] == ["It work", "Results"]


def test_expand_token_pattern():
    pattern = [{"LOWER": "we"}, {"LOWER": {"IN": ["also", "further"]}, "OP": "?"}, {"LOWER": {"IN": ["propose"]}}]
    assert sorted(expand_token_pattern(pattern)) == [["we", "also", "propose"], ["we", "further", "propose"],
                                                     ["we", "propose"]]


def test_docstring_examples_of_the_extractor_modules_hold():
    """The examples in the extractor's docstrings are run, so they cannot drift from the code."""
    import doctest
    import importlib

    for name in ("kg.extract.candidates", "kg.extract.rules", "kg.extract.acronyms", "kg.extract.pipeline",
                 "kg.extract.results",
                 "kg.resolve"):
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, name
    assert doctest.testmod(importlib.import_module("kg.extract.candidates")).attempted >= 2


def test_url_matches_equal_a_full_search():
    """The fast URL scan finds exactly what ``URL.finditer`` finds, on random URL-like ASCII and non-ASCII text."""
    import random

    from kg.extract.rules import URL, _url_matches

    rng = random.Random(3)
    pieces = ["http://", "https://", "HTTPS://", "www.", "WWW.", "github.com/", "GitHub.com/", "xgithub.com/", "a",
              "b/", " ", ".", ")", "(", "_", "-", '"', "http", "s", ":", "/", "https://www.github.com/a/b", "1",
              "gitlab.com/", "é", "\u017f"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        assert [m.span() for m in _url_matches(text)] == [m.span() for m in URL.finditer(text)], text


def test_extend_left_equals_the_regex_search_it_replaces():
    """extend_left scans back by hand; it must take exactly the words ``_WORD_BEFORE`` would find."""
    import random

    from kg.extract.rules import _WORD_BEFORE, extend_left

    def by_regex(text, start, words, limit=3):
        new = start
        for _ in range(limit):
            m = _WORD_BEFORE.search(text, max(0, new - 40), new)
            if not m or m.end() != new or m.group(1).lower() not in words:
                break
            new = m.start(1)
        return new

    rng = random.Random(5)
    words = frozenset({"deep", "a-b", "x", "image", "b", "ab", "zero-shot", "1"})
    pieces = ["deep", "Deep", "a-b", "-", "x", "image", " ", "  ", "\n", "\u00a0", "\x1c", "é", "b", "ab",
              "zero-shot", "1", ",", "(", "-a", "ab-"]
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 25)))
        start = rng.randrange(0, len(text) + 1)
        for limit in (1, 3):
            assert extend_left(text, start, words, limit) == by_regex(text, start, words, limit), (text, start)


def test_standalone_words_equal_the_regex_alternation():
    """standalone_words finds what the look-around alternation finds, whatever the text."""
    import random
    import re

    from kg.extract.candidates import standalone_words

    words = ["detection", "de", "tection", "super-resolution", "representation learning", "ion"]
    pattern = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")(?![\w-])")
    rng = random.Random(11)
    pieces = words + [" ", "-", "_", "x", "2", "é", ".", "super", "representation", "learning", "\u00a0"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert standalone_words(text, words) == [m.span(1) for m in pattern.finditer(text)], text


def test_bibtex_keys_left_in_an_abstract_are_not_methods():
    from kg.extract import extract_one
    from kg.extract.rules import is_name_shape
    from kg.models import Paper

    assert not is_name_shape("vaswani2017attention") and not is_name_shape("he2016deep")
    assert is_name_shape("wav2vec") and is_name_shape("n2c2") and is_name_shape("Qwen2")
    rec = extract_one(Paper(id="p", title="Decoders for detection",
                            abstract="We add a decoder similar to the Transformer vaswani2017attention to RetinaNet."))
    names = {e.name for e in rec.entities}
    assert "vaswani2017attention" not in names and {"Transformer", "RetinaNet"} <= names


def test_value_matches_equal_a_full_search():
    """Numbers found digit by digit are exactly those ``VALUE.finditer`` finds."""
    import random

    from kg.extract.results import VALUE, value_matches

    rng = random.Random(9)
    pieces = ["1", "23", ".", "+", "-", "%", "x", " ", "a", "@", ",", "000", "×", "times", "\\%", "–", "pp", "point",
              "s", "7.5", "\u0663"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 14)))
        assert [m.span() for m in value_matches(text)] == [m.span() for m in VALUE.finditer(text)], text


def test_hearst_cues_equal_a_full_search():
    """Cues found from their words are exactly those ``_HEARST_CUE.finditer`` finds."""
    import random

    from kg.extract.candidates import _HEARST_CUE, hearst_cues

    rng = random.Random(4)
    pieces = ["such as", "such", " as", "including", "like", "e.g.", "e.g.,", "(e.g.", "(", ")", ",", " ", "  ", "\n",
              "x", "un", "\u00a0", ".", "g"]
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert [m.span() for m in hearst_cues(text)] == [m.span() for m in _HEARST_CUE.finditer(text)], repr(text)


def test_shape_matches_equal_a_full_search():
    """The run-skipping scan finds exactly what ``SHAPE.finditer`` finds."""
    import random

    from kg.extract.rules import SHAPE, shape_matches

    rng = random.Random(8)
    pieces = ["The", "We", "BERT", "wav2vec", "2.0", " ", "-", "+", "^", "/", ".", "@", "#", "a", "B", "3", "x",
              "iPhone", "Our", "based", "_", "v2", "É", "\u0663", "Ab", "LLM", "s", "++", ",", "(", ")"]
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert [m.span() for m in shape_matches(text)] == [m.span() for m in SHAPE.finditer(text)], text


def test_title_run_pattern_matches_what_the_ambiguous_one_did():
    """``_TITLE_RUN`` (one way to split its first word) finds exactly the runs of the quadratic pattern it replaced."""
    import random
    import re

    from kg.extract.candidates import _TITLE_RUN

    before = re.compile(r"[A-Z](?<![\w-][A-Z])[\w-]*[a-z][\w-]*(?:\s+(?:(?:of|for|with|via)\s+)?"
                        r"(?:[A-Z][\w-]*|\d+[A-Z][\w-]*))+")
    rng = random.Random(12)
    pieces = ["A", "B", "a", "z", "É", "é", "_", "-", "3", "\u0663", " ", "  ", "\n", "of ", "for", "Net", "GAN",
              "x", ".", ",", "(", "Ab", "3D"]
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 14)))
        assert [m.span() for m in _TITLE_RUN.finditer(text)] == [m.span() for m in before.finditer(text)], repr(text)



def test_tokenizer_never_gets_a_run_longer_than_max_chunk():
    """Long runs without a space are cut for the tokenizer (quadratic on brackets); nothing else changes."""
    import random

    from kg.extract.pipeline import MAX_CHUNK, _tokenizer_text

    rng = random.Random(13)
    for _ in range(20000):
        text = "".join(rng.choice("ab(“ ") for _ in range(rng.randrange(0, 40)))
        limit = rng.randint(1, 6)
        cut = _tokenizer_text(text, limit)
        assert len(cut) == len(text) and all(a == b or b == " " for a, b in zip(text, cut)), (text, cut)
        assert max(map(len, cut.split(" "))) <= limit, (text, limit, cut)
        assert (cut == text) == (max(map(len, text.split(" "))) <= limit), (text, limit, cut)
    text = "We propose FooNet. Code: https://github.com/a/" + "b" * 300 + " and (" + "(" * 5000 + "x"
    assert max(map(len, _tokenizer_text(text).split(" "))) == MAX_CHUNK


def test_a_url_longer_than_max_chunk_is_kept_whole():
    from kg.extract import extract
    from kg.extract.pipeline import MAX_CHUNK
    from kg.models import Source
    from kg.read import make_paper

    url = "https://github.com/some-org/" + "x" * (3 * MAX_CHUNK)
    paper = make_paper("FooNet: Fast Nets", f"We propose FooNet. Code is at {url}.", source=Source(file="x", line=1))
    assert [link.url for link in next(extract([paper])).links] == [url]


def test_find_results_with_indexed_mentions_equals_a_scan_of_every_mention():
    """Results are the same whether mentions are scanned (few) or looked up by start (many: linear time)."""
    import random

    from kg.extract import results as R
    from kg.extract.rules import Sentences
    from kg.models import Entity, Mention

    def scan_everything(text, entities, sents):  # find_results before mentions were indexed by start
        metrics = R._mentions(entities, "Metric", "abstract")
        datasets = R._mentions(entities, "Dataset", "abstract")
        names = [R.Span(m.start, m.end, e.name) for e in entities for m in e.mentions]
        out, seen = [], set()
        for m in R.value_matches(text):
            if not R._is_value(text, m):
                continue
            vs, ve = m.start(1), m.end(1)
            if not metrics or any(n.start <= vs < n.end for n in names):
                continue
            s0, s1 = sents.bounds(vs)
            gap = R.MAX_GAP_PLAIN if R._PLAIN_INT.fullmatch(m.group(1)) else R.MAX_GAP
            near = [(min(abs(vs - x.end), abs(x.start - ve)), x) for x in metrics if s0 <= x.start < s1]
            near = [(d, x) for d, x in near if d <= gap]
            if not near:
                continue
            metric = min(near, key=lambda t: t[0])[1]
            ds = [(min(abs(vs - x.end), abs(x.start - ve)), x) for x in datasets if s0 <= x.start < s1]
            ds = [(d, x) for d, x in ds if d <= R.MAX_GAP_DATASET]
            dataset = min(ds, key=lambda t: t[0])[1] if ds else None
            if (metric.name, m.group(1)) not in seen:
                seen.add((metric.name, m.group(1)))
                out.append((metric.name, dataset.name if dataset else None, m.group(1)))
        return out

    rng = random.Random(14)
    words = ["acc", "BLEU", "F1", "on", "COCO", "SQuAD-2", "91.2%", "3x", "12", "2023", "of", "and", "."]
    for trial in range(400):
        tokens = [rng.choice(words) for _ in range(rng.randrange(1, 300))]
        text = " ".join(tokens)
        starts, pos = [], 0
        for t in tokens:
            starts.append(pos)
            pos += len(t) + 1
        entities = []
        for etype, name in (("Metric", "acc"), ("Metric", "BLEU"), ("Metric", "F1"), ("Dataset", "COCO"),
                            ("Dataset", "SQuAD-2")):
            spans = [(s, s + len(t)) for s, t in zip(starts, tokens) if t == name and rng.random() < 0.9]
            rng.shuffle(spans)  # mention order is not text order: ties must still resolve as before
            if spans:
                entities.append(Entity(type=etype, name=name, role="measured" if etype == "Metric" else "evaluated",
                                       mentions=[Mention(field="abstract", start=s, end=e, text=name, rule="t")
                                                 for s, e in spans]))
        sents = Sentences(text, [0] + [i + 2 for i in range(len(text)) if text.startswith(". ", i)])
        got = [(r.metric, r.dataset, r.value) for r in R.find_results(text, entities, sents)]
        assert got == scan_everything(text, entities, sents), (trial, text)


def test_words_before_equal_a_search_of_the_whole_prefix():
    """The doubling window finds the same clause words as the whole ``text[:pos].rstrip()`` did."""
    import random

    from kg.extract.acronyms import _WORD, _words_before

    def whole_prefix(text, pos, n):
        before = text[:pos].rstrip()
        cut = max(before.rfind(". "), before.rfind("; "), before.rfind(": "), before.rfind("? "))
        return [w.span() for w in list(_WORD.finditer(before, cut + 2 if cut >= 0 else 0))[-n:]], len(before)

    rng = random.Random(15)
    pieces = ["word", "x", " ", "  ", ". ", ";", ": ", "?", "\u2003", "(", "a" * 120, "Deep", "Net"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 200)))
        pos, n = rng.randint(0, len(text)), rng.randint(1, 20)
        words, end = _words_before(text, pos, n)
        assert ([w.span() for w in words], end) == whole_prefix(text, pos, n), (text, pos, n)
