"""Shared fixtures: the shipped engine is loaded once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def engine():
    from metarec.serving.engine import Engine
    return Engine.load(device="cpu")


@pytest.fixture(scope="session")
def catalog():
    from metarec.core.catalog import load_catalog
    return load_catalog()


def assert_safe_cards(cat, ids, age_months, exclude=()):
    """Recommendation cards are non-empty, safe and age-appropriate, and name no excluded toy."""
    eligible = {cat.ids[i] for i in cat.eligible(age_months)}
    assert ids, "no recommendation cards were rendered"
    for toy in ids:
        assert toy in eligible, f"{toy} is not age-appropriate/safe at {age_months} months"
        assert toy not in exclude, f"{toy} was already named by the family"


def copy_data_folder(source: Path, dest: Path) -> Path:
    """A writable copy of a read-only real-data folder (to break it on purpose in a test)."""
    import shutil
    shutil.copytree(source, dest)
    for f in dest.iterdir():
        f.chmod(0o644)
    return dest
