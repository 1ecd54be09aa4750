from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from automations.components import registry
from automations.components.errors import UnknownComponent

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("name", "module"), [(n, s.module) for n, s in registry.BUILTIN.items()])
def test_each_builtin_module_registers_the_name_it_is_listed_under(name: str, module: str) -> None:
    importlib.import_module(module)
    spec = registry.get(name)
    assert spec.name == name
    assert spec.run.__module__ == module


@pytest.mark.parametrize("name", sorted(registry.BUILTIN))
def test_the_table_says_what_each_builtin_module_takes_and_raises(name: str) -> None:
    # Validation trusts the table without importing the module: it must match the models.
    assert registry.BUILTIN[name] == registry.get(name).shape
    assert registry.CATALOGUE[name] == registry.BUILTIN[name]


def test_the_catalogue_lists_every_component_and_one_registered_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert sorted(registry.CATALOGUE) == registry.names() == sorted(registry.BUILTIN)
    parse = registry.get("parse")
    extra = registry.ComponentSpec(
        name="test.extra",
        input_model=parse.input_model,
        result_model=parse.result_model,
        errors=("extra.failed",),
        run=parse.run,
    )
    monkeypatch.setitem(registry._REGISTRY, extra.name, extra)
    assert "test.extra" in registry.CATALOGUE
    assert len(registry.CATALOGUE) == len(registry.BUILTIN) + 1
    assert registry.CATALOGUE["test.extra"].errors == ("extra.failed",)
    assert registry.CATALOGUE["test.extra"].required == ("data", "query")
    with pytest.raises(KeyError):
        registry.CATALOGUE["no.such"]


def test_validating_a_scenario_imports_no_component() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from automations.service.scenarios import compile_bpmn\n"
        "for name in ('rate-with-fallback', 'extract-order-numbers'):\n"
        "    compile_bpmn(Path('examples', name + '.bpmn'))\n"
        "print(','.join(m for m in sys.modules if m.startswith('automations.components.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    loaded = set(out.split(","))
    assert "automations.components.registry" in loaded
    assert loaded.isdisjoint(shape.module for shape in registry.BUILTIN.values())


def test_asking_for_one_component_imports_only_its_module() -> None:
    code = (
        "import sys\n"
        "from automations.components import registry\n"
        "registry.get('parse')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('automations.components.'))\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    # The package's errors come with the registry; no other component module is imported.
    assert out.split(",") == [
        "automations.components.errors",
        "automations.components.parse",
        "automations.components.registry",
    ]


def test_an_unknown_component_is_refused_by_name() -> None:
    with pytest.raises(UnknownComponent, match=r"'no\.such'"):
        registry.get("no.such")
