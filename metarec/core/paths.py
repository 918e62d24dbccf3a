"""Where things live: the shipped assets and the (external, read-only) real data."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ASSETS = Path(os.environ.get("METAREC_ASSETS_DIR", REPO / "assets"))
CATALOG_CSV = ASSETS / "catalog.csv"
TEXT_EMBEDDINGS = ASSETS / "text_embeddings.npz"
CHECKPOINT = ASSETS / "checkpoints" / "metarec.pt"
MANIFEST = ASSETS / "checkpoints" / "manifest.json"
CURVES = ASSETS / "checkpoints" / "curves.json"   # deterministic views of the checkpoint, shipped


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The real-data folder: a CLI flag beats ``METAREC_DATA_DIR`` beats ``../shared/data``."""
    if override:
        return Path(override)
    return Path(os.environ.get("METAREC_DATA_DIR", REPO.parent / "shared" / "data"))
