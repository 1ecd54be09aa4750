"""The two dictionaries of the web app hold the same keys, none empty, and a title for every
component (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

from automations.components import registry

I18N = Path(__file__).parents[3] / "web" / "src" / "i18n"
ENTRY = re.compile(r'^\s*"([^"]+)":\s*"((?:[^"\\]|\\.)*)",?\s*$')
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def entries(name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (I18N / name).read_text(encoding="utf-8").splitlines():
        entry = ENTRY.match(line)
        if entry:
            assert entry.group(1) not in found, f"{name}: {entry.group(1)} twice"
            found[entry.group(1)] = entry.group(2)
    return found


def test_english_and_russian_have_the_same_keys_and_placeholders() -> None:
    english, russian = entries("en.js"), entries("ru.js")
    assert len(english) > 100
    assert sorted(set(english) - set(russian)) == [], "missing in ru.js"
    assert sorted(set(russian) - set(english)) == [], "missing in en.js"
    for key, text in english.items():
        assert text.strip() and russian[key].strip(), f"{key} is empty"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(russian[key])), key


def test_every_line_of_the_dictionaries_is_a_plain_entry() -> None:
    # The files stay flat objects that the test above reads whole: a line it does not
    # understand would hide a key from it.
    for name in ("en.js", "ru.js"):
        for number, line in enumerate((I18N / name).read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            plain = (
                not stripped or stripped.startswith("//") or stripped in ("export default {", "};")
            )
            assert plain or ENTRY.match(line), f"{name}:{number}: {line}"


def test_every_component_has_a_title_in_both_dictionaries() -> None:
    # The palette shows the dictionaries' title of a component (the server's, made of its
    # name, only for one they lack): a component added without one would read "Sql: query"
    # in English and not be Russian at all.
    titled = {
        key.removeprefix("editor.componentTitle.")
        for key in entries("en.js")
        if key.startswith("editor.componentTitle.")
    }
    assert titled == set(registry.names())
