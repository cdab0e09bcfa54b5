"""The admin dashboard's states: the admin guard, users, one user, adoption, audit log."""
