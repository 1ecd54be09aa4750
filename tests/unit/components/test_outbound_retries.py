"""`outbound.retrying`: how many attempts, which waits, and when it stops waiting."""

from __future__ import annotations

import pytest

from automations.components import outbound


def _run(
    answers: list[float | None], deadline_seconds: float = 60, max_wait: float = float("inf")
) -> tuple[int, int, list[float]]:
    """Retry over `answers` (each attempt's wanted wait): (last attempt's index, attempts, waits)."""
    sent: list[int] = []
    slept: list[float] = []

    def send() -> int:
        sent.append(len(sent))
        return sent[-1]

    last, attempts = outbound.retrying(
        send,
        lambda index, _attempt: answers[index],
        outbound.Deadline(deadline_seconds),
        attempts=4,
        sleep=slept.append,
        what="test",
        max_wait=max_wait,
    )
    return last, attempts, slept


def test_no_wait_wanted_returns_the_first_answer() -> None:
    assert _run([None]) == (0, 1, [])


def test_waits_as_asked_until_an_answer_wants_none() -> None:
    assert _run([2.0, 0.5, None]) == (2, 3, [2.0, 0.5])


def test_the_attempts_are_bounded() -> None:
    assert _run([1.0, 1.0, 1.0, 1.0, 1.0]) == (3, 4, [1.0, 1.0, 1.0])


def test_a_wait_reaching_past_the_deadline_is_not_taken() -> None:
    assert _run([1.0, 10.0, None], deadline_seconds=5) == (1, 2, [1.0])


def test_a_wait_over_the_cap_is_not_taken() -> None:
    assert _run([31.0, None], max_wait=30.0) == (0, 1, [])


def test_a_deadline_with_nothing_left_raises_outbound_timeout() -> None:
    with pytest.raises(outbound.OutboundTimeout) as caught:
        outbound.Deadline(0).remaining()
    assert caught.value.detail == "no answer within 0 s"
