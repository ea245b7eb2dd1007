"""The dependency rule from DESIGN.md: only `adapters` speaks to platform SDKs, `skills` and
`storage` stay free of SDKs and aiohttp, and `bot` reaches adapters only from the composition root.

Imports are found with `ast` over the whole tree, so an import inside a function or under
`TYPE_CHECKING` counts too, as do `importlib.import_module("...")` calls with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

COMPOSITION_ROOT = ("bot/cli/", "bot/app.py")
"""Path prefixes: the `breakroom` command's package, and the server's app."""


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    module: str

    @property
    def top(self) -> str:
        return self.module.split(".")[0]

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.module}"


def is_platform_sdk(imp: Import) -> bool:
    return imp.top in ("slack_bolt", "slack_sdk") or imp.top.startswith("botbuilder")


def python_files(*packages: str, root: Path = REPO) -> list[Path]:
    return sorted(path for package in packages for path in (root / package).rglob("*.py"))


def imports_in(path: Path, root: Path = REPO) -> list[Import]:
    relative = path.relative_to(root)
    shown = relative.as_posix()
    package = list(relative.parent.parts)  # what `from . import x` is relative to
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(shown, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                name = f"{module}.{alias.name}" if module else alias.name
                found.append(Import(shown, node.lineno, name if alias.name != "*" else module))
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(shown, node.lineno, node.args[0].value))
    return sorted(found, key=lambda imp: (imp.line, imp.module))


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def offenders(files: Iterable[Path], bad: Callable[[Import], bool]) -> list[Import]:
    return [imp for path in files for imp in imports_in(path) if bad(imp)]


def report(found: list[Import]) -> str:
    return "dependency rule broken:\n" + "\n".join(f"  {imp}" for imp in found)


def test_the_scan_sees_the_packages() -> None:
    """Guards against an empty scan passing every rule."""
    scanned = {p.relative_to(REPO).as_posix() for p in python_files("bot", "skills", "storage")}
    assert {
        "bot/cli/__init__.py",
        "bot/router.py",
        "skills/help/skill.py",
        "storage/models/__init__.py",
        "storage/migrations/env.py",
    } <= scanned
    assert any(imp.top == "sqlalchemy" for imp in imports_in(REPO / "storage" / "db.py"))


def test_skills_and_storage_import_no_platform_sdk_aiohttp_or_adapters() -> None:
    found = offenders(
        python_files("skills", "storage"),
        lambda imp: is_platform_sdk(imp) or imp.top in ("aiohttp", "adapters"),
    )
    assert not found, report(found)


def test_bot_imports_adapters_only_in_the_composition_root() -> None:
    found = offenders(
        (
            p
            for p in python_files("bot")
            if not p.relative_to(REPO).as_posix().startswith(COMPOSITION_ROOT)
        ),
        lambda imp: imp.top == "adapters",
    )
    assert not found, report(found)


def test_only_adapters_import_platform_sdks() -> None:
    packages = sorted(
        p.parent.name
        for p in REPO.glob("*/__init__.py")
        if p.parent.name not in ("adapters", "tests")
    )
    assert {"bot", "skills", "storage"} <= set(packages)
    found = offenders(python_files(*packages), is_platform_sdk)
    assert not found, report(found)


def test_scanner_finds_every_kind_of_import(tmp_path: Path) -> None:
    module = tmp_path / "skills" / "demo" / "skill.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import importlib\n"
        "import slack_sdk.web.async_client as client\n"
        "from botbuilder.core import TurnContext\n"
        "from ...adapters import slack\n"
        "from . import helpers\n"
        "\n"
        "def later():\n"
        "    from aiohttp import web\n"
        "    return importlib.import_module('botbuilder_schema')\n",
        encoding="utf-8",
    )
    found = [(imp.line, imp.module) for imp in imports_in(module, root=tmp_path)]
    assert found == [
        (1, "importlib"),
        (2, "slack_sdk.web.async_client"),
        (3, "botbuilder.core.TurnContext"),
        (4, "adapters.slack"),
        (5, "skills.demo.helpers"),
        (8, "aiohttp.web"),
        (9, "botbuilder_schema"),
    ]
    sdk = [imp for imp in imports_in(module, root=tmp_path) if is_platform_sdk(imp)]
    assert [str(imp) for imp in sdk] == [
        "skills/demo/skill.py:2 imports slack_sdk.web.async_client",
        "skills/demo/skill.py:3 imports botbuilder.core.TurnContext",
        "skills/demo/skill.py:9 imports botbuilder_schema",
    ]
    assert "skills/demo/skill.py:8 imports aiohttp.web" in report(
        [imp for imp in imports_in(module, root=tmp_path) if imp.top == "aiohttp"]
    )
