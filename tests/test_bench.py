"""The benchmark harness at toy size: a deterministic corpus and measurements that report what they measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from corpus import make_corpus  # noqa: E402


def test_the_corpus_is_deterministic_wire_copy_of_about_600_words() -> None:
    first, again = make_corpus(12), make_corpus(12)
    assert [a.to_dict() for a in first] == [a.to_dict() for a in again]
    assert len({a.id for a in first}) == 12
    assert len({a.text for a in first}) == 12
    words = [len(a.text.split()) for a in first]
    assert all(580 <= n <= 720 for n in words), words
    assert make_corpus(3, seed=8)[0].text != first[0].text


def test_a_measurement_runs_in_its_own_process_and_reports_counts_and_memory(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH / "run.py"), "--measure", "ingest", "--events", "40",
               "--db-url", f"sqlite:///{tmp_path / 'b.db'}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["events"] >= 40
    assert result["events_on_repeat"] == 0  # the second save of the same batches stores nothing
    assert result["seconds"] > 0 and result["peak_rss_mb"] > 0
