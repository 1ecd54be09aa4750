"""Who an execution is (names, ARNs, start time, input), and the context object `$$` from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from automations.asl.timestamps import format_timestamp


@dataclass(slots=True)  # not frozen: building a frozen one cost 2% of a short execution
class ExecutionInfo:
    """An execution's identity, as Step Functions shows it in `$$.Execution` and the history.
    Never changed once built (`$$.Execution` and checkpoints are made from it)."""

    execution_id: str
    name: str
    state_machine_name: str
    state_machine_type: str  # "STANDARD" | "EXPRESS"
    start_time: float
    input: Any
    input_text: str
    region: str = "us-east-1"
    account: str = "000000000000"
    role_arn: str = "arn:aws:iam::000000000000:role/automations-embedded"

    @property
    def state_machine_arn(self) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{self.state_machine_name}"

    @property
    def execution_arn(self) -> str:
        if self.state_machine_type == "EXPRESS":
            return (
                f"arn:aws:states:{self.region}:{self.account}:express:"
                f"{self.state_machine_name}:{self.name}:{self.execution_id}"
            )
        return (
            f"arn:aws:states:{self.region}:{self.account}:execution:"
            f"{self.state_machine_name}:{self.name}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "execution_id": self.execution_id,
            "name": self.name,
            "state_machine_name": self.state_machine_name,
            "state_machine_type": self.state_machine_type,
            "start_time": self.start_time,
            "input": self.input,
            "input_text": self.input_text,
            "region": self.region,
            "account": self.account,
            "role_arn": self.role_arn,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExecutionInfo:
        return cls(**data)


def execution_context(info: ExecutionInfo) -> tuple[dict[str, Any], dict[str, Any]]:
    """`$$.Execution` and `$$.StateMachine`: the same for every state of an execution (build
    once, share: the engine never changes a value in place)."""
    execution: dict[str, Any] = {
        "Id": info.execution_arn,
        "Input": info.input,
        "StartTime": format_timestamp(info.start_time),
        "Name": info.name,
        "RoleArn": info.role_arn,
    }
    if info.state_machine_type != "EXPRESS":
        execution["RedriveCount"] = 0
    return execution, {"Id": info.state_machine_arn, "Name": info.state_machine_name}


def context_object(
    info: ExecutionInfo,
    state_name: str,
    entered_time: float,
    *,
    retry_count: int | None = None,
    shared: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`$$` for a state, in AWS's key order (RetryCount only for Task states); `shared` is
    `execution_context(info)` when the caller keeps it."""
    execution, machine = shared or execution_context(info)
    state: dict[str, Any] = {"Name": state_name, "EnteredTime": format_timestamp(entered_time)}
    if retry_count is not None:
        state["RetryCount"] = retry_count
    return {"Execution": execution, "StateMachine": machine, "State": state}
