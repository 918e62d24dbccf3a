"""A missing, truncated, tampered or foreign checkpoint is refused with a clear message."""
import json
import shutil

import pytest
import torch

from metarec.core import paths
from metarec.core.checkpoint import CheckpointError, load_bundle, save_bundle, sha256_file


@pytest.fixture()
def ckpt(tmp_path):
    shutil.copy(paths.CHECKPOINT, tmp_path / "metarec.pt")
    shutil.copy(paths.MANIFEST, tmp_path / "manifest.json")
    return tmp_path / "metarec.pt"


def test_shipped_checkpoint_matches_manifest():
    manifest = json.loads(paths.MANIFEST.read_text())
    assert sha256_file(paths.CHECKPOINT) == manifest["sha256"]
    assert paths.CHECKPOINT.stat().st_size < 5 * 2**20  # "a few MB at most"
    for key in ("config", "git_commit", "metrics", "training_seconds", "trained_at", "how"):
        assert key in manifest
    assert {"validation_ndcg@10_5shots", "test"} <= set(manifest["metrics"])


def test_loads_when_intact(ckpt):
    bundle = load_bundle(ckpt)
    assert {"maml", "fomaml", "melu", "finetune"} <= set(bundle["models"])


def test_tampered_checkpoint_is_refused(ckpt):
    data = bytearray(ckpt.read_bytes())
    data[len(data) // 2] ^= 0xFF
    ckpt.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="does not match its manifest"):
        load_bundle(ckpt)


def test_truncated_checkpoint_is_refused(ckpt):
    ckpt.write_bytes(ckpt.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="corrupt or was modified"):
        load_bundle(ckpt)


def test_missing_checkpoint_and_manifest(ckpt):
    ckpt.unlink()
    with pytest.raises(CheckpointError, match="checkpoint not found"):
        load_bundle(ckpt)
    (ckpt.parent / "manifest.json").unlink()
    with pytest.raises(CheckpointError, match="manifest not found"):
        load_bundle(ckpt)


def test_pickled_code_is_never_run_even_with_a_matching_hash(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "metarec.pt"
    torch.save({"format": 1, "x": Evil()}, path)
    (tmp_path / "manifest.json").write_text(json.dumps({"sha256": sha256_file(path)}))
    with pytest.raises(CheckpointError, match="cannot be read"):
        load_bundle(path)


def test_checkpoint_for_another_catalog_is_refused(ckpt):
    with pytest.raises(CheckpointError, match="different catalog"):
        load_bundle(ckpt, catalog_sha256="0" * 64)


def test_save_writes_a_verifiable_pair(tmp_path):
    manifest = save_bundle({"models": {}, "catalog_sha256": "x"}, {"how": "test"}, tmp_path / "m.pt")
    assert manifest["sha256"] == sha256_file(tmp_path / "m.pt")
    assert load_bundle(tmp_path / "m.pt")["catalog_sha256"] == "x"
    assert not list(tmp_path.glob("*.tmp"))
