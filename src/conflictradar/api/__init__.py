"""The HTTP API and the dashboard, built from the same core object as the CLI and the tests.

    app = create_app(ConflictRadar(db_url="sqlite:///events.db"))
    uvicorn.run(app, host="127.0.0.1", port=8000)

Domain errors become JSON ``{"error": {"code": "E0xx", "message": ...}}`` with a 4xx status; the
dashboard (static files built from web/) is served at ``/``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError

from ..analyze.routes import router as analyze_router
from ..app import ConflictRadar
from ..errors import ConfigError, ConflictRadarError, E, StoreError
from ..settings import Settings
from .cache import TtlCache
from .deps import require_read_key
from .routes import ERRORS, NOT_FOUND, reads, writes

__all__ = ["ServerOptions", "app_from_options", "create_app", "static_dir"]

#: Status per catalogue code where it is not the default 400.
_STATUS = {E.E071: 404, E.E072: 401, E.E073: 403, E.E007: 413}


def static_dir() -> Path:
    """The built dashboard that ships inside the package (web/ at the repository root is its source)."""
    return Path(str(resources.files("conflictradar").joinpath("web", "static")))


log = logging.getLogger("conflictradar.api")


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ConflictRadarError)
    message = exc.args[0] if exc.args else str(exc)
    if isinstance(exc, StoreError | ConfigError):  # the server's fault, not the request's: the operator's log
        log.error("%s %s: %s", request.method, request.url.path, message, exc_info=exc)  # gets the cause
        return _error(503, exc.code.name, message)
    status = _STATUS.get(exc.code, 400)
    headers = {"WWW-Authenticate": "ApiKey"} if status == 401 else None
    return _error(status, exc.code.name, message, headers)


async def _data_error(_request: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot store or compare (the last line of defence behind the validators)."""
    reason = str(getattr(exc, "orig", exc)).splitlines()[0]
    return _error(400, E.E070.name, E.E070.format(field="a value", reason=f"was refused by the database: {reason}"))


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body"))
    return f"{where or 'body'}: {error.get('msg', 'invalid')}"


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_describe(e) for e in exc.errors()]
    first = problems[0] if problems else "request: invalid"
    field, _, reason = first.partition(": ")
    body = {"error": {"code": E.E070.name, "message": E.E070.format(field=field, reason=reason),
                      "problems": problems[:20]}}
    return JSONResponse(body, status_code=422)


def create_app(core: ConflictRadar, *, require_key_for_reads: bool = False, dashboard: Path | None = None,
               stats_cache_seconds: float = 30.0) -> FastAPI:
    """The FastAPI app over ``core``: the API, the analyze routes and the dashboard at ``/``.

    ``stats_cache_seconds``: how long a ``GET /stats`` or ``GET /events/clusters`` answer is reused (see
    ``api.cache``); 0 turns it off.
    """
    from .. import __version__

    app = FastAPI(
        title="conflictradar", version=__version__,
        description="Armed-conflict events read from news, with the sentence and spans each was read from. "
                    "Reads are open unless the server requires a key; writes need an `X-API-Key`.",
    )
    app.state.core = core
    app.state.require_key_for_reads = require_key_for_reads
    app.state.stats_cache = TtlCache(stats_cache_seconds)
    app.add_exception_handler(ConflictRadarError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DataError, _data_error)
    read_checks = [Depends(require_read_key)] if require_key_for_reads else []
    app.include_router(reads, dependencies=read_checks)
    app.include_router(writes)
    app.include_router(analyze_router, dependencies=read_checks, responses=ERRORS | NOT_FOUND)
    _mount_dashboard(app, dashboard or static_dir())
    return app


@dataclass(frozen=True)
class ServerOptions:
    """What ``conflictradar serve --workers N`` hands each server process (through the environment, since
    uvicorn starts them from an import string)."""

    db_url: str
    model: str
    require_key_for_reads: bool = False
    stats_cache_seconds: float = 30.0

    ENV = "CONFLICTRADAR_SERVER_OPTIONS"

    def to_env(self) -> None:
        os.environ[self.ENV] = json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServerOptions:
        raw = os.environ.get(cls.ENV)
        if not raw:
            raise ConfigError(E.E024, name=cls.ENV, got="unset",
                              expected="the JSON options `conflictradar serve --workers N` sets for its processes")
        return cls(**json.loads(raw))


def app_from_options() -> FastAPI:
    """The app factory each ``serve --workers N`` process calls (``ServerOptions`` in the environment)."""
    options = ServerOptions.from_env()
    core = ConflictRadar(Settings.from_env(db_url=options.db_url, model=options.model))
    return create_app(core, require_key_for_reads=options.require_key_for_reads,
                      stats_cache_seconds=options.stats_cache_seconds)


def _mount_dashboard(app: FastAPI, folder: Path) -> None:
    if (folder / "index.html").is_file():
        app.mount("/", StaticFiles(directory=folder, html=True), name="dashboard")
        return

    @app.get("/", include_in_schema=False)
    def no_dashboard() -> HTMLResponse:
        return HTMLResponse("<p>The dashboard is not built: run <code>make web</code>. The API is at "
                            "<a href='/docs'>/docs</a>.</p>", status_code=503)
