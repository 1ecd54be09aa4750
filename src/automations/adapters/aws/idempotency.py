"""Component calls that act (write records, send mail, start processes, ...) run once per
attempt on AWS, whatever the number of times Lambda is invoked for that attempt.

Step Functions may invoke a Task's function more than once for one attempt (Express machines
run states at least once; a Lambda service hiccup may deliver an invocation twice). A call is
named by its attempt: the execution, the element, when the state was entered (a loop enters
the same state again) and the state's retry count (a retry the scenario asked for acts again),
all from the compiler's Payload `context`. powertools' idempotency utility keeps the attempt
in a DynamoDB table: the first invocation runs the component and stores its result, a later
one with the same attempt gets that result back without acting. A call that failed leaves
nothing behind (powertools deletes its record when the component raises), so it can run again.

Not deduplicated, and run as before: components that only read, a call whose Payload does not
name its attempt (a machine compiled before attempts were passed, a hand-written Task, a
background `sql.query`), and calls inside a multi-instance (Step Functions gives a state in a
Map iteration nothing that tells the iterations apart: deduplicating them would drop real
calls).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from time import sleep
from typing import Any

from automations.adapters.aws.tables import IDEMPOTENCY

TABLE_VARIABLE = IDEMPOTENCY.env
# A repeated invocation of an attempt comes within that attempt's life (at most Lambda's 15
# minutes); a day is a wide margin, and TTL removes the records after it.
KEEP_SECONDS = 24 * 60 * 60
# A repeat polls the first invocation's record this often, until this much time is left.
POLL_SECONDS = 0.2
LAST_MILLIS = 2_000
# The Payload context fields that name an attempt (see `automations.compiler.activities`).
ATTEMPT_FIELDS = ("executionId", "elementId", "enteredTime", "retryCount")
IN_MULTI_INSTANCE = "multiInstance"


def _always(inputs: Mapping[str, Any]) -> bool:
    return True


def _http_writes(inputs: Mapping[str, Any]) -> bool:
    # GET and HEAD are safe by HTTP's definition (RFC 9110 9.2.1), so are OPTIONS; every other
    # method may change something at the other end.
    return str(inputs.get("method") or "GET").upper() not in {"GET", "HEAD", "OPTIONS"}


def _mailbox_changes(inputs: Mapping[str, Any]) -> bool:
    # Flagging or moving messages changes the mailbox: a second run would not see them again.
    return bool(inputs.get("markSeen")) or bool(inputs.get("moveTo"))


# Which calls of a component act. sql.query is always deduplicated: whether a statement writes
# cannot be told from its text (a SELECT may call a function that writes, a CTE may DELETE).
ACTS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "records.create": _always,
    "records.update": _always,
    "records.delete": _always,
    "mail.send": _always,
    "message.send": _always,
    "mail.receive": _mailbox_changes,
    "sql.query": _always,
    "process.start": _always,
    "http.request": _http_writes,
    # A model's answer is billed per call; files stored and records written; messages sent.
    "ai.request": _always,
    "convert": _always,
    "document.generate": _always,
    "file.upload": _always,
    "telegram.send": _always,
    "whatsapp.send": _always,
    "max.send": _always,
}


def attempt_of(component: str, payload: Any) -> dict[str, Any] | None:
    """The attempt a call belongs to, or None when the call is not deduplicated."""
    acts = ACTS.get(component)
    if acts is None or not isinstance(payload, Mapping):
        return None
    context, inputs = payload.get("context"), payload.get("inputs")
    if not isinstance(context, Mapping) or not isinstance(inputs, Mapping):
        return None
    if context.get(IN_MULTI_INSTANCE) or context.get("background"):
        return None
    if any(context.get(name) in (None, "") for name in ATTEMPT_FIELDS):
        return None
    return {name: context[name] for name in ATTEMPT_FIELDS} if acts(inputs) else None


class CallsOnce:
    """Runs a component's acting calls once per attempt, keeping attempts in `table`.

    The persistence layer (and boto3 with it) is built on the first call that needs it, so a
    call that is not deduplicated costs nothing."""

    def __init__(self, component: str, table: str | None) -> None:
        self.component = component
        self.table = table
        self._run_once: Callable[..., Any] | None = None
        self._config: Any = None  # powertools' IdempotencyConfig, built with `_run_once`

    def run(
        self,
        payload: Any,
        act: Callable[[], Any],
        lambda_context: Any,
        session: Callable[[], Any],
    ) -> Any:
        """`act()`'s result: run now, or the stored result of an earlier run of this attempt.
        `session()` gives the boto3 session, asked for only when the call is deduplicated."""
        attempt = attempt_of(self.component, payload) if self.table else None
        if attempt is None:
            return act()
        run_once = self._run_once or self._build(session())
        self._config.register_lambda_context(lambda_context)  # in progress until its timeout
        call = {"attempt": attempt, "inputs": payload["inputs"]}
        return _waiting_for_the_first(lambda: run_once(call=call, act=act), lambda_context)

    def _build(self, session: Any) -> Callable[..., Any]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        assert self.table is not None
        store = DynamoDBPersistenceLayer(table_name=self.table, boto3_session=session)
        # The same attempt with other inputs is a bug, not a repeat: powertools refuses it
        # (IdempotencyValidationError) rather than hand back another call's result.
        self._config = IdempotencyConfig(
            event_key_jmespath="attempt",
            payload_validation_jmespath="inputs",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=KEEP_SECONDS,
        )

        run_once: Callable[..., Any] = idempotent_function(
            _act, data_keyword_argument="call", persistence_store=store, config=self._config
        )
        self._run_once = run_once
        return run_once


def _waiting_for_the_first(run_once: Callable[[], Any], lambda_context: Any) -> Any:
    """`run_once()`, waiting while another invocation runs the same attempt: Step Functions may
    take either invocation's answer, so a repeat answers with the first one's result (or runs
    the call itself if the first failed) rather than fail while the first is still at work."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
    )

    while True:
        try:
            return run_once()
        except IdempotencyAlreadyInProgressError:
            if lambda_context.get_remaining_time_in_millis() < LAST_MILLIS:
                raise
            sleep(POLL_SECONDS)


def _act(call: dict[str, Any], act: Callable[[], Any]) -> Any:
    """The call itself; `call` (attempt and inputs) is what powertools keys and checks."""
    return act()
