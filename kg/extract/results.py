"""Result tuples: a stated number tied to a metric and, where stated, a dataset."""
from __future__ import annotations

import re

from ..models import Entity, Result

NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:\s?%|\s?\\%|x|×| times)?")


def find_results(doc, entities: list[Entity], field: str = "abstract") -> list[Result]:
    """Placeholder: numbers next to a metric mention in the same sentence."""
    return []
