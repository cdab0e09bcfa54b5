"""Example pages a team builds on the public API (passkey_app.auth); registered only when
their setting is on."""
