"""JSON Schema files in ``schemas/``, generated from the pydantic models.

``python -m kg.schemas`` rewrites them; a test fails when they drift apart.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .models import ALL_MODELS

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def schema_texts() -> dict[str, str]:
    """File name -> JSON Schema text for every boundary model."""
    out = {}
    for name, model in ALL_MODELS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"kg/{name}.schema.json"
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    from .io import atomic_write

    written = []
    for name, text in schema_texts().items():
        path = directory / name
        with atomic_write(path) as fh:
            fh.write(text)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_schemas(Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR):
        print(p)
