"""Where the state machines this code creates send their logs (Step Functions logging).

Machines are created at run time (on a save), not by the template, so the template cannot
give them a LoggingConfiguration: it passes the log group and the execution-data switch in
the environment instead, and every machine is created with them. Level ERROR: a failed or
timed-out run, a failed task, never the steps of a run that went well (CloudWatch Logs bills
per GB ingested). Execution data (inputs and outputs of the failing state) is off unless the
operator turns it on: it is users' record data, and logs are read by more people than
processes are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.adapters.aws.errors import MachineSetupInvalid

LOG_GROUP_ENV = "STATE_MACHINE_LOG_GROUP_ARN"  # a log group ARN ending in ":*" (its GetAtt Arn)
EXECUTION_DATA_ENV = "STATE_MACHINE_LOG_EXECUTION_DATA"  # "true" / "false" (default)
LEVEL = "ERROR"
_FLAGS = {"true": True, "false": False, "": False}


def logging_configuration(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """CreateStateMachine's `loggingConfiguration` from the environment; None when no log
    group is named (no logging, as before the template named one)."""
    group = environ.get(LOG_GROUP_ENV, "")
    flag = environ.get(EXECUTION_DATA_ENV, "").strip().lower()
    if flag not in _FLAGS:
        raise MachineSetupInvalid(
            f"{EXECUTION_DATA_ENV} must be true or false, not {environ[EXECUTION_DATA_ENV]!r}"
        )
    if not group:
        return None
    if not group.startswith("arn:") or ":log-group:" not in group:
        raise MachineSetupInvalid(f"{LOG_GROUP_ENV} must be a log group ARN, not {group!r}")
    # Step Functions wants the ARN of the group's streams: the GetAtt form, ":*" at the end.
    destination = group if group.endswith(":*") else group + ":*"
    return {
        "level": LEVEL,
        "includeExecutionData": _FLAGS[flag],
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": destination}}],
    }
