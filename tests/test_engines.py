"""The local engine: ``--workers N`` gives the same records, in the same order, as one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictradar.app import ConflictRadar
from conflictradar.cli import app
from conflictradar.engines import ProcessPool
from conflictradar.schema import dumps
from conflictradar.settings import Settings
from conflictradar.store import EventQuery
from conflictradar.testing import build_core, sample_articles, sample_corpus, write_jsonl

pytestmark = pytest.mark.slow


def _event_lines(core: ConflictRadar) -> list[str]:
    return [dumps(e.to_dict()) for _article, found in core.process(sample_articles()) for e in found]


def test_two_worker_processes_give_the_bytes_of_one_process() -> None:
    one = ConflictRadar(Settings.from_env())
    two = ConflictRadar(Settings.from_env(), workers=2)
    two.pool.chunk_size = 1  # one task per article: tasks finish out of order, output must not
    try:
        workers = two.pool.start()  # every worker up and loaded before the first article
        assert len(workers) == 2 and os.getpid() not in workers
        expected, got = _event_lines(one), _event_lines(two)
    finally:
        two.close()
    assert expected, "the sample corpus has events"
    assert got == expected


def test_warm_up_loads_the_model_lexicons_and_gazetteer_before_the_first_article() -> None:
    core = ConflictRadar(Settings.from_env())
    assert not {"nlp", "extractor", "geocoder"} & set(vars(core))
    core.warm_up()
    assert {"nlp", "extractor", "geocoder"} <= set(vars(core))
    assert core.nlp._nlp is not None
    assert "store" not in vars(core), "extraction needs no database"


def test_a_pool_needs_at_least_one_worker() -> None:
    with pytest.raises(ValueError, match="workers must be >= 1"):
        ProcessPool(Settings.from_env(), 0)


def test_cli_extract_and_ingest_with_workers_match_one_worker(tmp_path: Path, db_url: str) -> None:
    articles = write_jsonl(tmp_path / "in.jsonl", [a.to_dict() for a in sample_articles()])
    runner = CliRunner()
    for workers in ("1", "2"):
        done = runner.invoke(app, ["extract", str(articles), "-o", str(tmp_path / f"w{workers}.jsonl"),
                                   "--workers", workers])
        assert done.exit_code == 0, done.output
    assert (tmp_path / "w2.jsonl").read_bytes() == (tmp_path / "w1.jsonl").read_bytes()

    done = runner.invoke(app, ["ingest", str(sample_corpus()), "--db", db_url, "--workers", "2"])
    assert done.exit_code == 0, done.output
    reference = build_core(tmp_path / "reference.db")
    reference.ingest([sample_corpus()])
    stored = build_core(db_url)
    assert [e.to_dict() for e in stored.events(EventQuery(raw=True))] == \
        [e.to_dict() for e in reference.events(EventQuery(raw=True))]
    stored.close()
    reference.close()
