"""Array functions as jsonata 2.0.6 has them, where jsonata-python's port differs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from jsonata import jsonata, utils
from jsonata.functions import Functions

from automations.expressions.js_text import error, is_number, utf16

_NULL: Final = utils.Utils.NULL_VALUE

_SORT: Final = Functions.sort


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness of a comparator's answer."""
    if value is None or value is _NULL:
        return False
    if isinstance(value, bool):
        return value
    if is_number(value):
        return not (value == 0 or (isinstance(value, float) and math.isnan(value)))
    if isinstance(value, str):
        return value != ""
    return True


def _merge_sort(items: list[Any], swap: Callable[[Any, Any], bool]) -> list[Any]:
    """jsonata's merge sort: halves sorted, then merged; `swap(left, right)` puts right first."""
    if len(items) <= 1:
        return items
    middle = len(items) // 2
    left, right = _merge_sort(items[:middle], swap), _merge_sort(items[middle:], swap)
    merged: list[Any] = []
    i = j = 0
    while i < len(left) and j < len(right):
        if swap(left[i], right[j]):
            merged.append(right[j])
            j += 1
        else:
            merged.append(left[i])
            i += 1
    return merged + left[i:] + right[j:]


def sort(arr: Any, comparator: Any) -> Any:
    if arr is None:
        return None
    if len(arr) <= 1:
        return arr
    if comparator is None:
        if all(is_number(item) for item in arr):
            return _merge_sort(list(arr), lambda a, b: bool(a > b))
        if all(isinstance(item, str) for item in arr):
            return _merge_sort(list(arr), lambda a, b: utf16(a) > utf16(b))
        raise error("D3070")
    if not (Functions.is_lambda(comparator) or isinstance(comparator, jsonata.Jsonata.JFunction)):
        return _SORT(arr, comparator)  # the order-by operator's own comparator

    def swap(a: Any, b: Any) -> bool:
        return _truthy(Functions.func_apply(comparator, [a, b]))

    return _merge_sort(list(arr), swap)


def distinct(items: Any) -> Any:
    """Deep equality without Python's `True == 1`; a sequence only when given one."""
    if not isinstance(items, list) or len(items) <= 1:
        return items
    sequence = isinstance(items, utils.Utils.JList) and items.sequence
    results: list[Any] = utils.Utils.create_sequence() if sequence else []
    for item in items:
        if not any(utils.Utils.is_deep_equal(item, kept) for kept in results):
            results.append(item)
    return results
