"""Stage 1, ingest: files and streams in, checked ``Article`` records out.

Bad input never raises here: it comes out as an ``InputError`` value naming the file and line,
so the caller can report it and go on with the rest of the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..schema import Article
from ._readers import (
    SUFFIXES,
    ReadResult,
    article_from_record,
    expand_paths,
    html_to_text,
    numbered_lines,
    read_file,
)

__all__ = ["SUFFIXES", "Article", "ReadResult", "article_from_record", "html_to_text", "numbered_lines", "read_paths"]


def read_paths(paths: Iterable[Path | str], max_article_bytes: int) -> Iterator[ReadResult]:
    """Every article (or input error) in the files and folders given, in a stable order."""
    for item in expand_paths(Path(p) for p in paths):
        if isinstance(item, InputError):
            yield item
            continue
        for _line, result in read_file(item, max_article_bytes):
            yield result

