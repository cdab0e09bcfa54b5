"""Reflex configuration. URLs and allowed origins come from the app's Settings."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from passkey_app.settings import Settings
from passkey_app.workers import respawn_failed_workers

_settings = Settings()
# One backend worker dying must not stop the others (passkey_app/workers.py).
respawn_failed_workers()

config = rx.Config(
    app_name="passkey_app",
    api_url=_settings.api_url,
    deploy_url=_settings.frontend_url,
    cors_allowed_origins=_settings.allowed_origins,
    # Websocket only: the event guard caps websocket frames and refuses long-polling.
    transport="websocket",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    backend_host="127.0.0.1",
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="inherit", accent_color="indigo", gray_color="slate", radius="large"
            )
        )
    ],
)
