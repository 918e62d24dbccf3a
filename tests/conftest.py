"""Shared fixtures: the shipped engine and catalog are loaded once per test session.

Tests live in three folders: ``unit/`` (the library and the CLI), ``app/`` (the Streamlit pages
through ``AppTest``) and ``e2e/`` (a real server in Chromium; marked ``browser``). Markers:
``slow``, ``browser``, ``realdata`` (reads ../shared/data); e.g. ``pytest -m "not browser"``.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def engine():
    from metarec.serving.engine import Engine
    return Engine.load(device="cpu")


@pytest.fixture(scope="session")
def catalog():
    from metarec.core.catalog import load_catalog
    return load_catalog()
