"""Shared fixtures: where ../shared is, and the example listing."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE = ROOT / "examples" / "daily_papers.txt"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"../shared not found at {SHARED}: seed pages and the dev gold set are needed")
    return SHARED


@pytest.fixture(scope="session")
def seed_files(shared_dir) -> list[str]:
    return [str(p) for p in sorted((shared_dir / "seeds").glob("*.txt"))]


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory, seed_files) -> Path:
    """One build of the four seed pages, shared by the tests that only read it."""
    import kg

    out = tmp_path_factory.mktemp("seed-build")
    kg.build(seed_files, out)
    return out
