"""conflictradar: armed-conflict news in, geocoded, deduplicated ACLED-style event records out.

The public surface is small: the ``ConflictRadar`` core object (which the CLI, the web app and the
tests all build), the record types of ``conflictradar.schema`` and the exception tree of
``conflictradar.errors``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ConfigError, ConflictRadarError, GazetteerError, InputError, StoreError
from .schema import Actor, Article, Count, Event, Evidence, Location, Span, Toponym

__all__ = [
    "Actor",
    "Article",
    "ConfigError",
    "ConflictRadar",
    "ConflictRadarError",
    "Count",
    "Event",
    "Evidence",
    "GazetteerError",
    "InputError",
    "Location",
    "Span",
    "StoreError",
    "Toponym",
    "__version__",
]


def __getattr__(name: str) -> object:
    # The core object pulls in spaCy and SQLAlchemy; import it only when asked for.
    if name == "ConflictRadar":
        from .app import ConflictRadar

        return ConflictRadar
    raise AttributeError(name)
