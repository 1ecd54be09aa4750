"""The embedded runtime: the engine executor, the background loops, secrets from the
environment, and the wiring of it all over the SQLite stores (`runtime.py:build_runtime`)."""
