"""SQLite adapters of every port, for the embedded server (`automations dev`) and the tests."""
