"""The exception naming rule, and the one base for errors shown to people."""

from __future__ import annotations

import ast
from pathlib import Path

from passkey_app.services.admin.errors import AdminError, AdminFailure
from passkey_app.services.errors import AuthError, AuthFailure, UserFacingError
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_ERRORS = {"Exception", "ValueError", "RuntimeError", "LookupError", "KeyError"}


def _exception_classes(*places: Path) -> dict[str, str]:
    """Class name -> file, for every class deriving (within these files) from an exception."""
    bases: dict[str, tuple[str, set[str]]] = {}
    for place in places:
        for path in sorted(place.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef):
                    names = {ast.unparse(base).split(".")[-1] for base in node.bases}
                    bases[node.name] = (str(path.relative_to(ROOT)), names)
    exceptions = set(BUILTIN_ERRORS)
    while True:
        found = {name for name, (_, parents) in bases.items() if parents & exceptions}
        if found <= exceptions:
            return {name: bases[name][0] for name in found}
        exceptions |= found


def test_every_exception_of_the_services_and_lambdas_is_named_for_an_error() -> None:
    classes = _exception_classes(ROOT / "passkey_app" / "services", ROOT / "lambdas")
    assert "PasskeyRejectedError" in classes
    assert {name: path for name, path in classes.items() if not name.endswith("Error")} == {}


def test_sign_in_and_admin_errors_share_the_base_pages_show() -> None:
    errors: list[UserFacingError] = [
        AuthError(AuthFailure.LINK_INVALID, "token=abc123"),
        AdminError(AdminFailure.OWN_ACCOUNT, "disable self"),
        PasskeyRejectedError(RejectReason.MALFORMED),
    ]
    assert all(isinstance(error, UserFacingError) for error in errors)
    assert errors[1].user_message == "You can't do that to your own account here."
    assert "abc123" not in errors[0].user_message
