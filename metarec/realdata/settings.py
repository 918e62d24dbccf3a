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
    seq_epochs: int = 12               # seqmodel: training epochs at most (early stopping, patience 2)
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
    splits; ``experiments/melu_bias_crossfit.py``). ``length_buckets``: drawing each meta-batch
    from one of 8 support-length groups halves a step's cost (less padding) and measured the same
    as uniform batches in the same cross-fit (single members, seeds 0-1: 0.6459 vs 0.6473, paired
    -0.0015 +- 0.0062 over the six splits; ``experiments/melu_base_crossfit.py``). The same
    settings serve ``melu-mf`` (the network over MF fold-in instead of the bias model).
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
    length_buckets: int = 8      # meta-batches drawn from one of this many support-length groups

    @classmethod
    def quick(cls) -> "MeluBiasSettings":
        """``--quick``: 2 members, 20 outer steps at most, validation every 10 (a pipeline check)."""
        return cls(max_iters=20, eval_every=10, n_seeds=2)


@dataclass(frozen=True)
class MFSettings(_Preset):
    """``mf-foldin`` (:mod:`metarec.realdata.mf`) and the MF base of ``melu-mf``.

    The item side is fitted on the training users' ratings only (a validation / test user is
    never in the MF training; each is folded in on their support ratings). On each split the
    rank is chosen on its validation users from ``ranks``; lambda and the ALS sweeps are fixed:
    with every combination of rank {2, 5, 10, 20}, lambda {3, 10, 30}, epochs {5, 10, 20} in the
    grid, choosing per split on 29 validation users and measuring on the other 29 lost to the
    bias model, because lambda = 10 was best on average and the per-split choice chased noise
    (``experiments/mf_foldin_grid.py``, validation users of the published split and split seeds
    1-20; the test users were not scored).
    """

    ranks: tuple[int, ...] = (5, 10, 20)   # factors, chosen per split on its validation users
    lams: tuple[float, ...] = (10.0,)      # ridge penalty of every user / item regression
    epochs: tuple[int, ...] = (20,)        # ALS sweeps
    base_folds: int = 5                    # melu-mf: training tasks' models leave a fifth of users out

    @classmethod
    def quick(cls) -> "MFSettings":
        """``--quick``: one setting (rank 5, lambda 10, 10 epochs)."""
        return cls(ranks=(5,), lams=(10.0,), epochs=(10,))


@dataclass(frozen=True)
class MovieLensSettings(_Preset):
    """MovieLens-100K, the published cold-start protocol (RecBole-MetaRec)."""

    extra_split_seeds: tuple[int, ...] = tuple(range(1, 21))  # 20 more splits drawn the published way
    gradient_iters: int = 300          # melu / fomaml: outer steps at most (early stopping)
    gradient_eval_every: int = 50      # melu / fomaml: outer steps between validations
    melu_bias: MeluBiasSettings = field(default_factory=MeluBiasSettings)
    mf: MFSettings = field(default_factory=MFSettings)
    # processes the splits run in (1: this one). The numbers do not depend on it (every split and
    # member is seeded on its own), so it is not part of what makes a preset ``quick``.
    workers: int = field(default=1, compare=False)

    @classmethod
    def quick(cls) -> "MovieLensSettings":
        """``--quick``: the published split and the same 20 more splits, very short training
        (checks the pipeline and the JSON's shape, not the level)."""
        return cls(gradient_iters=20, gradient_eval_every=10, melu_bias=MeluBiasSettings.quick(),
                   mf=MFSettings.quick())
