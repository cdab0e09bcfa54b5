"""The sign-in card and its steps (email, password, passkey, email link) and sign-up."""
