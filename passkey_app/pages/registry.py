"""One table of pages: route, page, title, on_load and who may see it.

A protected page is one page file plus one line in the table of
``passkey_app/passkey_app.py``; the guard for its ``access`` runs first in its on_load,
server-side, from the session cookie (``AuthState.require_login`` /
``require_group``, and ``settle_person`` on a public page), so no page checks by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import reflex as rx

from passkey_app.auth import AuthState


@dataclass(frozen=True)
class Access:
    """Who may see a page: everyone, any signed-in person, or members of one group."""

    signed_in: bool = False
    group: str | None = None

    def guard(self) -> list[Any]:
        """The on_load events that enforce this access, first in line. Each also empties
        the tab's page states when the person is not the one they were filled for
        (``AuthState._settle_person``): on a public page that is all it does."""
        if self.group is not None:
            return [AuthState.require_group(self.group)]  # type: ignore[operator]
        return [AuthState.require_login if self.signed_in else AuthState.settle_person]


PUBLIC = Access()
SIGNED_IN = Access(signed_in=True)


def group(name: str) -> Access:
    """Members of the Cognito group ``name`` only (others get the 403 page)."""
    return Access(signed_in=True, group=name)


@dataclass(frozen=True)
class Page:
    """One page of the app, as the table declares it."""

    route: str
    component: Callable[[], rx.Component]
    title: str
    on_load: Sequence[Any] = ()
    access: Access = PUBLIC

    def events(self) -> list[Any]:
        """The page's on_load: the access guard, then its own."""
        return [*self.access.guard(), *self.on_load]


def register(app: rx.App, pages: Iterable[Page]) -> None:
    """Add every page of the table to the app."""
    for page in pages:
        app.add_page(page.component, route=page.route, title=page.title, on_load=page.events())
