"""Find a pool's user by email in constant time: moto scans every user instead.

Moto's ``CognitoIdpUserPool._get_user`` (every AdminCreateUser, AdminGetUser, sign-in...)
flattens the attributes of each user of the pool until one's email (or phone number,
the pool's ``UsernameAttributes``) matches, so seeding N users costs N²/2 flattenings and
every call on a pool of 10,000 users scans them all. This keeps, per pool, a map from
each username-attribute value to the first user (in the pool's order) that holds it, and
answers exactly as moto's scan would:

- new users are appended to the pool's dict, so the map extends itself from where it
  stopped; a user deleted or an email or phone number changed (moto's
  ``admin_delete_user``, ``update_attributes``, ``delete_attributes``, wrapped here)
  makes the next lookup rebuild the map in one scan;
- a hit is checked against the user itself before it is returned, and rebuilt once
  when it no longer holds.

The maps live beside the pools (weak references), never in the saved state.
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, CognitoIdpUserPool

_lock = threading.RLock()
_originals: dict[tuple[type, str], Callable[..., Any]] = {}
_generation = [0]
"""Bumped whenever a user leaves a pool or a username attribute changes anywhere."""


@dataclass
class _Index:
    """One pool's map, valid for ``users`` (that dict object) at ``generation``, covering
    its first ``covered`` users."""

    users: dict[str, Any]
    types: tuple[str, ...]
    generation: int
    covered: int = 0
    owners: dict[str, str] = field(default_factory=dict)

    def extend(self) -> None:
        """Take in the users appended since the last look."""
        added = len(self.users) - self.covered
        newest_first = itertools.islice(reversed(self.users.items()), added)
        for username, user in reversed(list(newest_first)):
            lookup = user.attribute_lookup
            for attribute in self.types:
                value = lookup.get(attribute)
                if value is not None:
                    self.owners.setdefault(value, username)
        self.covered = len(self.users)


_indexes: weakref.WeakKeyDictionary[CognitoIdpUserPool, _Index] = weakref.WeakKeyDictionary()


def _index(pool: CognitoIdpUserPool, types: tuple[str, ...], *, fresh: bool = False) -> _Index:
    index = _indexes.get(pool)
    if (
        fresh
        or index is None
        or index.users is not pool.users
        or index.types != types
        or index.generation != _generation[0]
        or index.covered > len(pool.users)
    ):
        index = _Index(users=pool.users, types=types, generation=_generation[0])
        _indexes[pool] = index
    if index.covered < len(pool.users):
        index.extend()
    return index


def _holds(user: Any, types: tuple[str, ...], value: str) -> bool:
    return user is not None and any(user.attribute_lookup.get(t) == value for t in types)


def _get_user(pool: CognitoIdpUserPool, username: str) -> Any:
    """Moto's ``_get_user`` (first user whose username attribute is ``username``, else
    the user named ``username``), through the map."""
    types = tuple(pool.extended_config.get("UsernameAttributes") or ())
    if types:
        with _lock:
            owner = _index(pool, types).owners.get(username)
            if owner is not None and not _holds(pool.users.get(owner), types, username):
                owner = _index(pool, types, fresh=True).owners.get(username)
        if owner is not None:
            return pool.users[owner]
    return pool.users.get(username)


def _bump() -> None:
    with _lock:
        _generation[0] += 1


def _watch_attributes(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def changed(user: CognitoIdpUser, *args: Any, **kwargs: Any) -> Any:
        before = dict(user.attribute_lookup)
        try:
            return original(user, *args, **kwargs)
        finally:
            after = user.attribute_lookup
            if any(before.get(t) != after.get(t) for t in ("email", "phone_number")):
                _bump()

    return changed


def _watch_deletion(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def deleted(backend: CognitoIdpBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(backend, *args, **kwargs)
        finally:
            _bump()

    return deleted


def install() -> None:
    """Answer moto's user lookups from the maps. Idempotent."""
    with _lock:
        if _originals:
            return
        replacements: dict[tuple[type, str], Callable[..., Any]] = {
            (CognitoIdpUserPool, "_get_user"): lambda _original: _get_user,
            (CognitoIdpUser, "update_attributes"): _watch_attributes,
            (CognitoIdpUser, "delete_attributes"): _watch_attributes,
            (CognitoIdpBackend, "admin_delete_user"): _watch_deletion,
        }
        for (owner, name), wrap in replacements.items():
            original = getattr(owner, name)
            _originals[(owner, name)] = original
            setattr(owner, name, wrap(original))


def uninstall() -> None:
    """Give moto back its own scan."""
    with _lock:
        for (owner, name), original in _originals.items():
            setattr(owner, name, original)
        _originals.clear()
        _indexes.clear()
