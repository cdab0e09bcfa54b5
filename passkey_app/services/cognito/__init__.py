"""Cognito: the one gateway (password, CUSTOM_AUTH, refresh, revocation, users), the
SECRET_HASH, the signed-proof round that mints a session, and JWKS token checks."""
