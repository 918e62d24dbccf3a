"""Numeric features of toys, children and (child, toy) pairs, as tensors on the chosen device.

Toy features are static (category, skills, price, age range, small parts, text embedding); the
child is described by age alone; the pair by how the child's age sits inside the toy's range.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .catalog import CATEGORIES, MAX_AGE_MONTHS, SKILLS, Catalog

AGE_BANDS = (0, 12, 36, 60, 96, 132)  # band starts in months: baby, toddler, pre-school, ...
CHILD_DIM = 1 + len(AGE_BANDS)
PAIR_DIM = 3


@dataclass(frozen=True)
class ToyFeatures:
    """Everything a learner may know about the toys: no names, no ids, no files."""

    x: torch.Tensor            # [n, toy_dim] model input
    content: torch.Tensor      # [n, d] unit-norm content vectors (k-NN, reasons, prototypes)
    category: torch.Tensor     # [n] category index
    min_age: torch.Tensor      # [n] months (float)
    max_age: torch.Tensor      # [n] months (float)

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def dim(self) -> int:
        return self.x.shape[1]

    def to(self, device: torch.device) -> "ToyFeatures":
        return ToyFeatures(*(t.to(device) for t in (self.x, self.content, self.category,
                                                    self.min_age, self.max_age)))


def build_toy_features(category: np.ndarray, skills: np.ndarray, price: np.ndarray,
                       min_age: np.ndarray, max_age: np.ndarray, small_parts: np.ndarray,
                       text: np.ndarray) -> ToyFeatures:
    """Assemble toy features from raw columns (category indices, multi-hot skills, ...)."""
    n = len(category)
    cat_onehot = np.zeros((n, len(CATEGORIES)), np.float32)
    cat_onehot[np.arange(n), category] = 1.0
    skills = skills.astype(np.float32)
    log_price = ((np.log(price) - np.log(20.0)) / 1.0).astype(np.float32)[:, None]
    ages = np.stack([min_age / MAX_AGE_MONTHS, max_age / MAX_AGE_MONTHS], 1).astype(np.float32)
    x = np.concatenate([cat_onehot, skills, log_price, ages,
                        small_parts.astype(np.float32)[:, None], text.astype(np.float32)], 1)
    # Content vector for similarity: what the toy *is*, not how old or how pricey.
    content = np.concatenate([cat_onehot * 1.5,
                              skills / np.sqrt(np.maximum(skills.sum(1, keepdims=True), 1)),
                              0.25 * text / np.sqrt(text.shape[1])], 1)
    content /= np.linalg.norm(content, axis=1, keepdims=True) + 1e-8
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return ToyFeatures(as_t(x), as_t(content.astype(np.float32)), as_t(category.astype(np.int64)),
                       as_t(min_age.astype(np.float32)), as_t(max_age.astype(np.float32)))


def catalog_features(catalog: Catalog, text: np.ndarray) -> ToyFeatures:
    """Features of the shipped catalog (``text`` from :mod:`metarec.core.text_embedding`)."""
    f = catalog.frame
    category = f["category"].map(CATEGORIES.index).to_numpy()
    skills = np.array([[s in row.split(";") for s in SKILLS] for row in f["skills"]], np.float32)
    return build_toy_features(category, skills, f["price"].to_numpy(float),
                              f["min_age_months"].to_numpy(float), f["max_age_months"].to_numpy(float),
                              f["small_parts"].to_numpy(), text)


def synthetic_toy_features(n: int, seed: int = 0, text_dim: int = 32) -> ToyFeatures:
    """A random catalog of ``n`` toys with realistic ranges, for benchmarks at scale."""
    rng = np.random.default_rng(seed)
    lo = rng.integers(0, MAX_AGE_MONTHS - 12, n)
    hi = np.minimum(lo + rng.integers(12, 96, n), MAX_AGE_MONTHS)
    skills = rng.random((n, len(SKILLS))) < 0.25
    skills[np.arange(n), rng.integers(0, len(SKILLS), n)] = True
    return build_toy_features(rng.integers(0, len(CATEGORIES), n), skills,
                              np.exp(rng.normal(3.0, 0.7, n)), lo.astype(float), hi.astype(float),
                              (lo >= 36) & (rng.random(n) < 0.5), rng.normal(size=(n, text_dim)))


def child_features(age_months: torch.Tensor) -> torch.Tensor:
    """``[..., CHILD_DIM]``: scaled age and a one-hot age band."""
    age = torch.as_tensor(age_months, dtype=torch.float32)
    starts = torch.tensor(AGE_BANDS, dtype=torch.float32, device=age.device)
    ends = torch.cat([starts[1:], torch.tensor([float("inf")], device=age.device)])
    a = age.unsqueeze(-1)
    onehot = ((a >= starts) & (a < ends)).to(age.dtype)  # no one_hot(): it breaks under vmap
    return torch.cat([(age / MAX_AGE_MONTHS).unsqueeze(-1), onehot], -1)


def pair_features(age_months: torch.Tensor, min_age: torch.Tensor, max_age: torch.Tensor) -> torch.Tensor:
    """``[n, PAIR_DIM]``: where the age sits in each toy's range, how central, time to outgrow."""
    pos = ((age_months - min_age) / (max_age - min_age).clamp_min(1.0)).clamp(-1.0, 2.0)
    central = 1.0 - (2.0 * pos - 1.0).abs()
    outgrow = (max_age - age_months) / MAX_AGE_MONTHS
    return torch.stack([pos, central, outgrow], -1)
