"""Reusable UI pieces: pure functions returning rx.Component."""
