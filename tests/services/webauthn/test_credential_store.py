"""Repository functions: users and their handles, adding, listing, renaming, deleting."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session

from passkey_app.db import session_scope
from passkey_app.models import WebAuthnUser
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.encoding import b64url_decode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from tests.services.webauthn.conftest import ALICE, BOB, PasskeyWorld
from tests.support.authenticator import SoftCredential

GOOGLE = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"


def test_a_user_gets_a_random_handle_once(world: PasskeyWorld) -> None:
    with session_scope(world.engine) as db:
        user = credential_store.ensure_user(db, user_sub=ALICE, username="alice", at=world.clock())
        again = credential_store.ensure_user(db, user_sub=ALICE, username="x", at=world.clock())
        other = credential_store.ensure_user(db, user_sub=BOB, username="bob", at=world.clock())
    assert len(b64url_decode(user.user_handle)) == 32
    assert again.user_handle == user.user_handle != other.user_handle
    assert (again.username, again.created_by_passkey) == ("alice", False)


def test_sign_up_keeps_the_handle_it_registered_with(world: PasskeyWorld) -> None:
    handle = credential_store.new_user_handle()
    with session_scope(world.engine) as db:
        user = credential_store.ensure_user(
            db,
            user_sub=ALICE,
            username="alice",
            user_handle=handle,
            created_by_passkey=True,
            at=world.clock(),
        )
        assert credential_store.find_user_by_handle(db, handle) == user
        assert credential_store.find_user(db, ALICE) == user
        assert credential_store.find_user_by_handle(db, "nobody") is None
        with pytest.raises(ValueError):
            credential_store.ensure_user(
                db, user_sub=ALICE, username="alice", user_handle="other", at=world.clock()
            )
    assert user.created_by_passkey is True


def test_a_passkey_needs_its_user_first(world: PasskeyWorld) -> None:
    start = world.start_registration(None)
    _, response = world.authenticator.create(start.options)
    new = world.ceremonies.verify_registration(
        handle=start.handle, response=response, expected_user_sub=None
    )
    with session_scope(world.engine) as db, pytest.raises(ValueError):
        credential_store.add_passkey(db, user_sub=ALICE, new=new, name="x", at=world.clock())


def test_a_credential_id_is_unique_across_users(world: PasskeyWorld) -> None:
    credential = world.register(ALICE)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.register(BOB, credential_id=credential.credential_id)
    assert caught.value.reason is RejectReason.CREDENTIAL_EXISTS
    with Session(world.engine) as db:
        assert credential_store.count_passkeys(db, BOB) == 0


def test_a_concurrent_duplicate_is_caught_by_the_unique_constraint(world: PasskeyWorld) -> None:
    start = world.start_registration(BOB)
    _, response = world.authenticator.create(start.options)
    new = world.ceremonies.verify_registration(
        handle=start.handle, response=response, expected_user_sub=BOB
    )
    world.user_handle(ALICE)
    world.user_handle(BOB)
    with pytest.raises(PasskeyRejectedError) as caught, session_scope(world.engine) as db:

        @event.listens_for(db, "before_flush", once=True)
        def _another_browser_registers_it_first(*_: object) -> None:
            with session_scope(world.engine) as other:
                credential_store.add_passkey(
                    other, user_sub=ALICE, new=new, name="first", at=world.clock()
                )

        credential_store.add_passkey(db, user_sub=BOB, new=new, name="second", at=world.clock())
    assert caught.value.reason is RejectReason.CREDENTIAL_EXISTS
    with Session(world.engine) as db:
        assert credential_store.count_passkeys(db, ALICE) == 1
        assert credential_store.count_passkeys(db, BOB) == 0


def test_list_oldest_first_with_the_model_name(world: PasskeyWorld) -> None:
    first = world.register(be=True, bs=True, aaguid=uuid.UUID(GOOGLE).bytes)
    world.clock.advance(timedelta(minutes=1))
    second = world.register()
    world.register(BOB)
    world.login(second)
    with Session(world.engine) as db:
        summaries = credential_store.list_passkeys(db, ALICE)
        assert credential_store.credential_ids(db, ALICE) == [first.id, second.id]
        assert credential_store.count_passkeys(db, ALICE) == 2
    assert [(s.model, s.synced, s.sign_count) for s in summaries] == [
        ("Google Password Manager", True, 0),
        ("Passkey", False, 1),
    ]
    assert summaries[0].created_at < summaries[1].created_at
    assert summaries[0].created_at.tzinfo is not None
    assert (summaries[0].last_used_at, summaries[1].last_used_at) == (None, world.clock.now)


def _passkey_id(world: PasskeyWorld, credential: SoftCredential) -> int:
    passkey_id = world.stored(credential).id
    assert passkey_id is not None
    return passkey_id


def test_rename_trims_and_bounds_the_name(world: PasskeyWorld) -> None:
    passkey_id = _passkey_id(world, world.register())
    with session_scope(world.engine) as db:
        assert credential_store.rename_passkey(
            db, user_sub=ALICE, passkey_id=passkey_id, name="  Work laptop \n"
        )
        for bad in ["", "   ", "x" * 65]:
            with pytest.raises(ValueError):
                credential_store.rename_passkey(db, user_sub=ALICE, passkey_id=passkey_id, name=bad)
        assert credential_store.rename_passkey(
            db, user_sub=ALICE, passkey_id=passkey_id, name="é" * 64
        )
    assert world.stored(world.authenticator.credentials[0]).name == "é" * 64


def test_only_the_owner_renames_or_deletes(world: PasskeyWorld) -> None:
    passkey_id = _passkey_id(world, world.register(ALICE))
    world.register(BOB)
    with session_scope(world.engine) as db:
        assert not credential_store.rename_passkey(
            db, user_sub=BOB, passkey_id=passkey_id, name="x"
        )
        assert not credential_store.delete_passkey(db, user_sub=BOB, passkey_id=passkey_id)
        assert not credential_store.delete_passkey(db, user_sub=ALICE, passkey_id=passkey_id + 99)
        assert credential_store.delete_passkey(db, user_sub=ALICE, passkey_id=passkey_id)
        assert credential_store.count_passkeys(db, ALICE) == 0
        assert credential_store.count_passkeys(db, BOB) == 1


def test_deleting_a_user_deletes_their_passkeys(world: PasskeyWorld) -> None:
    world.register(ALICE)
    with session_scope(world.engine) as db:
        db.delete(db.get(WebAuthnUser, ALICE))
    with Session(world.engine) as db:
        assert credential_store.count_passkeys(db, ALICE) == 0


def test_snooze_the_passkey_prompt(world: PasskeyWorld) -> None:
    world.user_handle(ALICE)
    until = world.clock.now + timedelta(days=30)
    with session_scope(world.engine) as db:
        assert credential_store.snooze_prompt(db, user_sub=ALICE, until=until)
        assert not credential_store.snooze_prompt(db, user_sub=BOB, until=until)
    with Session(world.engine) as db:
        user = credential_store.find_user(db, ALICE)
        assert user is not None and user.passkey_prompt_snoozed_until is not None
        assert user.passkey_prompt_snoozed_until.replace(tzinfo=until.tzinfo) == until


def test_recording_a_use_is_conditional_on_the_counter_read(world: PasskeyWorld) -> None:
    passkey_id = _passkey_id(world, world.register(sign_count=4))
    with session_scope(world.engine) as db:
        assert not credential_store.record_use(
            db,
            passkey_id=passkey_id,
            seen_sign_count=3,
            sign_count=9,
            backup_state=False,
            at=world.clock(),
        )
        assert credential_store.record_use(
            db,
            passkey_id=passkey_id,
            seen_sign_count=4,
            sign_count=5,
            backup_state=False,
            at=world.clock(),
        )
    assert world.stored(world.authenticator.credentials[0]).sign_count == 5
