"""The `automations` command: validate, compile and run scenarios; start the local server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from automations.bpmn.errors import ScenarioInvalid
from automations.compiler import Flavour, to_json
from automations.service.scenarios import compile_bpmn, sibling_scenarios

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
