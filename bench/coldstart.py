"""Cold start of every Lambda handler: import time in a fresh interpreter, then the wiring its
first event builds (clients, stores, the API resolver) without calling AWS.

    .venv/bin/python bench/coldstart.py [--repeats 7]

Each number is the median of `--repeats` fresh interpreters (a subprocess each), measured
inside the child with `time.perf_counter()` around:

- import: loading `functions/<name>/app.py` as Lambda's INIT phase does (module-level code:
  powertools Logger, Metrics, Tracer, and what the handler imports at the top), with the
  environment `template.yaml` gives the function and `LAMBDA_TASK_ROOT` set, so that the Tracer
  is enabled (and patches what it patches) as it is on Lambda;
- + first event: the same, plus what the function's first event builds before it reaches AWS
  (`AwsRuntime` properties, the API resolver, the imports its path makes lazily). Network time
  is not in it: on Lambda the first call also pays TLS handshakes and the AWS calls themselves.

The step-runner is measured once per kind of component (`parse` stands for any component that
reaches no AWS service, `records.get` for the records components). Bytecode is already compiled
here (.pyc); on Lambda the layer is precompiled when `sam build` finds a python3.12.

Prints the command and a Markdown table for docs/benchmarks.md (Coldstart).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0

# The environment template.yaml gives the functions (values that need no deployment).
BASE_ENV = {
    "LAMBDA_TASK_ROOT": "/var/task",
    "AWS_LAMBDA_FUNCTION_NAME": "automations-coldstart",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_METRICS_NAMESPACE": "Automations",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "RECORDS_TABLE": "Records",
    "AUTOMATIONS_TABLE": "Automations",
    "STATE_MACHINE_ROLE_ARN": "arn:aws:iam::123456789012:role/machines",
    "COMPONENT_FUNCTION_PREFIX": "arn:aws:lambda:eu-central-1:123456789012:function:a-",
    "AUTOMATIONS_DEMO": "false",
}

# What each function's first event builds, as Python run after the import (`runtime` is the
# AwsRuntime the handler will use).
FIRST_EVENT = {
    "api": "from automations.api.app import build_app; build_app(runtime.services)",
    "webhook": "from automations.adapters.aws.runtime import _webhook_app; "
    "_webhook_app(runtime.automation, 1024)",
    "dispatcher": "import automations.adapters.aws.streams, automations.service.dispatch; "
    "from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType; "
    "BatchProcessor(event_type=EventType.DynamoDBStreams); runtime.automation.dispatch_deps()",
    "step-runner parse": "runtime.component_services('arn:aws:states:r:1:execution:m:p')",
    "step-runner records.get": "runtime.component_services('x')['records']._reads()",
}
HANDLERS = {
    "api": ("api", {}),
    "webhook": ("webhook", {}),
    "dispatcher": ("dispatcher", {}),
    "step-runner parse": ("step-runner", {"COMPONENT": "parse"}),
    "step-runner records.get": ("step-runner", {"COMPONENT": "records.get"}),
}

CHILD = """
import importlib.util, json, sys, time
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
imported = time.perf_counter()
if {first!r}:
    from automations.adapters.aws.runtime import aws_runtime
    runtime = aws_runtime()
    exec({first!r})
wired = time.perf_counter()
print(json.dumps({{"import": (imported - start) * 1000, "first": (wired - start) * 1000,
                  "boto3": "boto3" in sys.modules}}))
"""


def measure(name: str, repeats: int) -> dict[str, float | bool]:
    folder, extra = HANDLERS[name]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env |= BASE_ENV | extra
    runs = []
    for first in ("", FIRST_EVENT[name]):
        code = CHILD.format(path=str(ROOT / "functions" / folder / "app.py"), first=first)
        samples = []
        for _ in range(repeats):
            out = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
            samples.append(json.loads(out.strip().splitlines()[-1]))
        runs.append(samples)
    return {
        "import": statistics.median(s["import"] for s in runs[0]),
        "first": statistics.median(s["first"] for s in runs[1]),
        "boto3_at_first": runs[1][0]["boto3"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"$ {' '.join([Path(sys.executable).name, 'bench/coldstart.py', *sys.argv[1:]])}")
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores\n")
    print("| handler | import (INIT) | + first event's wiring | boto3 loaded |")
    print("|---|---:|---:|---|")
    for name in HANDLERS:
        result = measure(name, args.repeats)
        ok = float(result["import"]) < TARGET_MS
        mark = "" if ok else f" (over {TARGET_MS:.0f})"
        print(
            f"| {name} | {result['import']:.0f} ms{mark} | {result['first']:.0f} ms | "
            f"{'yes' if result['boto3_at_first'] else 'no'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
