"""Engines run extraction on more than one core: a local process pool, or a Ray Data pipeline.

Both give the same event records as ``ConflictRadar.process`` on one core, in the same order; they only
change where the work runs. Each worker process (or Ray actor) loads the spaCy model once.
"""

from __future__ import annotations

from .local import ProcessPool

__all__ = ["ProcessPool"]
