"""Retry and Catch: which retrier or catcher handles an error, and how long to back off.

AWS's rules: the first retrier whose ErrorEquals matches decides (an exhausted one does not
fall through to the next); `States.ALL` matches everything except the terminal errors;
`States.TaskFailed` matches every error except `States.Timeout`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from automations.asl import errors
from automations.asl.definition import Catcher, Retrier
from automations.asl.errors import StatesFailure


def matches(error_equals: Sequence[str], error: str | None) -> bool:
    """Does an ErrorEquals list match the error name (a Fail state may give none)?"""
    if error in errors.TERMINAL_ERRORS:
        return False
    for name in error_equals:
        if name == error or name == errors.ALL:
            return True
        if name == errors.TASK_FAILED and error != errors.TIMEOUT:
            return True
    return False


def find_retrier(
    retriers: Sequence[Retrier], failure: StatesFailure, used: Mapping[str, int]
) -> tuple[int, Retrier] | None:
    """The retrier that retries this failure now, with its index; None when none will."""
    if failure.terminal:
        return None
    for index, retrier in enumerate(retriers):
        if matches(retrier.error_equals, failure.error):
            if used.get(str(index), 0) >= retrier.max_attempts:
                return None
            return index, retrier
    return None


def find_catcher(catchers: Sequence[Catcher], failure: StatesFailure) -> Catcher | None:
    if failure.terminal:
        return None
    for catcher in catchers:
        if matches(catcher.error_equals, failure.error):
            return catcher
    return None


def backoff_seconds(retrier: Retrier, retries_done: int, rng: random.Random | None = None) -> float:
    """Delay before retry number `retries_done + 1`: IntervalSeconds x BackoffRate^n, capped
    by MaxDelaySeconds; FULL jitter picks uniformly between 0 and that delay."""
    delay = retrier.interval_seconds * retrier.backoff_rate**retries_done
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter_strategy == "FULL":
        delay = (rng or random).uniform(0, delay)
    return delay
