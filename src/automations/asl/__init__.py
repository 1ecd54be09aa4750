"""An embedded Amazon States Language interpreter with AWS Step Functions semantics.

    definition = Definition.parse(asl_dict)
    result = await Engine(resolver, VirtualClock()).start(definition, {"a": 1})
    result.status, result.output, result.history, trace(result.history)

Both query languages (JSONPath and JSONata), variables, Retry/Catch, Parallel, inline and
distributed Map, the execution history as GetExecutionHistory shows it, and checkpoints after
every transition so an execution can resume in another process.
"""

from __future__ import annotations

from automations.asl.checkpoint import FileCheckpointStore, InMemoryCheckpointStore, StopAfter
from automations.asl.clock import RealClock, VirtualClock
from automations.asl.definition import Definition
from automations.asl.engine import Engine, run_execution
from automations.asl.errors import (
    AslError,
    CheckpointMismatch,
    CheckpointStop,
    ExecutionAlreadyExists,
    ExecutionNotFound,
    InvalidDefinition,
    InvalidExecutionInput,
    TaskError,
    UnknownResource,
)
from automations.asl.history import trace
from automations.asl.options import EngineOptions, ExecutionResult
from automations.asl.ports import CheckpointStore, Clock, ResourceResolver, TaskContext
from automations.asl.resolvers import ComponentResolver
from automations.asl.validation import Diagnostic, validate_definition

__all__ = [
    "AslError",
    "CheckpointMismatch",
    "CheckpointStop",
    "CheckpointStore",
    "Clock",
    "ComponentResolver",
    "Definition",
    "Diagnostic",
    "Engine",
    "EngineOptions",
    "ExecutionAlreadyExists",
    "ExecutionNotFound",
    "ExecutionResult",
    "FileCheckpointStore",
    "InMemoryCheckpointStore",
    "InvalidDefinition",
    "InvalidExecutionInput",
    "RealClock",
    "ResourceResolver",
    "StopAfter",
    "TaskContext",
    "TaskError",
    "UnknownResource",
    "VirtualClock",
    "run_execution",
    "trace",
    "validate_definition",
]
