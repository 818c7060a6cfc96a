"""Resolution of candidates into entities: pure data in, entities out."""
from __future__ import annotations

from kg.resolve import Candidate, Definition, canonical_name, entity_id, normalise_key, resolve


def cand(etype, text, start, rule="gaz-orth", field="abstract", strength=2, canonical=""):
    return Candidate(etype, field, start, start + len(text), text, rule, "", canonical, strength)


def test_acronym_and_expansion_are_one_entity():
    cands = [cand("Method", "Vocabulary Disentangled Retrieval", 11, "acronym", strength=5),
             cand("Method", "VDR", 46, "acronym", strength=5),
             cand("Method", "VDR", 120, "acronym-use", strength=5)]
    defs = [Definition("abstract", 11, 44, "Vocabulary Disentangled Retrieval", 46, 49, "VDR")]
    (e,) = resolve(cands, defs)
    assert e.name == "Vocabulary Disentangled Retrieval"
    assert e.aliases == ["Vocabulary Disentangled Retrieval", "VDR"]
    assert len(e.mentions) == 3
    assert e.id == "method:vocabularydisentangledretrieval"


def test_alias_table_joins_spelling_variants_with_conventional_casing():
    cands = [cand("Dataset", "MS COCO", 0), cand("Dataset", "MSCOCO", 20), cand("Dataset", "COCO", 40)]
    (e,) = resolve(cands)
    assert e.name == "COCO" and e.id == "dataset:coco" and e.role == "evaluated"
    assert canonical_name("mscoco") == "COCO"


def test_entity_id_is_type_and_normalised_key():
    assert entity_id("Dataset", "the CIFAR-10") == "dataset:cifar10"
    assert entity_id("Metric", "NDCG@10") == "metric:ndcg@10"


def test_plural_acronyms_and_nouns_share_a_key():
    assert normalise_key("GANs") == normalise_key("GAN")
    assert normalise_key("ViTs") == normalise_key("ViT")
    assert normalise_key("diffusion models") == normalise_key("diffusion model")
    assert normalise_key("analysis") == "analysis"


def test_llms_resolve_to_the_technique_not_a_named_method_regression():
    (e,) = resolve([cand("Method", "LLMs", 0, "shape", strength=1)])
    assert e.id == "method:largelanguagemodel" and e.name == "large language model"


def test_roles_follow_the_rules_that_fired():
    cands = [cand("Method", "DLF", 0, "propose", strength=6), cand("Method", "BERT", 10),
             cand("Dataset", "FetalSigma-1M", 20, "introduce-dataset", strength=6), cand("Dataset", "BEIR", 40),
             cand("Metric", "F1", 50), cand("Task", "image classification", 60)]
    roles = {e.name: e.role for e in resolve(cands)}
    assert roles == {"DLF": "proposed", "BERT": "used", "FetalSigma-1M": "introduced", "BEIR": "evaluated",
                     "F1": "measured", "image classification": "addressed"}


def test_one_type_per_key_strongest_evidence_wins():
    # a name-shaped word guessed as a method is a dataset when the gazetteer says so
    cands = [cand("Method", "nuScenes", 0, "shape", strength=1), cand("Method", "nuScenes", 30, "shape", strength=1),
             cand("Dataset", "nuScenes", 60, "gaz-orth", strength=2)]
    (e,) = resolve(cands)
    assert e.type == "Dataset" and len(e.mentions) == 3


def test_sizes_of_a_proposed_method_are_proposed():
    cands = [cand("Method", "VAD", 0, "title-colon", field="title", strength=6), cand("Method", "VAD-Tiny", 30, "shape")]
    roles = {e.name: e.role for e in resolve(cands)}
    assert roles == {"VAD": "proposed", "VAD-Tiny": "proposed"}


def test_duplicate_mentions_are_kept_once():
    cands = [cand("Task", "image classification", 5), cand("Task", "image classification", 5, "task-head")]
    (e,) = resolve(cands)
    assert len(e.mentions) == 1
