"""An embedded Amazon Cognito stand-in: moto plus the behaviour the app relies on.

Moto (5.2.x) lacks CUSTOM_AUTH, Lambda triggers, RevokeToken, SECRET_HASH checks on
password flows and ExplicitAuthFlows; ``install()`` adds them to moto's cognito-idp
response layer, for ``mock_aws()`` in tests and for the local server
(``python -m passkey_app.local_cognito``). Nothing here imports reflex.
"""

from passkey_app.local_cognito.extension import install, is_installed, uninstall
from passkey_app.local_cognito.pool import (
    DemoUser,
    LocalPool,
    provision_local_pool,
    seed_demo_users,
)
from passkey_app.local_cognito.sessions import session_store
from passkey_app.local_cognito.triggers import register_trigger

__all__ = [
    "DemoUser",
    "LocalPool",
    "install",
    "is_installed",
    "provision_local_pool",
    "register_trigger",
    "seed_demo_users",
    "session_store",
    "uninstall",
]
