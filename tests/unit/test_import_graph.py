"""The modules of `src/` import one another without cycles (the core, the use cases, the API,
the adapters and the entry points alike; the layers themselves are import-linter's contracts in
pyproject.toml).

Every import counts, wherever it is written: at the top, inside a function, or behind
`if TYPE_CHECKING:` (an import moved out of sight to dodge a cycle is still a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports; `from package import sub` imports `package.sub`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            subs = {f"{base}.{alias.name}" for alias in node.names} & modules.keys()
            found |= subs or {base}
    return (found & modules.keys()) - {name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_no_module_of_src_is_part_of_an_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_graph_covers_every_layer() -> None:
    graph = _graph()
    for name in ("automations.cli", "automations.devserver.server", "automations.api.app"):
        assert name in graph
    assert "automations.devserver.serving" in graph["automations.devserver.workers"]


def test_the_finder_sees_imports_inside_functions_and_type_checking_blocks() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    found = _graph()
    assert "automations.asl.run" in found["automations.asl.execution"]
    # (resolvers imports the component registry inside a function, on first use)
    assert "automations.components.registry" in found["automations.asl.resolvers"]
    # (the API's services name the Automation under TYPE_CHECKING only)
    assert "automations.service.automation" in found["automations.api.services"]
