"""The passkey flows: sign-up, sign-in (email first, usernameless, autofill) and the
account's passkeys (add, rename, remove, re-authenticate). The protocol is in webauthn/."""
