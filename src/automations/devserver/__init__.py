"""`automations dev`: the embedded runtime served over HTTP by one or more server processes."""
