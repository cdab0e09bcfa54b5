"""The stand-in finds users by email through a map (user_index.py): the same answers as
moto's scan of the whole pool, through creation, email changes and deletion."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from moto.cognitoidp.models import cognitoidp_backends

from passkey_app.local_cognito.pool import ACCOUNT_ID
from tests.local_cognito.conftest import StandIn, error_of


def _create(stand_in: StandIn, email: str) -> str:
    created = stand_in.client.admin_create_user(
        UserPoolId=stand_in.pool.user_pool_id,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    return str(created["User"]["Username"])


def _username(stand_in: StandIn, email: str) -> str:
    return str(
        stand_in.client.admin_get_user(UserPoolId=stand_in.pool.user_pool_id, Username=email)[
            "Username"
        ]
    )


def _missing(stand_in: StandIn, email: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as failure:
        stand_in.client.admin_get_user(UserPoolId=stand_in.pool.user_pool_id, Username=email)
    return error_of(failure)


def test_a_user_is_found_by_email_as_soon_as_created_and_a_second_one_is_refused(
    stand_in: StandIn,
) -> None:
    username = _create(stand_in, "new@example.org")
    assert _username(stand_in, "new@example.org") == username
    with pytest.raises(ClientError) as failure:
        _create(stand_in, "new@example.org")
    assert error_of(failure)[0] == "UsernameExistsException"


def test_a_changed_email_is_found_under_the_new_one_only(stand_in: StandIn) -> None:
    username = _create(stand_in, "before@example.org")
    assert _username(stand_in, "before@example.org") == username
    stand_in.client.admin_update_user_attributes(
        UserPoolId=stand_in.pool.user_pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": "after@example.org"}],
    )
    assert _username(stand_in, "after@example.org") == username
    assert _missing(stand_in, "before@example.org") == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert _create(stand_in, "before@example.org") != username


def test_a_deleted_user_is_gone_and_its_email_can_be_used_again(stand_in: StandIn) -> None:
    first = _create(stand_in, "gone@example.org")
    other = _create(stand_in, "stays@example.org")
    stand_in.client.admin_delete_user(UserPoolId=stand_in.pool.user_pool_id, Username=first)
    assert _missing(stand_in, "gone@example.org")[0] == "UserNotFoundException"
    again = _create(stand_in, "gone@example.org")
    assert again != first
    assert _username(stand_in, "gone@example.org") == again
    assert _username(stand_in, "stays@example.org") == other


def test_a_user_is_still_found_by_its_username(stand_in: StandIn) -> None:
    username = _create(stand_in, "by-name@example.org")
    assert _username(stand_in, username) == username


def test_lookups_do_not_grow_with_the_pool(stand_in: StandIn) -> None:
    """Moto's own lookup flattens every user's attributes: 3,000 users made the last
    creations several times slower than the first ones."""
    backend = cognitoidp_backends[ACCOUNT_ID]["us-east-1"]
    pool_id = stand_in.pool.user_pool_id

    def create(count: int, start: int) -> float:
        began = time.perf_counter()
        for n in range(start, start + count):
            email = f"many{n:05d}@example.org"
            backend.admin_create_user(
                pool_id, email, "SUPPRESS", "", [{"Name": "email", "Value": email}]
            )
        return time.perf_counter() - began

    first = create(300, 0)
    create(2400, 300)
    last = create(300, 2700)
    assert last < first * 5  # moto's scan: about 19 times
    assert backend.admin_get_user(pool_id, "many01234@example.org").username
