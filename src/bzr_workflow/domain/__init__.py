"""The domain: aggregates, policies and rules, free of I/O."""
