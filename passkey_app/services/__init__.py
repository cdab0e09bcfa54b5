"""The service layer: pure Python, no reflex import. State handlers call into it."""
