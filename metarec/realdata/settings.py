"""Settings of the real-data benchmarks: one frozen dataclass per data set, with a ``quick`` preset.

The defaults are the full runs reported in ``docs/results-real.md``; ``quick()`` is ``--quick``
(minutes on 2 CPU cores, as in CI). Every run-size choice lives here, so a protocol function never
branches on "quick". Protocol definitions (99 negatives, 20 % held-out users, 10 query items) stay
in :mod:`metarec.realdata.protocols`: they are the benchmark, not a budget.

Example:
    >>> AmazonSettings.quick().users
    3000
    >>> from dataclasses import replace
    >>> replace(MovieLensSettings.quick(), extra_split_seeds=(1,)).gradient_iters
    100
"""
from __future__ import annotations

from dataclasses import dataclass, field


class _Preset:
    @property
    def is_quick(self) -> bool:
        """True when these are exactly the ``quick()`` settings (the JSON's ``quick`` field)."""
        return self == type(self).quick()


@dataclass(frozen=True)
class AmazonSettings(_Preset):
    """Amazon Toys (S3-Rec leave-one-out and cold-start users)."""

    users: int | None = None           # users in the run: None = all 19,412; n = a seeded sample of n
    seq_epochs: int = 12               # metaemb: training epochs at most (early stopping, patience 2)
    gradient_iters: int = 3000         # melu / fomaml: outer steps at most (early stopping)
    gradient_eval_every: int = 200     # melu / fomaml: outer steps between validations
    gradient_val_users: int = 2000     # melu / fomaml: validation users (a seeded sample) per validation
    # per-user adapted networks over 11,924 items are slow on CPU, so the all-items ranking of the
    # gradient learners uses a seeded sample of test users (the sampled-negative rows use them all)
    gradient_s3rec_users: int = 2000   # S3-Rec, all items: test users of melu / fomaml
    gradient_coldstart_users: int = 1000  # cold start: held-out users of melu / fomaml, per shot count
    shots: tuple[int, ...] = (1, 3, 5)  # cold start: support sizes (the first k items of a user)
    # s3rec-full: also rank against 99 negatives and log it (not reported); a cheap cross-check
    # that the quick runs keep
    log_sampled_on_full: bool = False

    @classmethod
    def quick(cls) -> "AmazonSettings":
        """``--quick``: 3,000 users (cold start: 600 held out), short training, small samples."""
        return cls(users=3000, seq_epochs=4, gradient_iters=150, gradient_eval_every=50,
                   gradient_val_users=500, gradient_s3rec_users=200, gradient_coldstart_users=100,
                   log_sampled_on_full=True)


@dataclass(frozen=True)
class MeluBiasSettings(_Preset):
    """``melu-bias`` (:mod:`metarec.realdata.melu_bias`) on MovieLens-100K.

    Chosen on the validation users of the published split and of split seeds 1-5 (see
    ``docs/results-real.md``); the test users of a split were never scored to choose them.
    ``n_seeds``: a 5-member mean beat the mean single member when early stopping used one half of
    each split's validation users and the other half measured (nDCG@5 0.651 vs 0.647 over the six
    splits; ``experiments/melu_bias_crossfit.py``).
    """

    inner_lr: float = 0.1        # local update: SGD step size
    inner_steps: int = 5         # local update: SGD steps on the support ratings
    outer_lr: float = 1e-3       # global update: Adam step size
    max_iters: int = 400         # outer steps at most (early stopping on validation nDCG@5)
    eval_every: int = 50         # outer steps between validations
    patience: int = 4            # validations without improvement before stopping
    support_tasks: bool = True   # validation/test users' support ratings also become training tasks
    hidden: int = 64             # width of the embedding and decision layers
    embed: int = 32              # item / user embedding size
    n_seeds: int = 5             # members averaged (seeds seed, seed + 1, ...)

    @classmethod
    def quick(cls) -> "MeluBiasSettings":
        """``--quick``: 150 outer steps at most, validation every 25."""
        return cls(max_iters=150, eval_every=25)


@dataclass(frozen=True)
class MovieLensSettings(_Preset):
    """MovieLens-100K, the published cold-start protocol (RecBole-MetaRec)."""

    extra_split_seeds: tuple[int, ...] = (1, 2, 3, 4, 5)  # more splits drawn the published way
    gradient_iters: int = 300          # melu / fomaml: outer steps at most (early stopping)
    gradient_eval_every: int = 50      # melu / fomaml: outer steps between validations
    melu_bias: MeluBiasSettings = field(default_factory=MeluBiasSettings)

    @classmethod
    def quick(cls) -> "MovieLensSettings":
        """``--quick``: the published split only, short training."""
        return cls(extra_split_seeds=(), gradient_iters=100, gradient_eval_every=25,
                   melu_bias=MeluBiasSettings.quick())
