"""AWS failures are one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from passkey_app.dev.cli import main
from passkey_app.provision.errors import explain
from tests.provision.conftest import ExistingPool


def client_error(code: str, message: str = "") -> ClientError:
    """What botocore raises for an AWS error response."""
    return ClientError({"Error": {"Code": code, "Message": message}}, "UpdateUserPool")


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            client_error("AccessDeniedException", "User: x is not authorized"),
            "access denied: the AWS identity lacks provision (see docs/deploy.md)",
        ),
        (
            client_error("TooManyRequestsException"),
            "AWS throttled provision: wait a minute and run it again",
        ),
        (
            client_error("ResourceNotFoundException", "User pool us-east-1_x does not exist."),
            "user pool not found (provision): check --user-pool-id and --region",
        ),
        (
            NoCredentialsError(),
            "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/SECRET",
        ),
    ],
)
def test_each_error_is_explained_in_one_line(error: Exception, line: str) -> None:
    assert explain(error, action="provision") == line


@pytest.mark.parametrize("command", ["provision", "doctor"])
def test_a_missing_pool_exits_1_with_one_line(
    existing_pool: ExistingPool, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([command, "--user-pool-id", "us-east-1_nothere", "--client-id", "abc"])
    captured = capsys.readouterr()
    assert code == 1
    last = captured.err.strip().splitlines()[-1]
    assert last == f"error: user pool not found ({command}): check --user-pool-id and --region"
    assert "Traceback" not in captured.err + captured.out
