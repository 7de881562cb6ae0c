"""The basement: the store, the seal, the personal-data cipher, credential tables, raw SQL and file intake."""
