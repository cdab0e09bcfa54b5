"""An account's life beyond one factor: provisional accounts and their owner."""
