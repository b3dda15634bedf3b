"""environment.yml (conda, Binder) and pyproject.toml (pip, make) name the same packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _split(requirement: str) -> tuple[str, str]:
    match = _REQUIREMENT.match(requirement)
    assert match, f"cannot read requirement {requirement!r}"
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return dict(_split(r) for r in requirements)


def conda_requirements() -> dict[str, str]:
    found = {}
    in_dependencies = False
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("dependencies:"):
            in_dependencies = True
            continue
        # Top-level conda packages are "  - name spec"; the pip section is indented further.
        match = re.match(r"^  - ([^\s:]+.*)$", line)
        if in_dependencies and match and not match.group(1).startswith("pip:"):
            name, spec = _split(match.group(1))
            if name not in ("python", "pip"):
                found[name] = spec
    return found


def test_every_pyproject_dependency_is_in_environment_yml_with_the_same_range() -> None:
    assert conda_requirements() == pyproject_requirements()


def test_environment_yml_asks_for_the_python_that_pyproject_requires() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert f"python{project['requires-python']}" in text


def test_dependencies_are_ranges_with_a_lower_bound_not_exact_pins() -> None:
    for name, spec in pyproject_requirements().items():
        assert spec.startswith(">="), f"{name} should have a tested lower bound, got {spec!r}"
        assert "==" not in spec, f"{name} is pinned exactly: {spec!r}"
