"""The HTTP API (records and catalogs), shared by the Lambda handler and the dev server."""
