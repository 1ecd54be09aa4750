"""Pydantic models at the edges: catalogs, records, filters, events, processes, scenarios, users."""
