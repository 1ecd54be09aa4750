"""The sizes an expression's value may reach, and their error codes: a leaf module, so that the
functions that build big texts themselves (`js_integers`) and the evaluator's bounds
(`jsonata_limits`) read the same numbers."""

from __future__ import annotations

from typing import Final

MAX_TEXT_CHARS: Final = 10_000_000
MAX_ITEMS: Final = 10_000_000

TEXT_LIMIT: Final = "L1001"
ARRAY_LIMIT: Final = "L1002"
