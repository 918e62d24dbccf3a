"""Loaders for the real data sets (read-only, outside the repository; see ``metarec.core.paths.data_dir``).

- :mod:`metarec.realdata.loaders.amazon`: Amazon "Toys and Games" 5-core sequences + item descriptors (S3-Rec).
- :mod:`metarec.realdata.loaders.movielens`: GroupLens MovieLens-100K + the published cold-start split.
- :mod:`metarec.realdata.loaders.cache`: text embeddings of item descriptors, cached outside the repository.
- :mod:`metarec.realdata.loaders.errors`: :class:`DataError`.

Every problem with a file (missing, unreadable, malformed) raises :class:`DataError`, whose message
names the path and the expected format, so the CLI can print it as one ``error: ...`` line.
"""
from __future__ import annotations

from .amazon import AmazonToys, load_amazon_toys
from .errors import DataError
from .movielens import MovieLens, load_movielens, load_published_split

__all__ = ["DataError", "AmazonToys", "load_amazon_toys", "MovieLens", "load_movielens",
           "load_published_split"]
