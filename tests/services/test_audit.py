"""The audit trail's event types: one enum, its stored strings and its labels."""

from __future__ import annotations

from sqlmodel import Session, select

from lambdas.proof import ProofMethod
from passkey_app.models import AuditEvent
from passkey_app.services.audit import AUDIT_EVENT_LABELS, AuditEventType, AuditTrail
from passkey_app.services.container import Services
from passkey_app.services.sign_in import METHOD_LABELS, SignInMethod
from tests.services.flows import CLIENT


def test_every_event_type_has_a_label() -> None:
    assert set(AUDIT_EVENT_LABELS) == set(AuditEventType)
    assert AuditEventType.LOGIN_PASSKEY.label == "Signed in with a passkey"


def test_an_event_is_stored_as_the_same_string_as_before_the_enum(services: Services) -> None:
    AuditTrail(services.engine).write(
        AuditEventType.MAGIC_LINK_REDEEM, "success", CLIENT, detail="login"
    )
    with Session(services.engine) as db:
        stored = db.exec(select(AuditEvent.event_type)).one()
    assert stored == "magic_link.redeem"
    assert type(stored) is str


def test_every_sign_in_method_has_a_label_for_people() -> None:
    assert [m.label for m in SignInMethod] == ["Password", "Passkey", "Email link", "Email code"]
    assert dict(METHOD_LABELS) == {
        "password": "Password",
        "passkey": "Passkey",
        "magic_link": "Email link",
        "email_code": "Email code",
    }


def test_only_the_methods_the_app_verifies_itself_name_a_proof_method() -> None:
    assert SignInMethod.PASSKEY.proof_method is ProofMethod.PASSKEY
    assert SignInMethod.MAGIC_LINK.proof_method is ProofMethod.MAGIC_LINK
    assert SignInMethod.EMAIL_CODE.proof_method is ProofMethod.EMAIL_CODE
    assert SignInMethod.PASSWORD.proof_method is None
