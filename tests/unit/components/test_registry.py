from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from automations.components import registry


@pytest.mark.parametrize(("name", "module"), sorted(registry.BUILTIN.items()))
def test_each_builtin_module_registers_the_name_it_is_listed_under(name: str, module: str) -> None:
    importlib.import_module(module)
    spec = registry.get(name)
    assert spec.name == name
    assert spec.run.__module__ == module


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
    assert out.split(",") == ["automations.components.parse", "automations.components.registry"]


def test_an_unknown_component_is_refused_by_name() -> None:
    with pytest.raises(registry.UnknownComponent, match=r"'no\.such'"):
        registry.get("no.such")
