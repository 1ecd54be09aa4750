"""How `ai.request` talks to a service: one POST through the address guard, retried on 429/5xx.

Every call (the chat completion, GigaChat's OAuth) is one `outbound` exchange: it resolves the
host, has the address guard check each address (`address_guard`, `http.request`'s settings:
`AUTOMATIONS_HTTP_ALLOW_HOSTS` lets a self-hosted gateway on a private address through) and
connects to the very address that was checked, the TLS server name and certificate check
staying the host's name. Certificates are checked against certifi's authorities plus those of
`AUTOMATIONS_AI_CA_FILE` (GigaChat's servers are signed by the Russian Trusted Root CA, which
certifi does not hold).

A 429 or a 5xx is retried, at most `MAX_ATTEMPTS` times in all, after the service's
`Retry-After` (seconds or an HTTP date) or else an exponential back-off with jitter, and never
past the call's deadline: when the wait would outlast it, the last answer is what the caller
gets. Nothing here logs a header or a body.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Mapping

import httpx

from automations.components import outbound
from automations.components.address_guard import policy_from_environment
from automations.components.errors import ComponentFailed

# Re-exported: the names `ai.request` and its tests have always used.
from automations.components.outbound import Deadline as Deadline
from automations.components.outbound import retry_after as retry_after

TIMEOUT = "ai.timeout"
CONNECTION = "ai.connection"
FORBIDDEN_ADDRESS = "ai.forbidden_address"
SERVICE = "ai.service"

CA_FILE_ENV = "AUTOMATIONS_AI_CA_FILE"
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
MAX_ATTEMPTS = 4
BASE_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 30.0

# How the retry loop waits; a test replaces it to see the delays without taking them.
SLEEP: Callable[[float], None] = time.sleep

Reply = outbound.Reply


def post_retrying(
    url: str, headers: Mapping[str, str], content: bytes, deadline: Deadline, what: str
) -> Reply:
    """POST `content` to `url`, retrying a 429 or 5xx while the deadline allows; the last reply."""

    def wait_for(reply: Reply, attempt: int) -> float | None:
        if not retryable(reply.status):
            return None
        delay = retry_after(reply.headers)
        if delay is None:
            delay = BASE_DELAY_SECONDS * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)  # noqa: S311  # jitter
        return delay

    # When waiting would outlast the call, the caller reports the last answer.
    reply, _ = outbound.retrying(
        lambda: post(url, headers, content, deadline, what),
        wait_for,
        deadline,
        attempts=MAX_ATTEMPTS,
        sleep=SLEEP,
        what=what,
        max_wait=MAX_DELAY_SECONDS,
    )
    return reply


def retryable(status: int) -> bool:
    return status == 429 or status >= 500


def post(
    url: str, headers: Mapping[str, str], content: bytes, deadline: Deadline, what: str
) -> Reply:
    """One POST to the first checked address of `url`'s host that accepts a connection."""
    request = outbound.Request("POST", httpx.URL(url), httpx.Headers(headers), content)
    try:
        return outbound.exchange(
            request,
            policy_from_environment(),
            deadline,
            MAX_RESPONSE_BYTES,
            ca_file=os.environ.get(CA_FILE_ENV, "").strip(),
        )
    except outbound.OutboundError as error:
        raise _failure(error, request.url.host, deadline, what) from None


def _failure(
    error: outbound.OutboundError, host: str, deadline: Deadline, what: str
) -> ComponentFailed:
    match error:
        case outbound.OutboundRefused():
            return ComponentFailed(FORBIDDEN_ADDRESS, f"{what}: {error.detail}")
        case outbound.OutboundUnresolved():
            return ComponentFailed(CONNECTION, f"{what}: {error.detail}")
        case outbound.OutboundTimeout():
            return ComponentFailed(TIMEOUT, f"{what}: no answer within {deadline.seconds:g} s")
        case outbound.OutboundTooLarge():
            return ComponentFailed(
                SERVICE, f"{what}: the answer is over {MAX_RESPONSE_BYTES} bytes"
            )
        case outbound.OutboundCaFile():
            return ComponentFailed(
                CONNECTION,
                f"cannot read the certificate authorities of {CA_FILE_ENV}: {error.detail}",
            )
        case outbound.OutboundUnreachable():
            failure = error.detail or "no address"
            hint = ""
            if "CERTIFICATE_VERIFY_FAILED" in failure:
                hint = f"; trust its authority with {CA_FILE_ENV}"
            return ComponentFailed(
                CONNECTION, f"{what}: cannot connect to {host} ({failure}){hint}"
            )
        case _:
            return ComponentFailed(CONNECTION, f"{what} failed: {error.detail}")
