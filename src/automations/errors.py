"""The root of every error the core raises; packages add their own beside their code."""

from __future__ import annotations


class AutomationsError(Exception):
    """Base class: anything the automations core raises on purpose derives from it."""
