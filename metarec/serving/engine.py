"""Loads everything a recommendation needs, once: catalog, features, checkpoint, learners, device.

The app caches one :class:`Engine` per process and serves every family from it; nothing here is
ever mutated after loading.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import torch

from ..core.catalog import Catalog, load_catalog
from ..core.checkpoint import load_bundle, read_manifest
from ..core.device import describe_device, pick_device
from ..core.features import ToyFeatures, catalog_features
from ..learners import build_learners
from ..core.model import ModelConfig
from ..core.text_embedding import load_catalog_embeddings


class Engine:
    """The shipped catalog and pretrained learners, ready on one device."""

    def __init__(self, catalog: Catalog, feats: ToyFeatures, bundle: dict, device: torch.device,
                 manifest: dict | None = None):
        self.catalog, self.feats, self.bundle, self.device = catalog, feats, bundle, device
        self.manifest = manifest or {}
        self.model_config = ModelConfig(**bundle["model_config"])
        self.learners = build_learners(bundle, feats)

    @cached_property
    def world(self):
        """The simulated world the checkpoint was trained on (built once, on first use)."""
        from ..world import ToyWorld, WorldConfig
        return ToyWorld(self.catalog, WorldConfig(**self.manifest.get("config", {}).get("world", {})))

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
        return cls(catalog, feats, bundle, device, manifest)

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
