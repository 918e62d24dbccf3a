"""The one place that saves and loads checkpoints, and verifies them.

A checkpoint is a ``torch.save``'d dict of tensors and plain values, loaded with
``weights_only=True`` (no pickled code runs). Its manifest (JSON beside it) records the file's
sha256, how it was trained and its metrics; a file whose hash differs from the manifest is refused.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import torch

from . import paths
from .errors import MetarecError

FORMAT = 1


class CheckpointError(MetarecError, RuntimeError):
    """The checkpoint is missing, corrupt, tampered with, or belongs to another catalog."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(manifest: str | Path | None = None) -> dict:
    manifest = Path(manifest or paths.MANIFEST)
    if not manifest.exists():
        raise CheckpointError(f"checkpoint manifest not found at {manifest}; train one with "
                              "`python -m metarec train`")
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"checkpoint manifest {manifest} is not valid JSON: {exc}") from exc


def load_bundle(path: str | Path | None = None, manifest: str | Path | None = None,
                catalog_sha256: str | None = None) -> dict:
    """Load and verify a checkpoint bundle (tensors are returned on the CPU)."""
    path = Path(path or paths.CHECKPOINT)
    info = read_manifest(manifest or path.with_name("manifest.json"))
    if not path.exists():
        raise CheckpointError(f"checkpoint not found at {path}; restore it from the repository "
                              "or train one with `python -m metarec train`")
    actual = sha256_file(path)
    if actual != info.get("sha256"):
        raise CheckpointError(f"checkpoint {path} does not match its manifest (sha256 {actual[:12]}… "
                              f"instead of {str(info.get('sha256'))[:12]}…): the file is corrupt or "
                              "was modified; restore it or retrain with `python -m metarec train`")
    try:
        bundle = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a broken file
        raise CheckpointError(f"checkpoint {path} cannot be read: {exc}") from exc
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise CheckpointError(f"checkpoint {path} has an unknown format (want format {FORMAT})")
    if catalog_sha256 and bundle.get("catalog_sha256") != catalog_sha256:
        raise CheckpointError(f"checkpoint {path} was trained for a different catalog; retrain it "
                              "with `python -m metarec train`")
    return bundle


def save_bundle(bundle: dict, manifest_info: dict, path: str | Path | None = None) -> dict:
    """Write the bundle and its manifest atomically (a crash never leaves a half-written pair)."""
    path = Path(path or paths.CHECKPOINT)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkstemp(dir=path.parent, suffix=".tmp")[1])
    torch.save({**bundle, "format": FORMAT}, tmp)
    manifest = {"checkpoint": path.name, "sha256": sha256_file(tmp),
                "size_bytes": tmp.stat().st_size, **manifest_info}
    mtmp = path.with_name("manifest.json.tmp")
    mtmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o644)  # mkstemp makes it private; a shipped asset is world-readable
    os.replace(tmp, path)
    os.replace(mtmp, path.with_name("manifest.json"))
    return manifest


def write_artifact(data: dict, path: str | Path, key: str, how: str,
                   manifest: str | Path | None = None) -> dict:
    """Write a JSON file derived from the checkpoint and record it in the manifest.

    The manifest gains ``artifacts[key] = {"file", "sha256", "how"}``; both files are replaced
    atomically. :func:`read_artifact` refuses a file whose hash differs.
    """
    path = Path(path)
    manifest = Path(manifest or path.with_name("manifest.json"))
    info = read_manifest(manifest)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    info.setdefault("artifacts", {})[key] = {"file": path.name, "sha256": sha256_file(tmp),
                                             "how": how}
    mtmp = manifest.with_name(manifest.name + ".tmp")
    mtmp.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    os.replace(mtmp, manifest)
    return info["artifacts"][key]


def read_artifact(manifest: dict, key: str, folder: str | Path) -> dict:
    """A shipped artifact, verified against the manifest's sha256.

    Raises:
        CheckpointError: the manifest does not list it, the file is missing, or it was modified.
    """
    entry = (manifest.get("artifacts") or {}).get(key)
    if not entry:
        raise CheckpointError(f"the checkpoint's manifest lists no {key!r}; recompute it with "
                              "`python -m metarec precompute`")
    path = Path(folder) / entry["file"]
    if not path.is_file():
        raise CheckpointError(f"{path} is missing; recompute it with `python -m metarec precompute`")
    if sha256_file(path) != entry["sha256"]:
        raise CheckpointError(f"{path} does not match its manifest (corrupt or modified); "
                              "recompute it with `python -m metarec precompute`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path} cannot be read: {exc}") from exc
