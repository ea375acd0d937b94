"""Readers that turn files into articles: plain text, HTML, JSON / JSON Lines and RSS/Atom feeds.

Each reader yields ``Article`` objects or ``InputError`` values (never raises for bad content), so one bad
line or item never stops the rest of a batch.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from ..errors import E, InputError
from ..schema import Article
from ._language import foreign_language

ReadResult = Article | InputError
#: What a reader yields: the line an article came from (None for whole-file formats) and the result.
Located = tuple[int | None, ReadResult]

SUFFIXES = {".txt", ".text", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".xml", ".rss", ".atom"}

_HEADER = re.compile(r"^(title|published|date|source|url|id)\s*:\s*(.*)$", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n\s*\n+")


def check_article(article: Article, path: Path, line: int | None, max_bytes: int) -> ReadResult:
    """The checks every article passes whatever its file format: size, emptiness, language."""
    size = len(article.text.encode("utf-8"))
    if size > max_bytes:
        return InputError(E.E007, path, line, size=size, limit=max_bytes)
    if not article.text.strip():
        return InputError(E.E005, path, line, field="text")
    foreign = foreign_language(article.text)
    if foreign is not None:
        return InputError(E.E008, path, line, language=foreign[0], share=foreign[1])
    return article


def parse_date(value: Any) -> date | None:
    """ISO dates, ISO datetimes and RFC 822 dates (RSS); None for anything else."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def article_from_record(record: Any, path: Path, line: int | None) -> ReadResult:
    """Validate one JSON object against the article contract."""
    if not isinstance(record, dict):
        return InputError(E.E006, path, line, field="<line>", got=type(record).__name__, expected="a JSON object")
    for name in ("id", "text"):
        value = record.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return InputError(E.E005, path, line, field=name)
    if not isinstance(record["text"], str):
        return InputError(E.E006, path, line, field="text", got=type(record["text"]).__name__, expected="a string")
    if not isinstance(record["id"], str | int):
        return InputError(E.E006, path, line, field="id", got=type(record["id"]).__name__, expected="a string")
    published = record.get("published")
    parsed = parse_date(published)
    if published not in (None, "") and parsed is None:
        return InputError(E.E006, path, line, field="published", got=published, expected="YYYY-MM-DD or null")
    return Article(
        id=str(record["id"]),
        text=record["text"],
        published=parsed,
        title=_opt_str(record.get("title")),
        url=_opt_str(record.get("url")),
        source=_opt_str(record.get("source")),
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-empty lines of a UTF-8 text file with their 1-based numbers (raises InputError E001 when the
    file cannot be read: for readers that stop at the first bad file, unlike ``read_paths``)."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(E.E001, path, reason=reason) from exc
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line


def read_jsonl(path: Path, text: str) -> Iterator[Located]:
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield number, InputError(E.E004, path, number, reason=exc.msg)
            continue
        yield number, article_from_record(record, path, number)


def read_json(path: Path, text: str) -> Iterator[Located]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # A .json file holding JSON Lines is common enough to accept.
        if "Extra data" in exc.msg:
            yield from read_jsonl(path, text)
            return
        yield exc.lineno, InputError(E.E004, path, exc.lineno, reason=exc.msg)
        return
    records = data if isinstance(data, list) else [data]
    for record in records:
        yield None, article_from_record(record, path, None)


def read_text(path: Path, text: str) -> Iterator[Located]:
    """A .txt file is one article; optional 'Title:', 'Published:', 'Source:', 'URL:', 'Id:' header lines."""
    header: dict[str, str] = {}
    lines = text.lstrip("\ufeff").split("\n")
    body_start = 0
    for i, line in enumerate(lines):
        match = _HEADER.match(line.strip())
        if not match:
            body_start = i
            break
        header[match.group(1).lower()] = match.group(2).strip()
    else:
        body_start = len(lines)
    body = "\n".join(lines[body_start:]).strip()
    published_raw = header.get("published") or header.get("date")
    yield None, Article(
        id=header.get("id") or path.stem,
        text=body,
        published=parse_date(published_raw),
        title=header.get("title"),
        url=header.get("url"),
        source=header.get("source"),
    )


class _HtmlText(HTMLParser):
    """Collects the readable text of an HTML page: title, paragraphs, headings, list items; skips scripts."""

    _BLOCK: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article", "section"})
    _SKIP: ClassVar[frozenset[str]] = frozenset(
        {"script", "style", "noscript", "nav", "footer", "header", "aside", "form"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.published: str | None = None
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "meta" and (attr.get("property") or attr.get("name") or "").lower() in {
            "article:published_time",
            "date",
            "pubdate",
            "dc.date",
        }:
            self.published = self.published or attr.get("content")
        elif tag == "time" and attr.get("datetime"):
            self.published = self.published or attr.get("datetime")
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip_depth:
            self.parts.append(data)

    def text(self) -> str:
        joined = _SPACES.sub(" ", "".join(self.parts))
        paragraphs = (p.strip() for p in _BLANKS.split(joined.replace(" \n", "\n").replace("\n ", "\n")))
        return "\n\n".join(" ".join(p.split("\n")) for p in paragraphs if p)


def html_to_text(html: str) -> tuple[str, str, str | None]:
    """(title, text, published) of an HTML page."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.title.strip(), parser.text(), parser.published


def read_html(path: Path, text: str) -> Iterator[Located]:
    title, body, published = html_to_text(text)
    yield None, Article(id=path.stem, text=body, published=parse_date(published), title=title or None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names:
            if _local(child.tag) == "link" and child.get("href"):
                return child.get("href")
            return (child.text or "").strip() or None
    return None


def read_feed(path: Path, text: str) -> Iterator[Located]:
    """RSS 2.0 <item>s and Atom <entry>s; each item's HTML description becomes its text."""
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as exc:
        yield exc.position[0], InputError(E.E010, path, exc.position[0], reason=str(exc))
        return
    channel = root.find(".//{*}channel")
    feed_title = _child_text(channel if channel is not None else root, "title")
    items = [el for el in root.iter() if _local(el.tag) in {"item", "entry"}]
    for index, item in enumerate(items, start=1):
        raw_body = _child_text(item, "encoded", "content", "description", "summary") or ""
        _, body, _ = html_to_text(raw_body)
        link = _child_text(item, "link")
        ident = _child_text(item, "guid", "id") or link or f"{path.stem}-{index}"
        title = _child_text(item, "title")
        published = _child_text(item, "pubDate", "published", "updated", "date")
        yield None, Article(
            id=ident,
            text=body,
            published=parse_date(published),
            title=title,
            url=link,
            source=feed_title,
        )


_READERS = {
    ".txt": read_text,
    ".text": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".xml": read_feed,
    ".rss": read_feed,
    ".atom": read_feed,
}


def decode(path: Path, data: bytes) -> str | InputError:
    """UTF-8 text of a file, or the error that says why it is not text."""
    if not data.strip():
        return InputError(E.E002, path)
    if b"\x00" in data[:8192]:
        return InputError(E.E003, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return InputError(E.E003, path)


def read_file(path: Path, max_bytes: int) -> Iterator[Located]:
    """All articles of one file, each already checked."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        yield None, InputError(E.E009, path, suffix=path.suffix)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield None, InputError(E.E001, path, reason=exc.strerror or str(exc))
        return
    text = decode(path, data)
    if isinstance(text, InputError):
        yield None, text
        return
    for line, result in reader(path, text):
        if isinstance(result, Article):
            result = check_article(result, path, line, max_bytes)
        yield line, result


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Files named directly, and the supported files inside folders (sorted, so runs are reproducible)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in SUFFIXES and not child.name.startswith("."):
                    yield child
        elif path.exists():
            yield path
        else:
            yield InputError(E.E023, path)
