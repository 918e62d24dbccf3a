"""Text embeddings of real-data item descriptors, computed once and cached OUTSIDE the repository.

The cache folder is ``$METAREC_CACHE_DIR`` or ``~/.cache/metarec``; a file is keyed by the SHA-256
of the input texts, so changed descriptors never reuse a stale file. If the folder cannot be
written, the embeddings are computed in memory, a warning goes to stderr and no partial file is
left behind.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ...core.text_embedding import encode, texts_sha256


def cache_dir() -> Path:
    """The embedding cache folder: ``$METAREC_CACHE_DIR`` or ``~/.cache/metarec`` (never the repo)."""
    return Path(os.environ.get("METAREC_CACHE_DIR") or Path.home() / ".cache" / "metarec")


def cached_text_embeddings(texts: list[str], encoder=encode) -> np.ndarray:
    """``[len(texts), 384]`` unit-norm MiniLM embeddings of ``texts`` (from the cache when present)."""
    key = texts_sha256(list(texts))
    path = cache_dir() / f"minilm-{key[:32]}.npy"
    if path.is_file():
        try:
            emb = np.load(path, allow_pickle=False)
            if emb.shape[0] == len(texts):
                return emb.astype(np.float32)
        except (OSError, ValueError, EOFError):  # EOFError: an empty file
            pass  # unreadable or truncated: recompute and overwrite
    emb = np.asarray(encoder(list(texts)), dtype=np.float32)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
            tmp = Path(f.name)
            np.save(f, emb)
        os.replace(tmp, path)
    except OSError as e:
        if tmp is not None:
            tmp.unlink(missing_ok=True)  # a half-written file (disk full, ...) is never left behind
        print(f"warning: cannot write the embedding cache in {path.parent} ({e}); "
              "embeddings were computed in memory and will be recomputed next time "
              "(set METAREC_CACHE_DIR to a writable folder)", file=sys.stderr)
    return emb
