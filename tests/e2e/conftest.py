"""Fixtures of the browser tests: one ``streamlit run app.py`` server and one Chromium per module.

Every test in this folder is marked ``browser`` (``pytest -m "not browser"`` skips them all) and is
skipped where Debian's Chromium is not installed at /usr/bin/chromium.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from benchmarks.load_test import CHROMIUM_ARGS, streamlit_server
from metarec.core.catalog import load_catalog
from tests.support import OUT

CHROMIUM = "/usr/bin/chromium"
STARTUP_S = 90


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def server():
    """``streamlit run app.py`` on 127.0.0.1 for this module's tests (the load test's launcher)."""
    try:
        with streamlit_server(OUT / "streamlit-server.log", startup_s=STARTUP_S) as (url, _pid):
            yield url
    except RuntimeError as e:  # it did not start: say why, with the log's path
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


