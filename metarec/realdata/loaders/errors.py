"""The one error the loaders raise (its own module, so the loaders and their package's ``__init__``
can both import it without a cycle)."""
from __future__ import annotations

from ...core.errors import MetarecError


class DataError(MetarecError, ValueError):
    """A real-data file is missing or malformed; the message names the path and expected format."""
