"""Print the layer's requirements, one a line, from pyproject.toml's dependencies.

`python requirements.py pyproject.toml`: the project's dependencies minus what Lambda never runs
(the dev server: uvicorn and the speed-ups it picks up, ~20 MB) and V8, which only code.js's
function carries.
`python requirements.py --code-js pyproject.toml`: mini-racer's line, for the code.js layer.
`python requirements.py --tracing`: the X-Ray SDK and its one compiled dependency, installed
apart with --no-deps (its botocore pin would add 80 MB that the runtime already has).
"""

from __future__ import annotations

import re
import sys
import tomllib

NOT_ON_LAMBDA = frozenset({"uvicorn", "httptools", "uvloop"})
# V8 (~85 MB unzipped) is code.js's alone: its function carries it (infra/functions/Makefile),
# so that the shared layer stays small for every other function.
NOT_IN_LAYER = NOT_ON_LAMBDA | {"mini-racer"}
TRACING = ("aws-xray-sdk==2.15.0", "wrapt>=1.16")


def name_of(requirement: str) -> str:
    """The distribution name of a requirement line, normalized."""
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def main(argv: list[str]) -> int:
    if argv[1:] == ["--tracing"]:
        print(" ".join(TRACING))
        return 0
    with open(argv[-1], "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    if argv[1] == "--code-js":  # the code.js layer's one requirement
        print(next(r for r in dependencies if name_of(r) == "mini-racer"))
        return 0
    for requirement in dependencies:
        if name_of(requirement) not in NOT_IN_LAYER:
            print(requirement)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
