"""Schwartz-Hearst acronym definitions: pure functions, no spaCy."""
from __future__ import annotations

import pytest

from kg.extract.acronyms import acronym_of, best_long_form, find_definitions, is_short_form


def pairs(text: str) -> list[tuple[str, str]]:
    return [(text[d.long_start:d.long_end], text[d.short_start:d.short_end]) for d in find_definitions(text)]


@pytest.mark.parametrize("text,expected", [
    ("we present Vocabulary Disentangled Retrieval (VDR), a retrieval framework",
     ("Vocabulary Disentangled Retrieval", "VDR")),
    ("First, we present Multimodal LoRA (MM-LoRA), a module", ("Multimodal LoRA", "MM-LoRA")),
    ("Class-Incremental Semantic Segmentation (CISS) requires", ("Class-Incremental Semantic Segmentation", "CISS")),
    ("we study large language models (LLMs) at scale", ("large language models", "LLMs")),
    ("a Discrete-to-continuous space Variational AutoEncoder (D2C-VAE) for",
     ("Discrete-to-continuous space Variational AutoEncoder", "D2C-VAE")),
    ("popular 3D Gaussian Splatting (3DGS) methods", ("3D Gaussian Splatting", "3DGS")),
])
def test_long_form_before_parenthesis(text, expected):
    assert expected in pairs(text)


def test_short_form_before_parenthesis():
    text = "we compare with VDR (Vocabulary Disentangled Retrieval) on"
    assert pairs(text) == [("Vocabulary Disentangled Retrieval", "VDR")]


def test_generic_tail_word_is_dropped():
    # "framework" gives no letter to LBD
    text = "we introduce a Language-inspired Bootstrapped Disentanglement framework (LBD). We"
    assert pairs(text) == [("Language-inspired Bootstrapped Disentanglement", "LBD")]


def test_first_letter_inside_hyphenated_word_regression():
    # S-H alone starts the long form at "-based"; the definition starts at "BEllman"
    text = "we propose BEllman Equation-based automatic rank Regularizer (BEER), which"
    assert pairs(text) == [("BEllman Equation-based automatic rank Regularizer", "BEER")]


def test_no_space_before_parenthesis():
    assert pairs("reduces the word error rate(WER) by 44%") == [("word error rate", "WER")]


@pytest.mark.parametrize("text", [
    "as shown before (see Table 1) the model",
    "results improve (2023) over prior work",
    "a large gain (i.e., more than 5%) on",
    "which we discuss (e.g. Section 3)",
])
def test_not_definitions(text):
    assert pairs(text) == []


def test_long_form_stays_in_its_sentence():
    assert pairs("We use Large Models. Then (LM) appears") == []


def test_best_long_form_requires_every_letter():
    assert best_long_form("VDR", "Vocabulary Disentangled Retrieval") == 0
    assert best_long_form("XYZ", "Vocabulary Disentangled Retrieval") is None


def test_is_short_form():
    assert is_short_form("VDR") and is_short_form("MM-LoRA") and is_short_form("LLMs") and is_short_form("BT^2")
    assert not is_short_form("see Table 1") and not is_short_form("2023") and not is_short_form("Table")


def test_acronym_of():
    assert acronym_of("graph neural network") == "GNN"
    assert acronym_of("Click-through rate") == "CTR"


def test_long_expansion_in_parentheses_regression():
    # the parenthesis held more than 40 characters, so the definition was missed
    text = "we present MAPO-LSO (Multi-Agent Policy Optimization with Latent Space Optimization) which"
    assert pairs(text) == [("Multi-Agent Policy Optimization with Latent Space Optimization", "MAPO-LSO")]
