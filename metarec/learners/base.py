"""The one interface every learner and baseline implements.

``adapt(support) -> state`` learns what it can from one family's few shots; ``score(state, toys)``
scores toy indices for that family (higher = more likely to be liked). States are private to the
learner and never share storage with its pretrained parameters, so one learner object can serve
many families at once (see tests/unit/test_isolation.py). A learner's human title lives in the
locale files (:func:`metarec.i18n.method_title`), not here.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import torch

from ..core.episodes import Support


@runtime_checkable
class Learner(Protocol):
    name: str         # registry name, used by the CLI (``--method``) and the app
    paper: str        # the paper it follows, or "baseline: ..."

    def adapt(self, support: Support) -> Any:
        """Learn from one family's support set; return an opaque per-family state."""

    def score(self, state: Any, toys: torch.Tensor) -> torch.Tensor:
        """Scores ``[len(toys)]`` of toy indices ``toys`` for the family behind ``state``."""
