"""The app's pages through Streamlit's ``AppTest`` (in-process, no browser): marked ``slow``."""
from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/app/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
