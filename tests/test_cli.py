"""The command line as a user runs it: real processes, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conflictradar.testing import sample_corpus, write_jsonl

REPORT = (
    "Militants attacked an army checkpoint near Gwoza in Borno state on Tuesday, killing three soldiers, "
    "officials said. The checkpoint is manned by about 40 troops."
)


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conflictradar", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=300)


def test_extract_writes_event_records_and_is_deterministic(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "in.jsonl", [{"id": "cli-1", "text": REPORT, "published": "2024-06-06"}])
    first = run("extract", str(corpus), "-o", str(tmp_path / "a.jsonl"), cwd=tmp_path)
    second = run("extract", str(corpus), "-o", str(tmp_path / "b.jsonl"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    out = (tmp_path / "a.jsonl").read_bytes()
    assert out == (tmp_path / "b.jsonl").read_bytes()
    records = [json.loads(line) for line in out.decode().splitlines()]
    assert records and all(r["article_id"] == "cli-1" for r in records)
    assert any(r["fatalities"]["best"] == 3 for r in records)
    assert all(r["fatalities"]["best"] != 40 for r in records)
    assert not (tmp_path / "conflictradar.db").exists(), "extract must not store anything"


def test_extract_reports_bad_lines_and_exits_1(tmp_path: Path) -> None:
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text(json.dumps({"id": "ok", "text": REPORT, "published": "2024-06-06"}) + "\n{broken\n")
    result = run("extract", str(corpus), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{corpus}:2: E004" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["article_id"] == "ok"


def test_ingest_events_and_export_on_the_sample_corpus(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    ingested = run("ingest", str(sample_corpus()), "--db", db, cwd=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    assert "0 inputs rejected" in ingested.stderr
    again = run("ingest", str(sample_corpus()), "--db", db, cwd=tmp_path)
    assert "0 added" in again.stderr and "0 events stored" in again.stderr

    listed = run("events", "--db", db, "--country", "SO", "--format", "jsonl", "--raw", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    somali = [json.loads(line) for line in listed.stdout.splitlines()]
    assert somali and all(r["location"]["country_code"] == "SO" for r in somali)

    table = run("events", "--db", db, "--type", "Battles", cwd=tmp_path)
    assert table.returncode == 0 and "Battles" in table.stdout

    bad_type = run("events", "--db", db, "--type", "Skirmish", cwd=tmp_path)
    assert bad_type.returncode == 1 and "E022" in bad_type.stderr

    out = tmp_path / "all.csv"
    exported = run("export", "--db", db, "--format", "acled-csv", "-o", str(out), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert out.read_text().startswith("event_id_cnty,event_date,year,")


def test_ingest_with_some_bad_input_stores_the_rest_and_exits_1(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'mixed.db'}"
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl", [{"id": "g", "text": REPORT, "published": "2024-06-06"}])
    (folder / "empty.txt").write_text("")
    (folder / "bad.jsonl").write_text('{"id": "x"}\n')
    result = run("ingest", str(folder), "--db", db, cwd=tmp_path)
    assert result.returncode == 1
    assert f"{folder / 'empty.txt'}: E002" in result.stderr
    assert f"{folder / 'bad.jsonl'}:1: E005" in result.stderr
    assert "1 added" in result.stderr


def test_missing_model_and_bad_database_are_clean_errors(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "in.jsonl", [{"id": "m", "text": REPORT}])
    no_model = run("extract", str(corpus), "--model", "en_no_such_model", cwd=tmp_path)
    assert no_model.returncode == 3 and "E020" in no_model.stderr and "Traceback" not in no_model.stderr
    bad_db = run("events", "--db", "nosuchdialect://x", cwd=tmp_path)
    assert bad_db.returncode == 3 and "E021" in bad_db.stderr and "Traceback" not in bad_db.stderr


@pytest.mark.slow
def test_demo_ingests_samples_and_writes_every_export(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("events.csv", "events.geojson", "events.parquet", "events.jsonl"):
        assert (tmp_path / "exports" / name).stat().st_size > 0
        assert f"exports/{name}" in result.stdout
    assert (tmp_path / "conflictradar.db").exists()
