"""Docs that cannot drift: the README lists every setting as the code defines it."""

import re

from coach.settings import PROJECT_ROOT, Settings, settings_table

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_settings_table_matches_the_code():
    block = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", README, re.S)
    assert block, "README lost its settings markers"
    assert block.group(1) == settings_table(), "run: .venv/bin/python -m coach.settings"


def test_every_setting_has_help_and_appears_in_readme():
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no help line"
        assert f"`COACH_{name.upper()}`" in README


def test_quickstart_is_the_two_commands():
    quick = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make (\w+)", quick, re.M)
    assert commands == ["run", "test"]
