"""Every store port on SQLite: one database file in WAL mode, shared by the server processes."""
