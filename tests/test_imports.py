"""Every module of the core packages imports by its dotted name, and that name, read attribute
by attribute from the top package, leads to the module itself: a package's `__init__` must not
bind a name over one of its own subpackages (`import skills.knowledge.search as search`)."""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

import pytest

from tests.conftest import REPO

PACKAGES = ("bot", "skills", "storage")
NOT_IMPORTED_ALONE = ("storage.migrations",)
"""Alembic's environment and revision scripts run only inside Alembic."""


def module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if not name.startswith(NOT_IMPORTED_ALONE):
                names.append(name)
    return names


def test_the_module_list_reaches_into_subpackages() -> None:
    names = module_names()
    assert {"skills.catalog", "skills.knowledge.search", "skills.pulse.schedule"} <= set(names)


@pytest.mark.parametrize("name", module_names())
def test_a_module_is_reachable_by_its_dotted_name(name: str) -> None:
    module = importlib.import_module(name)
    top, *rest = name.split(".")
    reached: ModuleType = functools.reduce(getattr, rest, importlib.import_module(top))
    assert reached is module, f"{name} is shadowed by {reached!r}"
