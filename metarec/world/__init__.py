"""The embedded default world: simulated families over the shipped catalog."""
from .simulator import Family, ToyWorld, WorldConfig

__all__ = ["Family", "ToyWorld", "WorldConfig"]
