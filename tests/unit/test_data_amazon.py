"""Amazon Toys loader (small slices of the real data) and the embedding cache."""
from __future__ import annotations

import json

import numpy as np
import pytest

from metarec.realdata.loaders import DataError, load_amazon_toys
from metarec.realdata.loaders.cache import cached_text_embeddings
from metarec.core.errors import MetarecError
from metarec.core.paths import data_dir
from tests.support import copy_data_folder

REAL = data_dir() / "amazon-toys"
pytestmark = [pytest.mark.realdata, pytest.mark.skipif(not (REAL / "sequences.txt").is_file(), reason="real data not present")]


def test_loads_a_slice():
    d = load_amazon_toys(max_users=200)
    assert len(d.sequences) == 200 and d.n_items == 11924
    assert all(len(s) >= 5 for s in d.sequences)           # 5-core
    assert all(0 <= s.min() and s.max() < d.n_items for s in d.sequences)
    assert d.users[0] == "1" and d.sequences[0].tolist() == [0, 1, 2, 3, 4, 5, 6]  # "1 1 2 3 4 5 6 7"
    assert d.asins[0] == json.loads((REAL / "datamaps.json").read_text())["id2item"]["1"]
    assert sum(bool(t) for t in d.texts) == d.n_items      # README: text covers every item


def test_missing_file_names_path_and_format(tmp_path):
    root = copy_data_folder(REAL, tmp_path / "amazon-toys")
    (root / "sequences.txt").unlink()
    with pytest.raises(DataError, match=r"sequences\.txt.*USER_ID ITEM_ID"):
        load_amazon_toys(tmp_path)
    with pytest.raises(MetarecError):  # the CLI prints MetarecError as one line
        load_amazon_toys(tmp_path / "nowhere")


def test_malformed_files(tmp_path):
    root = copy_data_folder(REAL, tmp_path / "amazon-toys")
    (root / "sequences.txt").write_text("1 1 2 3 4 5\n2 8 9 x 11\n")
    with pytest.raises(DataError, match=r"line 2"):
        load_amazon_toys(tmp_path)
    (root / "sequences.txt").write_text("1 1 2 3 4 5\n")
    (root / "datamaps.json").write_text("{not json")
    with pytest.raises(DataError, match=r"datamaps\.json"):
        load_amazon_toys(tmp_path)


def test_cache_is_keyed_by_text_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("METAREC_CACHE_DIR", str(tmp_path / "cache"))
    calls = []

    def fake(texts):
        calls.append(len(texts))
        return np.ones((len(texts), 4), np.float32) * len(texts[0])

    a = cached_text_embeddings(["plush cat", "lego"], fake)
    b = cached_text_embeddings(["plush cat", "lego"], fake)
    c = cached_text_embeddings(["wooden train", "lego"], fake)
    assert calls == [2, 2] and np.array_equal(a, b) and not np.array_equal(a, c)
    assert len(list((tmp_path / "cache").glob("*.npy"))) == 2


def test_unwritable_cache_warns_and_computes(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("METAREC_CACHE_DIR", str(blocker / "sub"))  # cannot mkdir under a file
    out = cached_text_embeddings(["a"], lambda t: np.zeros((1, 3), np.float32))
    assert out.shape == (1, 3)
    assert "warning: cannot write the embedding cache" in capsys.readouterr().err


def test_failed_cache_write_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    """A write that fails half-way (disk full) warns, returns the embeddings and leaves the cache
    folder as it was: no temporary file, no truncated cache entry."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("METAREC_CACHE_DIR", str(cache))

    def disk_full(f, arr, **kw):
        f.write(b"\x93NUMPY partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("metarec.realdata.loaders.cache.np.save", disk_full)
    out = cached_text_embeddings(["a"], lambda t: np.zeros((1, 3), np.float32))
    assert out.shape == (1, 3)
    assert "No space left on device" in capsys.readouterr().err
    assert cache.is_dir() and list(cache.iterdir()) == []
