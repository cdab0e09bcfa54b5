"""Test doubles built from real parts (no mocks of our own code)."""
