"""AWS adapters: DynamoDB stores, Secrets Manager secrets, stream parsing, Step Functions.

Every module here receives its boto3 client from the caller (see `runtime.py`), so importing
this package costs nothing; boto3 itself is only imported where a client is built.
"""
