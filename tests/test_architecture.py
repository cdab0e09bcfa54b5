"""The layering rules of DESIGN.md, checked on the source: imports point down only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BELOW_THE_UI = [
    ROOT / "passkey_app" / "services",
    ROOT / "passkey_app" / "local_cognito",
    ROOT / "passkey_app" / "models.py",
    ROOT / "passkey_app" / "db.py",
    ROOT / "passkey_app" / "settings.py",
    ROOT / "passkey_app" / "migrations.py",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _python_files(*places: Path) -> list[Path]:
    files: list[Path] = []
    for place in places:
        files.extend([place] if place.is_file() else sorted(place.rglob("*.py")))
    return files


def test_service_layer_imports_no_reflex() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n for n in _imports(path) if n.split(".")[0] == "reflex"
        )
        for path in _python_files(*BELOW_THE_UI)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_lambdas_import_nothing_from_the_app() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n for n in _imports(path) if n.split(".")[0] in {"passkey_app", "reflex", "boto3"}
        )
        for path in _python_files(ROOT / "lambdas")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_state_and_pages_do_not_touch_boto3_or_sql() -> None:
    ui = _python_files(ROOT / "passkey_app" / "state", ROOT / "passkey_app" / "pages")
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n
            for n in _imports(path)
            if n.split(".")[0] in {"boto3", "botocore", "sqlalchemy", "sqlmodel"}
        )
        for path in ui
    }
    assert {k: v for k, v in offenders.items() if v} == {}
