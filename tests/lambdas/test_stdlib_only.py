"""The Lambda zip carries only lambdas/: every import must be stdlib or lambdas itself."""

import ast
import sys
from pathlib import Path

import lambdas

LAMBDAS_DIR = Path(lambdas.__file__).parent


def imported_modules(source: Path) -> list[str]:
    """Top-level names of every absolute import in ``source``; relative ones as '.'."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            names.extend(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.append("." if node.level else (node.module or "").split(".")[0])
    return names


def test_lambdas_import_only_the_standard_library() -> None:
    sources = sorted(LAMBDAS_DIR.glob("*.py"))
    assert {path.name for path in sources} >= {
        "__init__.py",
        "config.py",
        "proof.py",
        "define_auth_challenge.py",
        "create_auth_challenge.py",
        "verify_auth_challenge.py",
    }
    foreign = {
        f"{path.name}: {name}"
        for path in sources
        for name in imported_modules(path)
        if name not in sys.stdlib_module_names and name != "lambdas"
    }
    assert foreign == set()
