"""docs/architecture.md names files and functions of this repository: each one must exist.

A backticked span is a reference when it is a path whose first folder is one of the
repository's, or `automations/`, or one of `src/automations/`'s, or when it names a file
(`cli.py`). `path.py:name` (or `path.py:Class.method`) also names what that file defines.
Paths resolve from the repository root when they begin with one of its folders, from `src/`
for `automations/...`, and from `src/automations/` otherwise, as the document says.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PACKAGE = SRC / "automations"
MAP = ROOT / "docs" / "architecture.md"

_SPAN = re.compile(r"`([^`\s]+)`")
_FILE = re.compile(r"[\w./-]+\.(?:py|md|yaml|toml|json|bpmn|tsv)")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith((".", "__"))}


def resolve(path: str) -> Path | None:
    """Where a referenced path points, or None when the span is no path of ours."""
    first = path.split("/", 1)[0]
    if first in _entries(ROOT):
        return ROOT / path
    if first == "automations":
        return SRC / path
    if ("/" in path and first in _entries(PACKAGE)) or _FILE.fullmatch(path):
        return PACKAGE / path
    return None


def references(text: str) -> list[tuple[str, Path, str | None]]:
    """(span, path, defined name or None) for every reference in `text`."""
    found = []
    for span in _SPAN.findall(text):
        path, _, name = span.partition(":")
        where = resolve(path)
        if where is not None:
            found.append((span, where, name or None))
    return found


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    names = set()
    for target in targets:
        parts = target.elts if isinstance(target, ast.Tuple) else [target]
        names |= {p.id for p in parts if isinstance(p, ast.Name)}
    return names


def defines(path: Path, dotted: str) -> bool:
    """Whether the module defines `dotted` (`name`, or `Class.member`) at that level."""
    body: list[ast.stmt] = _tree(path).body
    for part in dotted.split("."):
        node = next((n for n in body if part in _names(n)), None)
        if node is None:
            return False
        body = getattr(node, "body", [])
    return True


def problems(text: str) -> list[str]:
    """What in `text` names a path or a definition that is not there."""
    wrong = []
    for span, path, name in references(text):
        if not path.resolve().is_relative_to(ROOT):
            wrong.append(f"{span}: outside the repository")
        elif not path.exists():
            wrong.append(f"{span}: no such file or folder")
        elif name is not None and (path.suffix != ".py" or not defines(path, name)):
            wrong.append(f"{span}: {path.name} defines no {name}")
    return wrong


def test_every_path_and_name_the_map_gives_exists() -> None:
    assert problems(MAP.read_text(encoding="utf-8")) == []


def test_the_map_names_every_package_and_every_lambda_function() -> None:
    named = {path.resolve() for _, path, _ in references(MAP.read_text(encoding="utf-8"))}
    packages = [p.parent for p in PACKAGE.rglob("__init__.py")]
    packages += [p.parent for p in (ROOT / "functions").glob("*/app.py")]
    missing = [
        str(package.relative_to(ROOT))
        for package in packages
        if package != PACKAGE and not any(n.is_relative_to(package.resolve()) for n in named)
    ]
    assert missing == []


def test_the_checker_reports_what_is_not_there() -> None:
    text = (
        "`bpmn/parser.py:build_scenario` `service/processes.py:Processes.run_sync` "
        "`functions/dispatcher/app.py` `automations/cli.py` `asl/states/` "
        "`bpmn/parse.py` `bpmn/parser.py:parse_everything` "
        "`service/processes.py:Processes.sprint` `tests/unit/nothing_here.py` `cli.pyx.py` "
        "`docs/../../elsewhere/DESIGN.md` "
        "`application/xml` `/api/v1/processes` `$values` `Process.Timeout` `arn:aws:states:::x`"
    )
    assert problems(text) == [
        "bpmn/parse.py: no such file or folder",
        "bpmn/parser.py:parse_everything: parser.py defines no parse_everything",
        "service/processes.py:Processes.sprint: processes.py defines no Processes.sprint",
        "tests/unit/nothing_here.py: no such file or folder",
        "cli.pyx.py: no such file or folder",
        "docs/../../elsewhere/DESIGN.md: outside the repository",
    ]


def test_the_documents_link_only_inside_the_repository() -> None:
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for document in documents:
        for target in _LINK.findall(document.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "#", "mailto:")):
                continue
            path = (document.parent / target.split("#", 1)[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{document.name}: {target}")
    assert broken == []
