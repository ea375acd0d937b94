"""``conflictradar serve`` (the HTTP API and dashboard) and ``conflictradar keys`` (API keys for writes)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ..app import ConflictRadar
from ..settings import Settings
from ..store.keys import create_key, list_keys, revoke_key
from ._common import EXIT_REJECTED, DbOption, ModelOption, console, domain_errors

keys_app = typer.Typer(help="API keys: writes to the HTTP API need one. Only a hash of each key is stored.",
                       no_args_is_help=True)

ENV_REQUIRE_READ_KEY = "CONFLICTRADAR_API_REQUIRE_READ_KEY"


def serve(
    db: DbOption = None,
    model: ModelOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    require_key_for_reads: Annotated[bool, typer.Option(
        "--require-key-for-reads", envvar=ENV_REQUIRE_READ_KEY,
        help="Reads need an API key too (by default only writes do).")] = False,
    stats_cache: Annotated[float, typer.Option(
        "--stats-cache-seconds", help="Reuse a /stats or /events/clusters answer for this long (0: never).")] = 30.0,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Server processes sharing the port (each with its own connections and "
                                 "/stats cache); one per core serves concurrent clients best.")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the web dashboard at /."""
    import uvicorn

    from ..api import ServerOptions, app_from_options, create_app

    with domain_errors():
        settings = Settings.from_env(db_url=db, model=model)
        core = ConflictRadar(settings)
        core.store  # noqa: B018 - open and migrate the database now, so a bad URL fails before listening
        console.print(f"conflictradar: serving http://{host}:{port}/ (API docs at /docs)", highlight=False)
        if workers == 1:
            app = create_app(core, require_key_for_reads=require_key_for_reads, stats_cache_seconds=stats_cache)
            uvicorn.run(app, host=host, port=port, log_level="warning")
        else:  # uvicorn starts each process from an import string; the options travel in the environment
            core.close()
            ServerOptions(settings.db_url, settings.model, require_key_for_reads, stats_cache).to_env()
            uvicorn.run(f"{app_from_options.__module__}:{app_from_options.__name__}", factory=True, host=host,
                        port=port, workers=workers, log_level="warning")
        core.close()


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Argument(help="Who or what the key is for.")], db: DbOption = None) -> None:
    """Create a key and print it once; it cannot be shown again."""
    with domain_errors():
        core = ConflictRadar(Settings.from_env(db_url=db))
        record, key = create_key(core.store, name)
        core.close()
    console.print(f"created key {record.id} ({record.name}); send it as the X-API-Key header. "
                  "It is shown only now:", highlight=False)
    print(key)


@keys_app.command("list")
def keys_list(db: DbOption = None) -> None:
    """List keys (names and dates; the keys themselves are not stored)."""
    with domain_errors():
        core = ConflictRadar(Settings.from_env(db_url=db))
        records = list_keys(core.store)
        core.close()
    table = Table()
    for column in ("id", "name", "created", "status"):
        table.add_column(column)
    for r in records:
        table.add_row(str(r.id), r.name, r.created.isoformat(sep=" "), "revoked" if r.revoked else "active")
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(name_or_id: Annotated[str, typer.Argument(help="Key name (every key of that name) or id.")],
                db: DbOption = None) -> None:
    """Revoke keys so they stop working."""
    with domain_errors():
        core = ConflictRadar(Settings.from_env(db_url=db))
        n = revoke_key(core.store, name_or_id)
        core.close()
    console.print(f"revoked {n} key(s)", highlight=False)
    if n == 0:
        raise typer.Exit(EXIT_REJECTED)
