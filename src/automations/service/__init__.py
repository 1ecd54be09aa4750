"""Use cases: what the product does, whichever adapters (SQLite or AWS) it runs on."""
