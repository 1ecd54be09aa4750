"""Adapters of the ports: `aws` (DynamoDB, Step Functions, Lambda), `local` (SQLite, embedded)."""
