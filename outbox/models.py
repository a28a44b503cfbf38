"""The transactional outbox (see issue 8)."""
