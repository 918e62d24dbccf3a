"""Loads everything a recommendation needs, once: catalog, features, checkpoint, learners, device.

The app caches one :class:`Engine` per process and serves every family from it; nothing here is
ever mutated after loading.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import torch

from ..core import paths
from ..core.catalog import Catalog, load_catalog
from ..core.checkpoint import load_bundle, read_artifact, read_manifest
from ..core.device import describe_device, pick_device
from ..core.features import ToyFeatures, catalog_features
from ..core.model import ModelConfig
from ..core.text_embedding import TextSpace, load_catalog_embeddings, load_text_space
from ..learners import DEFAULT_METHOD, build_learners
from ..world import ToyWorld, WorldConfig


class Engine:
    """The shipped catalog and pretrained learners, ready on one device."""

    def __init__(self, catalog: Catalog, feats: ToyFeatures, bundle: dict, device: torch.device,
                 manifest: dict | None = None, folder: Path | None = None):
        self.catalog, self.feats, self.bundle, self.device = catalog, feats, bundle, device
        self.manifest = manifest or {}
        self.folder = folder or paths.CHECKPOINT.parent   # where the checkpoint's files are
        self.model_config = ModelConfig(**bundle["model_config"])
        self.learners = build_learners(bundle, feats)

    @cached_property
    def world(self) -> ToyWorld:
        """The simulated world the checkpoint was trained on (built once, on first use)."""
        return ToyWorld(self.catalog, WorldConfig(**self.manifest.get("config", {}).get("world", {})))

    @property
    def default_method(self) -> str:
        """The learner served to parents: the one the checkpoint's training chose on the
        validation families (``manifest["metrics"]["served"]``), else :data:`DEFAULT_METHOD`."""
        served = ((self.manifest.get("metrics") or {}).get("served") or {}).get("method")
        return served if served in self.learners else DEFAULT_METHOD

    @classmethod
    def load(cls, device: str | torch.device | None = None, checkpoint: str | Path | None = None,
             catalog_path: str | Path | None = None) -> "Engine":
        device = torch.device(device) if device else pick_device()
        if device.type == "cpu":
            # One family's adaptation is many tiny ops: extra threads only add contention,
            # and a server adapts for several families at once (measured: docs/results.md).
            torch.set_num_threads(1)
        catalog = load_catalog(catalog_path)
        feats = catalog_features(catalog, load_catalog_embeddings(catalog)).to(device)
        bundle = load_bundle(checkpoint, catalog_sha256=catalog.sha256)
        manifest = read_manifest(Path(checkpoint).with_name("manifest.json") if checkpoint else None)
        return cls(catalog, feats, bundle, device, manifest,
                   Path(checkpoint).parent if checkpoint else None)

    @cached_property
    def curves(self) -> dict:
        """The views shipped beside the checkpoint (:mod:`metarec.teaching.precompute`), verified
        against the manifest. Raises :class:`~metarec.core.checkpoint.CheckpointError` (a message
        for people) when they are missing or modified; a failure is not cached."""
        return read_artifact(self.manifest, "curves", self.folder)

    @cached_property
    def text_space(self) -> TextSpace:
        """The catalog's 384-d MiniLM vectors and the PCA basis of its text features, read on
        first use (for toys described in words: :mod:`metarec.serving.text_toys`)."""
        return load_text_space(self.catalog)

    @property
    def device_name(self) -> str:
        return describe_device(self.device)

    def learner(self, name: str):
        if name not in self.learners:
            raise KeyError(name)
        return self.learners[name]

    @property
    def version(self) -> str:
        """The checkpoint's identity for caches: its manifest's sha256, else its version, else "?"."""
        return str(self.manifest.get("sha256") or self.manifest.get("version") or "?")
