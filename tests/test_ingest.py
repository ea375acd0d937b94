"""Reading articles from every supported format, and every kind of bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conflictradar.errors import E, InputError
from conflictradar.ingest import read_paths
from conflictradar.schema import Article
from conflictradar.testing import sample_articles, write_jsonl

LIMIT = 2_000_000
ENGLISH = (
    "Gunmen attacked a checkpoint on the edge of the town on Sunday, killing two police officers, "
    "a local official said. The attackers fled into the hills before reinforcements arrived from the city."
)


def _read(*paths: Path, limit: int = LIMIT) -> list[Article | InputError]:
    return list(read_paths(paths, limit))


def test_jsonl_reads_every_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "a1", "text": ENGLISH, "published": "2024-02-03", "title": "T", "url": "https://x/1", "source": "S"},
        {"id": 7, "text": ENGLISH + " More.", "published": None},
    ])
    first, second = _read(path)
    assert first == Article("a1", ENGLISH, date(2024, 2, 3), "T", "https://x/1", "S")
    assert isinstance(second, Article) and second.id == "7" and second.published is None


def test_malformed_jsonl_line_is_named_and_the_rest_still_read(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    good = json.dumps({"id": "ok", "text": ENGLISH})
    path.write_text(f"{good}\n{{not json\n\n{json.dumps({'id': 'ok2', 'text': ENGLISH + ' Again.'})}\n")
    results = _read(path)
    assert [type(r).__name__ for r in results] == ["Article", "InputError", "Article"]
    error = results[1]
    assert isinstance(error, InputError) and error.code is E.E004 and error.line == 2
    assert str(error).startswith(f"{path}:2: E004")


@pytest.mark.parametrize(
    ("record", "code", "field"),
    [
        ({"text": ENGLISH}, E.E005, "id"),
        ({"id": "x", "text": "  "}, E.E005, "text"),
        ({"id": "x", "text": 5}, E.E006, "text"),
        ({"id": "x", "text": ENGLISH, "published": "last week"}, E.E006, "published"),
        (["not", "an", "object"], E.E006, "<line>"),
    ],
)
def test_invalid_records_say_which_field(tmp_path: Path, record: object, code: E, field: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (error,) = _read(path)
    assert isinstance(error, InputError) and error.code is code and error.details["field"] == field
    assert error.line == 1


def test_empty_binary_and_missing_files_are_rejected(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\xe9 attaqu\xe9".encode("latin-1"))
    results = _read(empty, binary, latin1, tmp_path / "missing.jsonl")
    assert [r.code for r in results if isinstance(r, InputError)] == [E.E002, E.E003, E.E003, E.E023]


def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    # Permissions do not stop root (CI runs as root), but reading process memory as a file fails for anyone.
    path = tmp_path / "unreadable.txt"
    path.symlink_to("/proc/self/mem")
    (error,) = _read(path)
    assert isinstance(error, InputError) and error.code is E.E001
    assert str(error).startswith(f"{path}: E001: cannot read file")


def test_oversized_article_is_rejected_but_its_neighbours_are_kept(tmp_path: Path) -> None:
    huge = (ENGLISH + " ") * (20_000_000 // len(ENGLISH))
    path = write_jsonl(tmp_path / "big.jsonl", [{"id": "big", "text": huge}, {"id": "small", "text": ENGLISH}])
    big, small = _read(path)
    assert isinstance(big, InputError) and big.code is E.E007 and big.line == 1
    assert isinstance(small, Article) and small.id == "small"


def test_non_english_article_is_rejected(tmp_path: Path) -> None:
    spanish = (
        "Hombres armados atacaron un puesto de control en las afueras de la ciudad el domingo y mataron "
        "a dos agentes de policía, según informó un funcionario local. Los atacantes huyeron hacia las "
        "colinas antes de que llegaran los refuerzos desde la capital del departamento."
    )
    path = write_jsonl(tmp_path / "es.jsonl", [{"id": "es", "text": spanish}, {"id": "en", "text": ENGLISH}])
    es, en = _read(path)
    assert isinstance(es, InputError) and es.code is E.E008 and es.details["language"] == "es"
    assert isinstance(en, Article)


def test_arabic_script_article_is_rejected(tmp_path: Path) -> None:
    arabic = "هاجم مسلحون نقطة تفتيش على أطراف المدينة يوم الأحد وقتلوا اثنين من رجال الشرطة " * 3
    (error,) = _read(write_jsonl(tmp_path / "ar.jsonl", [{"id": "ar", "text": arabic}]))
    assert isinstance(error, InputError) and error.code is E.E008


def test_terse_headline_style_english_is_accepted(tmp_path: Path) -> None:
    headline = (
        "Rebel commanders say drones hit army depot housing fuel stores, radar units, several armoured "
        "vehicles near northern border town, killing four guards"
    )
    (article,) = _read(write_jsonl(tmp_path / "h.jsonl", [{"id": "h", "text": headline}]))
    assert isinstance(article, Article)


def test_text_file_header_and_body(tmp_path: Path) -> None:
    path = tmp_path / "report-17.txt"
    path.write_text(f"Title: Checkpoint attack\nPublished: 2024-06-01\nSource: Wire\n\n{ENGLISH}\n")
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert (article.id, article.title, article.published, article.source) == (
        "report-17", "Checkpoint attack", date(2024, 6, 1), "Wire")
    assert article.text == ENGLISH


def test_html_page_keeps_paragraphs_and_drops_navigation(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Attack</title><meta property='article:published_time' content='2024-06-02T10:00Z'>"
        "<script>var x = 1;</script></head><body><nav>Home | World</nav>"
        f"<p>{ENGLISH}</p><p>Second &amp; last paragraph.</p></body></html>"
    )
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert article.title == "Attack" and article.published == date(2024, 6, 2)
    assert article.text == f"{ENGLISH}\n\nSecond & last paragraph."


def test_rss_and_atom_items_become_articles(tmp_path: Path) -> None:
    rss = tmp_path / "feed.xml"
    rss.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
        "<item><title>One</title><link>https://x/1</link><guid>g1</guid>"
        "<pubDate>Tue, 04 Jun 2024 08:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;{ENGLISH}&lt;/p&gt;</description></item></channel></rss>"
    )
    atom = tmp_path / "feed.atom"
    atom.write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>Atom Wire</title><entry><id>urn:a2</id>"
        f"<title>Two</title><link href='https://x/2'/><updated>2024-06-05T00:00:00Z</updated><summary>{ENGLISH}</summary>"
        "</entry></feed>"
    )
    one, two = _read(rss, atom)
    assert isinstance(one, Article) and isinstance(two, Article)
    assert (one.id, one.url, one.published, one.source, one.text) == (
        "g1", "https://x/1", date(2024, 6, 4), "Wire", ENGLISH)
    assert (two.id, two.url, two.published, two.source) == ("urn:a2", "https://x/2", date(2024, 6, 5), "Atom Wire")


def test_malformed_feed_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<rss>\n<channel>\n<item></channel>\n")
    (error,) = _read(path)
    assert isinstance(error, InputError) and error.code is E.E010 and error.line == 3


def test_unsupported_suffix_in_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    (error,) = _read(path)
    assert isinstance(error, InputError) and error.code is E.E009


def test_folders_are_read_in_sorted_order_and_skip_other_files(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text(ENGLISH)
    (tmp_path / "a.txt").write_text(ENGLISH + " Earlier.")
    (tmp_path / "notes.docx").write_bytes(b"ignored")
    ids = [r.id for r in _read(tmp_path) if isinstance(r, Article)]
    assert ids == ["a", "b"]


def test_bundled_samples_cover_every_format() -> None:
    articles = sample_articles()
    assert len(articles) >= 8
    assert all(a.published is not None for a in articles)
    assert len({a.id for a in articles}) == len(articles)
