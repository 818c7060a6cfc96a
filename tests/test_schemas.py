"""schemas/ is generated from the pydantic models; this fails when the two drift apart."""
from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from kg.models import Entity, ExtractionRecord, Mention
from kg.schemas import SCHEMA_DIR, schema_texts


def test_committed_schemas_match_the_models():
    expected = schema_texts()
    on_disk = {p.name for p in SCHEMA_DIR.glob("*.schema.json")}
    assert on_disk == set(expected), "run `python -m kg.schemas` to regenerate schemas/"
    for name, text in expected.items():
        assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == text, f"{name} is stale: run `python -m kg.schemas`"


def test_extraction_record_schema_names_the_contract_fields():
    schema = json.loads((SCHEMA_DIR / "extraction_record.schema.json").read_text())
    assert {"id", "title", "entities", "links", "results"} <= set(schema["properties"])
    entity = schema["$defs"]["Entity"]
    assert entity["properties"]["type"]["enum"] == ["Method", "Dataset", "Metric", "Task"]


def test_models_forbid_unknown_fields():
    with pytest.raises(ValidationError):
        Mention(field="abstract", start=0, end=3, text="BERT", rule="x", colour="red")
    with pytest.raises(ValidationError):
        Entity(type="Gadget", name="x", role="used")
    rec = ExtractionRecord(id="1", title="t")
    assert ExtractionRecord.model_validate_json(rec.model_dump_json()) == rec
