"""Component calls nobody waits for, on AWS: the component's own function invoked again,
asynchronously (`InvocationType=Event`), since a Lambda instance may be frozen the moment it
answers and a thread of it would stop with it.

The template sets the function's `MaximumRetryAttempts` to 0: a statement that failed is not run
again behind the scenario's back (it may have half-done its work); Lambda logs the failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

FUNCTION_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda for the running function


class LambdaBackgroundCalls:
    """The BackgroundCalls port: `submit` invokes `function` (this function by default) with
    the compiler's envelope, so its handler runs the call as any other."""

    def __init__(
        self, client: Any, function: str | None = None, context: Mapping[str, Any] | None = None
    ) -> None:
        self._client = client
        self._function = function or os.environ.get(FUNCTION_VARIABLE, "")
        self._context = dict(context or {})

    def submit(self, component: str, inputs: Mapping[str, Any]) -> None:
        if not self._function:
            raise RuntimeError(f"{component}: no function to run a call not waited for")
        payload = {"inputs": dict(inputs), "context": {**self._context, "background": True}}
        self._client.invoke(
            FunctionName=self._function,
            InvocationType="Event",
            Payload=json.dumps(payload, ensure_ascii=False).encode(),
        )
