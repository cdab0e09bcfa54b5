"""Reflex State classes: UI fields and thin event handlers that call the services."""
