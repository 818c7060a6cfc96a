"""Extraction end to end on short abstracts written for these tests (spacy.blank, no downloads)."""
from __future__ import annotations

import pytest

from kg.extract import extract, extract_one, make_nlp
from kg.models import ExtractionRecord, Paper


def run(abstract: str, title: str = "A study") -> ExtractionRecord:
    return extract_one(Paper(id="p", title=title, abstract=abstract))


def ents(rec: ExtractionRecord, etype: str | None = None) -> dict[str, str]:
    """name -> role of the record's entities (of one type)."""
    return {e.name: e.role for e in rec.entities if etype is None or e.type == etype}


def forms(rec: ExtractionRecord, etype: str) -> set[str]:
    return {m.text for e in rec.entities if e.type == etype for m in e.mentions}


# ---------------------------------------------------------------- API

def test_extract_is_lazy_ordered_and_keeps_input_ids():
    papers = [Paper(id=f"h{i}", input_id=(f"in{i}" if i % 2 else None), title=f"Paper {i}",
                    abstract="We evaluate BERT on GLUE.") for i in range(5)]
    gen = extract(iter(papers), batch_size=2)
    assert not isinstance(gen, list)
    recs = list(gen)
    assert [r.id for r in recs] == ["h0", "in1", "h2", "in3", "h4"]
    assert [r.title for r in recs] == [p.title for p in papers]


def test_make_nlp_is_cached_and_blank_based():
    from kg.extract import pipeline

    nlp = make_nlp()
    assert nlp is make_nlp() is make_nlp(None) is pipeline.make_nlp()  # the one extract() uses
    assert nlp.pipe_names == ["kg_sentencizer", "kg_gazetteer"]


def test_one_matcher_pass_gives_names_and_triggers_apart():
    """Trigger phrases share the gazetteer's lower-case matcher but never become names."""
    from kg.extract.components import GAZ_KEY, TRIGGER_KEY

    doc = make_nlp()("We propose a model called FooNet and evaluate BERT on ImageNet. Our method is fast.")
    names = {doc.text[s:e] for _, s, e, _, _ in doc.user_data[GAZ_KEY]}
    triggers = [(label, doc[s:e].text) for label, s, e in doc.user_data[TRIGGER_KEY]]
    assert {"BERT", "ImageNet"} <= names and not names & {"We propose", "called", "Our"}
    assert triggers == [("PROPOSE", "We propose"), ("CALLED", "called"), ("OUR", "Our")]


def test_offsets_are_per_field_and_exact():
    paper = Paper(id="p", title="DSI++: Updating Transformer Memory",
                  abstract="We present DSI++ and evaluate it on Natural Questions.\nCode: https://github.com/a/b.")
    rec = extract_one(paper)
    for e in rec.entities:
        for m in e.mentions:
            field = paper.title if m.field == "title" else paper.abstract
            assert field[m.start:m.end] == m.text
            assert m.sentence and m.rule


def test_newline_in_abstract_does_not_shift_offsets():
    rec = run("We use BERT.\nWe evaluate on SQuAD and MNLI.")
    (squad,) = [e for e in rec.entities if e.name == "SQuAD"]
    text = "We use BERT.\nWe evaluate on SQuAD and MNLI."
    assert text[squad.mentions[0].start:squad.mentions[0].end] == "SQuAD"


def test_n_process_two_gives_the_same_output():
    papers = [Paper(id=str(i), title=f"M{i}Net: a method", abstract="We propose M%dNet, evaluated on CIFAR-10 with "
                    "accuracy of 91.2%%. Code: https://github.com/x/m%d." % (i, i)) for i in range(6)]
    one = [r.model_dump() for r in extract(papers, n_process=1, batch_size=4)]
    two = [r.model_dump() for r in extract(papers, n_process=2, batch_size=4)]
    assert one == two


def test_empty_abstract_and_title_only():
    rec = extract_one(Paper(id="e", title="", abstract=""))
    assert rec.entities == [] and rec.links == [] and rec.results == []
    rec = extract_one(Paper(id="t", title="BERT: Pre-training of Deep Bidirectional Transformers", abstract=""))
    assert ents(rec, "Method").get("BERT") == "proposed"


# ---------------------------------------------------------------- contextual patterns

def test_we_propose_x():
    rec = run("In this paper, we propose Arcana, a multimodal language model with two new modules.")
    assert ents(rec, "Method")["Arcana"] == "proposed"


def test_we_introduce_x_with_acronym_is_one_proposed_entity():
    rec = run("We introduce Vocabulary Disentangled Retrieval (VDR), a retrieval framework. VDR is fast.")
    (e,) = [e for e in rec.entities if e.name == "Vocabulary Disentangled Retrieval"]
    assert e.role == "proposed" and {m.text for m in e.mentions} == {"Vocabulary Disentangled Retrieval", "VDR"}


def test_called_x():
    rec = run("We design a lightweight decoder, called LeaF, that runs in real time.")
    assert ents(rec, "Method")["LeaF"] == "proposed"


def test_x_namely_y_are_one_entity():
    rec = run("We propose a novel Relation-aware Heterogeneous Graph Neural Network, namely R-HGNN, for graphs.")
    methods = [e for e in rec.entities if e.type == "Method" and e.role == "proposed"]
    assert len(methods) == 1
    assert {m.text for m in methods[0].mentions} >= {"Relation-aware Heterogeneous Graph Neural Network", "R-HGNN"}


def test_title_name_before_colon_is_proposed():
    rec = run("We study continual learning of retrieval indices.", title="DSI++: Updating Transformer Memory")
    assert ents(rec, "Method")["DSI++"] == "proposed"


def test_title_phrase_before_colon_is_not_a_name_unless_repeated_regression():
    rec = run("Neural networks collapse in late training.", title="Linguistic Collapse: A Study of Training")
    assert "Linguistic Collapse" not in ents(rec)


def test_introduced_dataset_vs_evaluated_dataset():
    rec = run("We introduce FetalSigma-1M, a large-scale dataset of ultrasound images. "
              "We also report results on ImageNet and CIFAR-100.")
    datasets = ents(rec, "Dataset")
    assert datasets["FetalSigma-1M"] == "introduced"
    assert datasets["ImageNet"] == "evaluated" and datasets["CIFAR-100"] == "evaluated"


def test_the_x_dataset():
    rec = run("Experiments use the Zorblax dataset and the QuuxBench benchmark.")
    assert {"Zorblax", "QuuxBench"} <= set(ents(rec, "Dataset"))


def test_unknown_names_listed_with_known_datasets_are_datasets():
    rec = run("Extensive experiments on UCF101, HMDB51 and Kinetics-710 show gains.")
    assert {"UCF101", "HMDB51", "Kinetics-710"} <= forms(rec, "Dataset")


def test_name_shaped_tokens_are_named_methods():
    rec = run("Unlike InfoGAN and beta-VAE, our model uses wav2vec 2.0 features and GPT-4 prompts.")
    assert {"InfoGAN", "beta-VAE", "wav2vec 2.0", "GPT-4"} <= forms(rec, "Method")


def test_techniques_and_left_modifiers():
    rec = run("We combine knowledge distillation with multiview contrastive learning and graph neural networks.")
    got = forms(rec, "Method")
    assert {"knowledge distillation", "multiview contrastive learning", "graph neural networks"} <= got


def test_tasks_and_task_head_phrases():
    rec = run("Our approach improves zero-shot image classification, novel view synthesis and fold classification.")
    assert {"zero-shot image classification", "novel view synthesis", "fold classification"} <= forms(rec, "Task")


def test_task_acronym_with_following_head():
    rec = run("Click-through rate (CTR) prediction is central to online advertising.")
    (task,) = [e for e in rec.entities if e.type == "Task"]
    assert {"Click-through rate", "CTR"} <= {m.text for m in task.mentions}
    assert not [e for e in rec.entities if e.type == "Method"]


def test_metrics():
    rec = run("We report accuracy, mean average precision (mAP), FID and NDCG@10.")
    assert {"accuracy", "mAP", "FID", "NDCG@10"} <= forms(rec, "Metric")


# ---------------------------------------------------------------- precision guards

@pytest.mark.parametrize("word", ["SOTA", "AI", "3D", "NLP", "CV", "CTR", "GPU"])
def test_field_and_generic_acronyms_are_not_methods_regression(word):
    rec = run(f"We improve {word} results with a new approach that beats {word} baselines.")
    assert not [e for e in rec.entities if e.type == "Method" and word in {m.text for m in e.mentions}]


def test_generic_nouns_are_not_entities_regression():
    rec = run("We propose a novel framework and evaluate it on several benchmark datasets with real-world data.")
    assert rec.entities == []


def test_hyphenated_title_case_compounds_are_not_methods_regression():
    rec = run("We study Real-Time rendering with Language-Inspired and Multi-Level features.")
    assert not [e for e in rec.entities if e.type == "Method"]


def test_numbers_with_units_are_not_methods_regression():
    rec = run("It runs 3times faster, uses 1MB, trains in 4m45s on 10,000-hour data and int8 weights.")
    assert not [e for e in rec.entities if e.type == "Method"]


def test_known_method_after_propose_is_used_not_proposed_regression():
    rec = run("We further propose a new mixture of experts (MoE) framework for vision transformers.")
    assert ents(rec, "Method").get("mixture of experts") == "used"


def test_training_an_existing_model_is_not_proposing_it_regression():
    rec = run("We first train long short-term memory networks (LSTMs) on the DSEC dataset.")
    assert "proposed" not in ents(rec, "Method").values()


def test_llms_are_the_technique_large_language_models_regression():
    rec = run("LLMs struggle with arithmetic.")
    assert ents(rec, "Method") == {"large language model": "used"}


# ---------------------------------------------------------------- links and results

def test_links_and_kinds():
    rec = run("Code is at https://github.com/GengDavid/SLCA. A demo is at https://slca.github.io/demo).")
    assert [(l.url, l.kind) for l in rec.links] == [("https://github.com/GengDavid/SLCA", "code"),
                                                   ("https://slca.github.io/demo", "project")]
    assert rec.links[0].sentence.startswith("Code is at")


def test_result_tuple_with_metric_and_dataset():
    rec = run("Our method achieves an 8.7% improvement in NDCG@10 on the BEIR benchmark.")
    (r,) = rec.results
    assert (r.metric, r.dataset, r.value) == ("NDCG@10", "BEIR", "8.7%")
    assert "8.7% improvement in NDCG@10 on the BEIR" in r.text


def test_result_without_dataset_and_years_ignored():
    rec = run("Since 2021, models reach a word error rate of 4.2 and a BLEU of 31.5.")
    assert {(r.metric, r.value, r.dataset) for r in rec.results} == {("word error rate", "4.2", None),
                                                                    ("BLEU", "31.5", None)}


def test_numbers_inside_names_are_not_results():
    rec = run("On CIFAR-10 the accuracy is 91.3%.")
    assert [(r.metric, r.value, r.dataset) for r in rec.results] == [("accuracy", "91.3%", "CIFAR-10")]


def test_long_noisy_abstract_stays_fast_regression():
    # overlap checks were quadratic in the number of candidates: a 20k-token abstract took seconds
    import random
    import time

    rng = random.Random(0)
    words = ["CamelCase", "ALLCAPS", "we", "propose", "(XY)", "called", "-", "on", "the", "dataset", ",", ".",
             "3.5%", "NDCG@10", "https://github.com/a/b", "Deep", "Network"]
    abstract = " ".join(rng.choice(words) for _ in range(20000))
    run("warm up")
    t = time.perf_counter()
    rec = run(abstract)
    assert time.perf_counter() - t < 15
    assert rec.links and rec.entities


def test_software_libraries_are_not_proposed_methods_regression():
    rec = run("Our PyTorch implementation trains in minutes.")
    assert not [e for e in rec.entities if e.type == "Method"]


def test_numbers_with_unit_capitals_are_not_names_regression():
    rec = run("The 4MP camera tracks 6DoF poses while 3DGS renders them.")
    assert {m.text for e in rec.entities for m in e.mentions} == {"3DGS"}


def test_sota_definition_is_not_an_entity_regression():
    rec = run("Our model reaches state-of-the-art (SOTA) results on GLUE.")
    assert {e.name for e in rec.entities} == {"GLUE"}


def test_such_as_lists_take_the_type_of_their_head():
    rec = run("Our codec rivals compression-based INRs such as COIN and COIN++ and datasets such as Zorblax.")
    types = {m.text: e.type for e in rec.entities for m in e.mentions}
    assert types["COIN"] == types["COIN++"] == "Method" and types["Zorblax"] == "Dataset"


def test_named_variants_of_known_models_are_their_own_entities():
    rec = run("We fine-tune BERT-large and ViT-L/16 and compare with ViT.")
    assert {"BERT-large", "ViT-L/16", "Vision Transformer"} <= {e.name for e in rec.entities if e.type == "Method"}


def test_title_case_place_names_are_not_methods_regression():
    rec = run("Data were collected across the United States and by the Chandra Source Catalog.")
    assert not [e for e in rec.entities if e.type == "Method"]


def test_title_benchmark_settles_an_introduced_dataset_regression():
    rec = extract_one(Paper(id="p", title="Earnings-22: A Practical Benchmark for Accents in the Wild",
                            abstract="We present Earnings-22, a 125 file, 119 hour corpus of earnings calls."))
    assert [(e.type, e.role, e.name) for e in rec.entities] == [("Dataset", "introduced", "Earnings-22")]


def test_import_kg_does_not_import_spacy():
    """``import kg`` stays light (spaCy loads on the first extraction), so ``kg query``/``kg html`` start fast."""
    import subprocess
    import sys

    code = "import sys, kg; from kg.extract import extract, make_nlp; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
