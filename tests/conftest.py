"""Shared fixtures: the shipped engine is loaded once per test session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def engine():
    from metarec.engine import Engine
    return Engine.load(device="cpu")


@pytest.fixture(scope="session")
def catalog():
    from metarec.catalog import load_catalog
    return load_catalog()
