"""The code of the page a person goes to next, loaded before they go.

After a sign-in the tab moves to the account page (or the page in ``?next=``) without a
reload; in the production build each page's code is its own chunk, fetched only when the
page is first shown. React Router's ``<PrefetchPageLinks page>`` renders the
``<link rel="modulepreload">`` tags for that page's chunks, so the browser fetches and
compiles them while the person is still on the sign-in card.
"""

from __future__ import annotations

import reflex as rx


class PrefetchPageLinks(rx.Component):
    """React Router's own component (the version Reflex pins), rendering link tags only."""

    library = "react-router"
    tag = "PrefetchPageLinks"

    page: rx.Var[str]


def prefetch_page(page: rx.Var[str] | str) -> rx.Component:
    """Load the code of ``page`` (a path of this app) ahead of a navigation to it."""
    return PrefetchPageLinks.create(page=page)
