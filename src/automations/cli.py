"""The `automations` command: validate, compile and run scenarios; start the local server;
start and retry processes on it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from automations.adapters.local.scenario_files import run_file
from automations.bpmn.errors import ScenarioInvalid
from automations.compiler import Flavour, to_json
from automations.errors import CliInputInvalid, SettingsInvalid
from automations.service.outcome import ProcessOutcome
from automations.service.scenarios import compile_bpmn, sibling_scenarios

EXIT_FAILED = 1
EXIT_INVALID = 2


def _validate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        compile_bpmn(path, file=args.file, known_scenarios=sibling_scenarios(path))
    except ScenarioInvalid as exc:
        return _report(exc, sys.stdout)
    print(f"{args.file}: ok")
    return 0


def _compile(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        _, definition = compile_bpmn(
            path,
            file=args.file,
            flavour=Flavour(args.flavour.upper()),
            known_scenarios=sibling_scenarios(path),
            timeout_seconds=args.timeout_seconds,
        )
    except ScenarioInvalid as exc:
        return _report(exc, sys.stderr)
    sys.stdout.write(to_json(definition))
    return 0


def _run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        variables = _input(args.input)
        if args.db is None:
            result = run_file(path, variables, real_time=args.real_time)
        else:
            result = _run_on_database(path, variables, args)
    except ScenarioInvalid as exc:
        return _report(exc, sys.stderr)
    except CliInputInvalid as exc:
        print(f"--input: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except SettingsInvalid as exc:
        print(f"configuration: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(result.model_dump_json())
    else:
        _print_outcome(result)
    return 0 if result.status == "completed" else EXIT_FAILED


def _run_on_database(
    path: Path, variables: dict[str, Any], args: argparse.Namespace
) -> ProcessOutcome:
    """One run whose components reach a local database's records, files and record messages,
    as a process of `automations dev` on that database would (nothing is queued or stored as
    a process; what the components write stays)."""
    import uuid

    from automations.adapters.local.runtime import build_runtime
    from automations.settings import Settings

    runtime = build_runtime(args.db, Settings.from_environment())
    try:
        process_id = f"run-{uuid.uuid4().hex[:12]}"
        services = runtime.component_services(process_id, path.stem)
        return run_file(path, variables, real_time=args.real_time, services=services)
    finally:
        runtime.close()


def _input(text: str) -> dict[str, Any]:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliInputInvalid(f"cannot read {text[1:]}: {exc.strerror}") from None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CliInputInvalid(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise CliInputInvalid("must be a JSON object: its keys become the start variables")
    return value


def _print_outcome(result: ProcessOutcome) -> None:
    print(f"status: {result.status}")
    if result.error is not None:
        print(f"error:  {result.error.code} at {result.error.element}: {result.error.message}")
    print("path:   " + " → ".join(result.trace))
    print("output: " + json.dumps(result.output, ensure_ascii=False, indent=2))


def _dev(args: argparse.Namespace) -> int:
    # Imported here: `validate`/`run` should not pay for the server's imports.
    from automations.devserver.server import run_dev
    from automations.settings import Settings

    try:
        settings = Settings.from_environment(server_processes=args.processes)
        run_dev(settings, args.db, host=args.host, port=args.port)
    except SettingsInvalid as exc:  # a bad value, or a secret the settings name is missing
        print(f"configuration: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return 0


def _start(args: argparse.Namespace) -> int:
    import httpx

    try:
        variables = _input(args.input)
    except CliInputInvalid as exc:
        print(f"--input: {exc}", file=sys.stderr)
        return EXIT_INVALID
    email = os.environ.get("AUTOMATIONS_ADMIN_EMAIL", "admin@example.com")
    password = os.environ.get("AUTOMATIONS_ADMIN_PASSWORD", "admin")
    url = f"{args.url.rstrip('/')}/api/v1/scenarios/{args.scenario}/run"
    try:
        reply = httpx.post(
            url,
            json={"input": variables, "async": args.run_async},
            auth=(email, password),
            timeout=args.timeout,
        )
    except httpx.HTTPError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(reply.json(), ensure_ascii=False, indent=2))
    if reply.status_code >= 400:
        return EXIT_FAILED
    return 0 if reply.json().get("status") in ("completed", "queued", "running") else EXIT_FAILED


def _retry(args: argparse.Namespace) -> int:
    """`POST /api/v1/processes/{id}/retry` on a running server (as `start` is)."""
    import httpx

    try:
        variables = _input(args.variables) if args.variables is not None else None
    except CliInputInvalid as exc:
        print(f"--variables: {exc}", file=sys.stderr)
        return EXIT_INVALID
    email = os.environ.get("AUTOMATIONS_ADMIN_EMAIL", "admin@example.com")
    password = os.environ.get("AUTOMATIONS_ADMIN_PASSWORD", "admin")
    url = f"{args.url.rstrip('/')}/api/v1/processes/{args.process}/retry"
    body = {} if variables is None else {"variables": variables}
    try:
        reply = httpx.post(url, json=body, auth=(email, password), timeout=args.timeout)
    except httpx.HTTPError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(reply.json(), ensure_ascii=False, indent=2))
    return 0 if reply.status_code < 400 else EXIT_FAILED


def _repair(args: argparse.Namespace) -> int:
    import sqlite3

    from automations.adapters.sqlite.db import Database
    from automations.adapters.sqlite.processes import repair_processes

    if not Path(args.db).is_file():
        print(f"{args.db}: no such file", file=sys.stderr)
        return EXIT_INVALID
    try:
        db = Database(args.db)
        try:
            repaired = repair_processes(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        print(f"{args.db}: not an automations database ({exc})", file=sys.stderr)
        return EXIT_FAILED
    for process in repaired:
        why = process.error.message if process.error is not None else ""
        print(f"repaired {process.id} (scenario {process.scenario_id}, {process.status}): {why}")
    print(f"{args.db}: {len(repaired)} unreadable process record(s) rewritten")
    return 0


def _report(exc: ScenarioInvalid, stream: TextIO) -> int:
    for problem in exc.problems:
        print(problem, file=stream)
    return EXIT_INVALID


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="automations", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser(
        "validate", help="check a scenario; problems as FILE:LINE: ID: message"
    )
    validate.add_argument("file")
    validate.set_defaults(handler=_validate)
    compile_ = commands.add_parser("compile", help="print the compiled ASL definition")
    compile_.add_argument("file")
    compile_.add_argument("--flavour", choices=["standard", "express"], default="standard")
    compile_.add_argument("--timeout-seconds", type=int, default=86400)
    compile_.set_defaults(handler=_compile)
    run = commands.add_parser("run", help="run a scenario once in the embedded engine")
    run.add_argument("file")
    run.add_argument("--input", default="{}", help="start variables: a JSON object or @file")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument(
        "--real-time", action="store_true", help="really wait on timers (default: virtual clock)"
    )
    run.add_argument(
        "--db",
        help="a local database (as `automations dev --db`) whose records, files and messages "
        "the components reach (default: none, those components fail as unavailable)",
    )
    run.set_defaults(handler=_run)
    dev = commands.add_parser(
        "dev", help="the local server: API, web requests, scheduler, processes, demo"
    )
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--db", default="automations.db", help="the SQLite file (created if absent)")
    dev.add_argument(
        "--processes",
        type=int,
        help="server processes on the port, one core each (AUTOMATIONS_SERVER_PROCESSES; 1)",
    )
    dev.set_defaults(handler=_dev)
    start = commands.add_parser(
        "start", help="run a saved scenario by hand ($manual) on a running server"
    )
    start.add_argument("scenario", help="the scenario id")
    start.add_argument("--input", default="{}", help="start variables: a JSON object or @file")
    start.add_argument("--async", dest="run_async", action="store_true", help="do not wait")
    start.add_argument("--url", default="http://127.0.0.1:8000")
    start.add_argument("--timeout", type=float, default=70.0)
    start.set_defaults(handler=_start)
    retry = commands.add_parser(
        "retry", help="retry a process that ended in error, from where it failed"
    )
    retry.add_argument("process", help="the process id")
    retry.add_argument(
        "--variables", default=None, help="variables to change first: a JSON object or @file"
    )
    retry.add_argument("--url", default="http://127.0.0.1:8000")
    retry.add_argument("--timeout", type=float, default=30.0)
    retry.set_defaults(handler=_retry)
    repair = commands.add_parser(
        "repair", help="rewrite process records that cannot be read back (the server may run)"
    )
    repair.add_argument("--db", default="automations.db", help="the SQLite file")
    repair.set_defaults(handler=_repair)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
