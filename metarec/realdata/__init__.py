"""Real-data benchmarks: Amazon Toys (S3-Rec protocol, cold-start users) and MovieLens-100K
(the published RecBole-MetaRec cold-start protocol). Entry point: :func:`evaluate_real`.

Modules, bottom first (each imports only from those above it; none imports this package's
``__init__`` or anything above :mod:`metarec.training` / :mod:`metarec.evaluation`):

- :mod:`.loaders`: read the data files (read-only, outside the repository);
- :mod:`.settings`: one settings dataclass per data set, each with a ``quick()`` preset;
- :mod:`.progress`, :mod:`.protocols`, :mod:`.tasks`: log lines; splits, negatives and per-user
  metrics; ragged tasks padded into the library's ``Task``;
- :mod:`.ranking`: ranking with a batched scorer, per-user metrics, result rows;
- :mod:`.meta_train`, :mod:`.seqmodel`, :mod:`.melu_bias`: the learners' trainers (the library's
  gradient learners, ``seqmodel``, ``melu-bias``);
- :mod:`.amazon`, :mod:`.movielens`: each data set's methods, in a name -> builder registry;
- :mod:`.amazon_s3rec`, :mod:`.amazon_coldstart`, :mod:`.movielens_published`: the benchmarks;
- :mod:`.registry`: ``BENCHMARKS`` and :func:`evaluate_real`.
"""
from __future__ import annotations

from .registry import BENCHMARKS, PROTOCOLS, Benchmark, evaluate_real
from .settings import AmazonSettings, MeluBiasSettings, MovieLensSettings

__all__ = ["BENCHMARKS", "PROTOCOLS", "Benchmark", "evaluate_real", "AmazonSettings",
           "MeluBiasSettings", "MovieLensSettings"]
