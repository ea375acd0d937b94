"""Extraction as a Ray Data pipeline: input partitions in, Parquet partitions of results out.

    files -> flat_map(read articles) -> map_batches(actors, each loading the model once) -> write_parquet

Partition layout (one row per input article, so every event travels with the article it came from and
the articles -> events foreign key holds when ``load_partitions`` stores them):

    file_index, ordinal   where the row came from (input file number, article number in the file):
                          ``read_partitions`` sorts on them, so the output order is the input order
    path, line            the input file and line (for error messages)
    error                 null, or why the input was rejected (the message the local path prints)
    id, text, published, title, url, source    the article (published as YYYY-MM-DD)
    events                the article's event records, each as canonical JSON (``schema.dumps``)

The event JSON is byte-identical to what ``conflictradar extract`` writes on one core.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import E, InputError
from ..ingest._readers import SUFFIXES, article_from_record, check_article, read_file
from ..schema import Article, Event, dumps
from ..settings import Settings

if TYPE_CHECKING:
    from ..app import ConflictRadar, IngestReport

__all__ = ["PARTITION_SCHEMA", "RayReport", "extract_with_ray", "load_partitions", "read_partitions"]

PARTITION_SCHEMA = pa.schema([
    ("file_index", pa.int64()), ("ordinal", pa.int64()), ("path", pa.string()), ("line", pa.int64()),
    ("error", pa.string()), ("id", pa.string()), ("text", pa.string()), ("published", pa.string()),
    ("title", pa.string()), ("url", pa.string()), ("source", pa.string()), ("events", pa.list_(pa.string())),
])

#: CPUs Ray reserves per extraction actor and per file-reading task. Actors hold their CPU for the whole run,
#: so with one actor per core a whole CPU per reader would never be free and the pipeline would stall;
#: reading is light next to parsing, so readers take a tenth and actors the rest.
ACTOR_CPUS, READ_CPUS = 0.9, 0.1

#: Input suffixes the pipeline reads: every ingest format plus Parquet tables of articles.
INPUT_SUFFIXES = frozenset(SUFFIXES | {".parquet"})


@dataclass
class RayReport:
    """What one pipeline run (or one load) did."""

    articles: int = 0
    events: int = 0
    rejected: list[str] = field(default_factory=list)


# ---- reading inputs (runs in Ray tasks) -------------------------------------------------------------


def input_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[str]]:
    """The files to read (folders expanded, sorted) and an error line for each path that does not exist."""
    files: list[Path] = []
    missing: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                                and not p.name.startswith(".")))
        elif path.exists():
            files.append(path)
        else:
            missing.append(str(InputError(E.E001, path, None, reason="no such file or folder")))
    return files, missing


def _parquet_articles(path: Path, max_bytes: int) -> Iterator[tuple[int | None, Article | InputError]]:
    """A Parquet table of articles (one per row, the JSON Lines fields as columns), each checked."""
    try:
        records = pq.read_table(path).to_pylist()
    except (pa.ArrowException, OSError) as exc:
        yield None, InputError(E.E061, path, None, file=path, reason=str(exc))
        return
    for number, record in enumerate(records, start=1):
        result = article_from_record(record, path, number)
        yield number, check_article(result, path, number, max_bytes) if isinstance(result, Article) else result


def _read_rows(item: dict[str, Any], max_bytes: int) -> list[dict[str, Any]]:
    """One input file as partition rows (events still empty)."""
    path = Path(item["path"])
    results = _parquet_articles(path, max_bytes) if path.suffix.lower() == ".parquet" else read_file(path, max_bytes)
    rows = []
    for ordinal, (line, result) in enumerate(results):
        row: dict[str, Any] = {"file_index": item["file_index"], "ordinal": ordinal, "path": str(path),
                               "line": line, "events": []}
        if isinstance(result, InputError):
            row.update(error=str(result), id=None, text=None, published=None, title=None, url=None, source=None)
        else:
            row.update(result.to_dict(), error=None)
        rows.append(row)
    return rows


class _FileReader:
    """``_read_rows`` with the size limit bound (a plain callable Ray can ship to its tasks)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def __call__(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        return _read_rows(item, self.max_bytes)


def _article_of(row: dict[str, Any]) -> Article:
    return Article.from_dict(row)


class _ExtractActor:
    """A Ray actor: builds one core (and loads the model, lexicons, gazetteer) once, then extracts batch after
    batch, on one core (one BLAS thread, as the local pool's workers)."""

    def __init__(self, settings: Settings) -> None:
        from ..app import ConflictRadar
        from ..nlp import one_blas_thread

        one_blas_thread()
        self.core = ConflictRadar(settings)
        self.core.warm_up()

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = batch.to_pylist()
        good = [row for row in rows if row["error"] is None]
        for row, (_article, events) in zip(good, self.core.process(_article_of(r) for r in good), strict=True):
            row["events"] = [dumps(event.to_dict()) for event in events]
        return pa.Table.from_pylist(rows, schema=PARTITION_SCHEMA)


# ---- the pipeline (driver) --------------------------------------------------------------------------


def _init_ray(address: str | None, num_cpus: int | None) -> None:
    import ray

    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    else:  # a local Ray, unless RAY_ADDRESS in the environment names a cluster
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)


def extract_with_ray(paths: Sequence[Path | str], output: Path, settings: Settings | None = None, *,
                     actors: int = 2, batch_size: int = 16, address: str | None = None,
                     num_cpus: int | None = None) -> RayReport:
    """Run the pipeline over files/folders (any ingest format, or Parquet) and write partitions to ``output``.

    ``address`` (or ``RAY_ADDRESS``) points at a cluster; otherwise a local Ray starts with ``num_cpus``.
    Re-running into the same folder replaces its partitions.
    """
    import ray.data
    from ray.data._internal.savemode import SaveMode

    settings = settings or Settings.from_env()
    _check_output_folder(output)
    files, missing = input_files(paths)
    report = RayReport(rejected=missing)
    if not files:
        return report
    _init_ray(address, num_cpus)
    items = [{"file_index": i, "path": str(p.resolve())} for i, p in enumerate(files)]
    dataset = (
        ray.data.from_items(items, override_num_blocks=len(items))
        .flat_map(_FileReader(settings.max_article_bytes), num_cpus=READ_CPUS)
        .map_batches(_ExtractActor, fn_constructor_kwargs={"settings": settings}, batch_size=batch_size,
                     batch_format="pyarrow", concurrency=actors, num_cpus=ACTOR_CPUS)
    )
    dataset.write_parquet(str(output), mode=SaveMode.OVERWRITE)
    return _summarise(output, report)


def _check_output_folder(output: Path) -> None:
    """Refuse a folder with other files in it: writing partitions replaces everything there."""
    if not output.is_dir():
        return
    foreign = next((p for p in output.rglob("*") if p.is_file() and p.suffix != ".parquet"), None)
    if foreign is not None:
        raise InputError(E.E062, output, None, folder=output, example=foreign.name)


def _summarise(output: Path, report: RayReport) -> RayReport:
    table = pq.read_table(output, columns=["file_index", "ordinal", "error", "events"])
    table = table.sort_by([("file_index", "ascending"), ("ordinal", "ascending")])
    errors = table.column("error")
    report.rejected.extend(e for e in errors.to_pylist() if e is not None)
    report.articles += errors.null_count
    report.events += int(pc.sum(pc.list_value_length(table.column("events"))).as_py() or 0)
    return report


# ---- reading partitions back ------------------------------------------------------------------------


def _rows(batch: pa.RecordBatch) -> Iterator[tuple[Article, list[Event]] | str]:
    for row in batch.to_pylist():
        if row["error"] is not None:
            yield row["error"]
        else:
            yield _article_of(row), [Event.from_dict(json.loads(e)) for e in row["events"]]


def _partition_files(output: Path | str) -> list[Path]:
    root = Path(output)
    if not root.exists():
        raise InputError(E.E001, root, None, reason="no such file or folder")
    return sorted(root.rglob("*.parquet")) if root.is_dir() else [root]


def _read_partition(path: Path) -> pa.Table:
    try:
        return pq.read_table(path, schema=PARTITION_SCHEMA)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(E.E061, path, None, file=path, reason=str(exc)) from exc


def read_partitions(output: Path | str) -> Iterator[tuple[Article, list[Event]] | str]:
    """Every row of a partition folder in input order: (article, events), or the rejection message."""
    tables = [_read_partition(path) for path in _partition_files(output)]
    if not tables:
        return
    table = pa.concat_tables(tables).sort_by([("file_index", "ascending"), ("ordinal", "ascending")])
    for batch in table.to_batches(max_chunksize=1024):
        yield from _rows(batch)


def _stream_partitions(output: Path | str, rows_per_batch: int) -> Iterator[tuple[Article, list[Event]] | str]:
    """Rows file by file, so a big folder never sits in memory (storage does not need input order)."""
    for path in _partition_files(output):
        for batch in _read_partition(path).to_batches(max_chunksize=rows_per_batch):
            yield from _rows(batch)


def load_partitions(core: ConflictRadar, output: Path | str, replace: bool = False) -> tuple[IngestReport, list[str]]:
    """Store the partitions' articles with their events through ``core.store``: idempotent, one transaction
    per batch. Returns the ingest report and the rejection messages the partitions carry."""
    from ..app import IngestReport

    report, messages = IngestReport(), []
    batch: list[tuple[Article, list[Event]]] = []

    def flush() -> None:
        report.articles_read += len(batch)
        report.add(core.save(batch, replace=replace))
        batch.clear()

    for item in _stream_partitions(output, core.settings.batch_size):
        if isinstance(item, str):
            messages.append(item)
            continue
        batch.append(item)
        if len(batch) >= core.settings.batch_size:
            flush()
    if batch:
        flush()
    return report, messages
