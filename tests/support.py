"""Helpers shared by the test folders (fixtures live in the conftest.py files)."""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the repository
APP = str(ROOT / "app.py")
OUT = ROOT / "test-output"                       # screenshots and logs (git-ignored)


def assert_safe_cards(cat, ids, age_months, exclude=()):
    """Recommendation cards are non-empty, safe and age-appropriate, and name no excluded toy."""
    eligible = {cat.ids[i] for i in cat.eligible(age_months)}
    assert ids, "no recommendation cards were rendered"
    for toy in ids:
        assert toy in eligible, f"{toy} is not age-appropriate/safe at {age_months} months"
        assert toy not in exclude, f"{toy} was already named by the family"


def copy_data_folder(source: Path, dest: Path) -> Path:
    """A writable copy of a read-only real-data folder (to break it on purpose in a test)."""
    shutil.copytree(source, dest)
    for f in dest.iterdir():
        f.chmod(0o644)
    return dest
