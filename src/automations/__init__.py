"""Automations: BPMN 2.0 scenarios compiled to Amazon States Language and run on events."""

__version__ = "0.1.0"
