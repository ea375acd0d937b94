"""API keys on real databases: stored hashed, verified, listed, revoked; and the `keys` commands."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from conflictradar.app import ConflictRadar
from conflictradar.cli import app
from conflictradar.store.keys import create_key, hash_key, list_keys, revoke_key, verify_key
from conflictradar.store.tables import api_keys


def test_a_created_key_verifies_and_only_its_hash_is_stored(core: ConflictRadar) -> None:
    record, key = create_key(core.store, "newsroom")
    assert verify_key(core.store, key)
    assert not verify_key(core.store, key + "x")
    assert not verify_key(core.store, None)
    with core.store.engine.connect() as conn:
        stored = conn.execute(select(api_keys.c.key_hash, api_keys.c.name)).all()
    assert [(h, n) for h, n in stored] == [(hash_key(key), "newsroom")]
    assert key not in str(stored)
    assert record.name == "newsroom" and not record.revoked


def test_keys_are_unique_and_revoking_by_name_or_id_disables_them(core: ConflictRadar) -> None:
    first, key1 = create_key(core.store, "a")
    _second, key2 = create_key(core.store, "b")
    assert key1 != key2
    assert revoke_key(core.store, "a") == 1
    assert not verify_key(core.store, key1) and verify_key(core.store, key2)
    assert revoke_key(core.store, "a") == 0  # already revoked: nothing to do
    assert revoke_key(core.store, str(first.id + 1)) == 1
    assert not verify_key(core.store, key2)
    assert [(k.name, k.revoked) for k in list_keys(core.store)] == [("a", True), ("b", True)]


def test_keys_commands_create_list_and_revoke(db_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "analyst", "--db", db_url])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("cr_")
    core = ConflictRadar(db_url=db_url)
    try:
        assert verify_key(core.store, key)
        listed = runner.invoke(app, ["keys", "list", "--db", db_url])
        assert "analyst" in listed.output and "active" in listed.output and key not in listed.output
        assert runner.invoke(app, ["keys", "revoke", "analyst", "--db", db_url]).exit_code == 0
        assert not verify_key(core.store, key)
        assert runner.invoke(app, ["keys", "revoke", "nobody", "--db", db_url]).exit_code == 1
        assert runner.invoke(app, ["keys", "create", "  ", "--db", db_url]).exit_code == 1
    finally:
        core.close()
