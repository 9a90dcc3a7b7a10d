"""Every package the shipped code imports is declared in pyproject.toml.

A package that arrives only as another one's dependency (numpy and scipy came with
scikit-learn) can vanish or change major version under us with no line of ours saying so.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"bot", "classifier", "replies"}
# Extras that the shipped code may import lazily, behind a feature (`[plot]`: the evaluation
# charts; `[postgres]`: the driver SQLAlchemy loads by URL). `dev` is for tests and checks only.
RUNTIME_EXTRAS = ("plot", "postgres")


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match[1]).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in RUNTIME_EXTRAS:
        requirements += project["optional-dependencies"].get(extra, [])
    return {_name(r) for r in requirements}


def _imported_modules() -> dict[str, str]:
    """Top-level module name -> the first file importing it, over bot/, classifier/, replies/."""
    found: dict[str, str] = {}
    for package in sorted(FIRST_PARTY):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_is_a_declared_dependency() -> None:
    declared = _declared()
    distributions = packages_distributions()
    undeclared = []
    for module, where in sorted(_imported_modules().items()):
        if module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__":
            continue
        # The distribution that installs the module (sklearn -> scikit-learn); a module not
        # installed here is looked up by its own name.
        names = {_name(d) for d in distributions.get(module, [module])}
        if not names & declared:
            undeclared.append(f"{module} (imported by {where}, installed by {sorted(names)})")
    assert not undeclared, "imported but not declared in pyproject.toml: " + ", ".join(undeclared)


def test_the_check_sees_the_direct_imports_it_is_about() -> None:
    modules = _imported_modules()
    assert {"numpy", "scipy", "sklearn", "waitress", "sqlalchemy"} <= modules.keys()
