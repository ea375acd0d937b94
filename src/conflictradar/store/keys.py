"""API keys for the HTTP API: created once, shown once, stored only as a SHA-256 hash.

A key is ``cr_`` plus 32 random bytes (URL-safe base64), so hashing it without a salt is safe: there is
nothing to guess. Revoking keeps the row (the audit trail) and makes the key stop working.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from ..errors import E, InputError, StoreError
from . import Store
from .tables import api_keys

__all__ = ["ApiKey", "create_key", "hash_key", "list_keys", "revoke_key", "verify_key"]

KEY_PREFIX = "cr_"


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    created: datetime
    revoked: bool


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(store: Store, name: str) -> tuple[ApiKey, str]:
    """A new key named ``name``: the record and the key itself (shown to the user once, never stored)."""
    name = name.strip()
    if not name or len(name) > 128:
        raise InputError(E.E006, None, None, field="name", got=name, expected="1 to 128 characters")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    created = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        with store.engine.begin() as conn:
            result = conn.execute(api_keys.insert().values(name=name, key_hash=hash_key(key), created=created,
                                                           revoked=False))
            key_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    except SQLAlchemyError as exc:
        raise StoreError(E.E030, action="creating an API key", reason=str(getattr(exc, "orig", exc))) from exc
    return ApiKey(key_id, name, created, False), key


def list_keys(store: Store) -> list[ApiKey]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(api_keys.c.id, api_keys.c.name, api_keys.c.created, api_keys.c.revoked)
                            .order_by(api_keys.c.id)).all()
    return [ApiKey(int(r.id), r.name, r.created, bool(r.revoked)) for r in rows]


def revoke_key(store: Store, name_or_id: str) -> int:
    """Revoke every active key with this name (or this numeric id); returns how many were revoked."""
    match = api_keys.c.id == int(name_or_id) if name_or_id.isdigit() else api_keys.c.name == name_or_id
    try:
        with store.engine.begin() as conn:
            result = conn.execute(update(api_keys).where(match, api_keys.c.revoked.is_(False)).values(revoked=True))
    except SQLAlchemyError as exc:
        raise StoreError(E.E030, action="revoking an API key", reason=str(getattr(exc, "orig", exc))) from exc
    return int(result.rowcount)


def verify_key(store: Store, key: str | None) -> bool:
    """True when ``key`` is a known, unrevoked key. Compares hashes in constant time."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 256:
        return False
    wanted = hash_key(key)
    with store.engine.connect() as conn:
        stored = conn.execute(select(api_keys.c.key_hash).where(api_keys.c.key_hash == wanted,
                                                                 api_keys.c.revoked.is_(False))).scalar()
    return stored is not None and hmac.compare_digest(stored, wanted)
