"""For developers: the `passkey-app` command, the local stack and demo data."""
