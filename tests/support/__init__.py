"""Helpers the test modules share (wiring, servers, corpora), imported as `support.*`."""
