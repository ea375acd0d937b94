"""The Ray Data engine on a local Ray: same event bytes as one process, and partitions that load idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

ray = pytest.importorskip("ray", reason="ray is not installed: pip install 'conflictradar[ray]'")

from conflictradar.app import ConflictRadar  # noqa: E402
from conflictradar.cli import app  # noqa: E402
from conflictradar.engines.ray_engine import extract_with_ray, load_partitions, read_partitions  # noqa: E402
from conflictradar.schema import dumps  # noqa: E402
from conflictradar.settings import Settings  # noqa: E402
from conflictradar.store import EventQuery  # noqa: E402
from conflictradar.testing import build_core, sample_articles, write_jsonl  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ray")]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample articles over two JSONL partitions and a Parquet file, plus a bad line and a bad file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("articles")
    records = [a.to_dict() for a in sample_articles()]
    write_jsonl(folder / "a.jsonl", records[0::3])
    write_jsonl(folder / "b.jsonl", [*records[1::3], {"id": "no-text"}])
    pq.write_table(pa.Table.from_pylist(records[2::3]), folder / "c.parquet")
    (folder / "d.parquet").write_bytes(b"not parquet at all")
    return folder


@pytest.fixture(scope="module")
def partitions(local_ray: None, inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("partitions")
    report = extract_with_ray([inputs], out, Settings.from_env(), actors=2, batch_size=2)
    assert report.articles == len(sample_articles())
    assert [m.split(": ")[1] for m in report.rejected] == ["E005", "E061"]
    return out


def _single_process_lines(inputs: Path) -> list[str]:
    """What one process gives for the same files, read in the pipeline's file order."""
    import pyarrow.parquet as pq

    from conflictradar.engines.ray_engine import input_files
    from conflictradar.ingest import read_paths
    from conflictradar.schema import Article

    files, _missing = input_files([inputs])
    articles: list[Article] = []
    for path in files:
        if path.name == "d.parquet":
            continue  # the unreadable file: rejected by both paths
        if path.suffix == ".parquet":
            articles += map(Article.from_dict, pq.read_table(path).to_pylist())
        else:
            articles += [a for a in read_paths([path], Settings().max_article_bytes) if isinstance(a, Article)]
    core = ConflictRadar(Settings.from_env())
    return [dumps(e.to_dict()) for _a, found in core.process(articles) for e in found]


def test_ray_output_is_byte_identical_to_the_single_process_path(partitions: Path, inputs: Path) -> None:
    got = [dumps(e.to_dict()) for item in read_partitions(partitions) if not isinstance(item, str) for e in item[1]]
    expected = _single_process_lines(inputs)
    assert expected
    assert got == expected


def test_partitions_load_idempotently_with_their_articles(partitions: Path, db_url: str) -> None:
    core = build_core(db_url)
    first, messages = load_partitions(core, partitions)
    again, _ = load_partitions(core, partitions)
    assert first.articles_added == len(sample_articles()) and first.events_added > 0
    assert (again.articles_added, again.events_added) == (0, 0)
    assert len(messages) == 2
    stored = sorted(dumps(e.to_dict()) for e in core.events(EventQuery(raw=True)))
    assert stored == sorted(dumps(e.to_dict()) for item in read_partitions(partitions)
                            if not isinstance(item, str) for e in item[1])
    # Loaded reports are clustered like ingested ones: every report belongs to one canonical event.
    canonical = core.events(EventQuery())
    assert canonical and sum(len(e.sources) for e in canonical) == len(stored)
    core.close()


def test_cli_extract_with_ray_then_load(local_ray: None, inputs: Path, tmp_path: Path, db_url: str) -> None:
    runner = CliRunner()
    out = tmp_path / "parts"
    done = runner.invoke(app, ["extract", str(inputs / "a.jsonl"), "--engine", "ray", "-o", str(out)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["load", str(out), "--db", db_url])
    assert done.exit_code == 0, done.output
    assert "events stored" in done.output
    done = runner.invoke(app, ["load", str(tmp_path / "missing"), "--db", db_url])
    assert done.exit_code == 1 and "E001" in done.output


def test_extract_with_ray_needs_an_output_folder(inputs: Path) -> None:
    done = CliRunner().invoke(app, ["extract", str(inputs / "a.jsonl"), "--engine", "ray"])
    assert done.exit_code == 2


def test_an_output_folder_with_other_files_is_refused_untouched(inputs: Path, tmp_path: Path) -> None:
    from conflictradar.errors import InputError

    keep = tmp_path / "notes.txt"
    keep.write_text("not a partition")
    with pytest.raises(InputError) as caught:
        extract_with_ray([inputs], tmp_path, Settings.from_env())
    assert caught.value.code.name == "E062"
    assert keep.read_text() == "not a partition"
