"""Where `code.js` finds the JavaScript it loads into V8: SES, lodash and moment.

The files come from the npm lock of the repository (`package.json`, `npm ci`): in a source tree
from its `node_modules`; in the Lambda build from the copy `infra/functions/Makefile` puts
beside the handler (`$LAMBDA_TASK_ROOT/node_modules`, the same layout). An operator may point
`AUTOMATIONS_CODE_JS_MODULES` at another folder laid out like `node_modules`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from automations.errors import AutomationsError

MODULES_ENV = "AUTOMATIONS_CODE_JS_MODULES"

# Each library as `node_modules` holds it. SES first: it must run before anything else
# (lockdown freezes what exists when it runs, the libraries included).
FILES: Mapping[str, str] = {
    "ses": "ses/dist/ses.umd.min.js",
    "lodash": "lodash/lodash.min.js",
    "moment": "moment/min/moment-with-locales.min.js",
}


class LibrariesMissing(AutomationsError):
    """Raised when a JavaScript library `code.js` loads is in none of the places it looks."""


@dataclass(frozen=True, slots=True)
class Libraries:
    """The source text of each library, by name (in `FILES` order)."""

    sources: Mapping[str, str]


def candidate_folders(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The folders looked in, in order: the operator's, the Lambda task's, the source tree's."""
    env = os.environ if environ is None else environ
    folders = []
    if env.get(MODULES_ENV, "").strip():
        folders.append(Path(env[MODULES_ENV].strip()))
    if env.get("LAMBDA_TASK_ROOT", "").strip():
        folders.append(Path(env["LAMBDA_TASK_ROOT"].strip()) / "node_modules")
    # src/automations/components/ -> the repository, whose node_modules `npm ci` filled.
    folders += [parent / "node_modules" for parent in Path(__file__).resolve().parents[1:5]]
    return folders


def find_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The first candidate folder that holds every library; LibrariesMissing when none does."""
    folders = candidate_folders(environ)
    for folder in folders:
        if all((folder / relative).is_file() for relative in FILES.values()):
            return folder
    looked = ", ".join(str(f) for f in folders)
    wanted = ", ".join(FILES.values())
    raise LibrariesMissing(f"code.js needs {wanted} (npm ci); looked in {looked}")


@cache
def load() -> Libraries:
    """The libraries' text, read once per process."""
    folder = find_folder()
    return Libraries({name: (folder / rel).read_text("utf-8") for name, rel in FILES.items()})
