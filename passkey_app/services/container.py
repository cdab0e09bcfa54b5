"""Wire the services from one Settings object; the UI layer asks for them here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy.engine import Engine

from lambdas.proof import KeyRing, parse_key_ring
from passkey_app import routes
from passkey_app.db import make_engine
from passkey_app.services.accounts.deletion import AccountDeletion
from passkey_app.services.accounts.invitations import Invitations
from passkey_app.services.accounts.passwordless import Passwordless
from passkey_app.services.accounts.provisional import ProvisionalAccounts
from passkey_app.services.admin.directory import UserDirectory
from passkey_app.services.admin.service import AdminService
from passkey_app.services.background import BackgroundRunner, Runner
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway
from passkey_app.services.cognito.tokens import TokenVerifier
from passkey_app.services.health import Health
from passkey_app.services.magic_links.flows import LinkPolicy, MagicLinks
from passkey_app.services.mail.mailer import SesMailer
from passkey_app.services.mail.security import SecurityNotices
from passkey_app.services.passkeys.account import FRESH_LOGIN, PasskeyAccount
from passkey_app.services.passkeys.login import PasskeyLogin
from passkey_app.services.passkeys.signup import PasskeySignup, SignupPolicy
from passkey_app.services.password.change import PasswordChange
from passkey_app.services.password.login import PasswordLogin
from passkey_app.services.password.reset import PasswordReset
from passkey_app.services.sessions.devices import SessionDevices
from passkey_app.services.sessions.store import SessionStore
from passkey_app.services.sessions.token_cipher import TokenCipher
from passkey_app.services.sessions.watch import SignInWatch
from passkey_app.services.upstream import UpstreamClient
from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.challenges import ChallengeStore
from passkey_app.services.webauthn.relying_party import relying_party
from passkey_app.settings import PoolSettings, Settings, get_settings, pool_settings


@dataclass(frozen=True)
class Services:
    """Everything a request handler may need, built once per process."""

    settings: Settings
    pool: PoolSettings
    engine: Engine
    gateway: CognitoGateway
    verifier: TokenVerifier
    key_ring: KeyRing
    sessions: SessionStore
    password_login: PasswordLogin
    ceremonies: PasskeyCeremonies
    passkey_signup: PasskeySignup
    passkey_login: PasskeyLogin
    passkey_account: PasskeyAccount
    admin: AdminService
    magic_links: MagicLinks
    provisional: ProvisionalAccounts
    upstreams: UpstreamClient
    health: Health
    notices: SecurityNotices
    session_devices: SessionDevices
    passwordless: Passwordless
    account_deletion: AccountDeletion
    invitations: Invitations
    password_reset: PasswordReset
    password_change: PasswordChange


def build_services(
    settings: Settings, *, gateway: CognitoGateway | None = None, runner: Runner | None = None
) -> Services:
    """Build the object graph; tests pass their own settings (and a moto-backed gateway,
    and a runner that does background work at once)."""
    pool = pool_settings(settings)
    engine = make_engine(settings.effective_database_url)
    gateway = gateway or CognitoGateway.connect(
        pool, server_name=settings.rp_id, max_attempts=settings.cognito_max_attempts
    )
    verifier = TokenVerifier(pool=pool)
    assert settings.proof_keys and settings.proof_active_key_id and settings.session_keys
    key_ring = parse_key_ring(
        keys_json=settings.proof_keys.get_secret_value(),
        active_key_id=settings.proof_active_key_id,
    )
    notices = SecurityNotices(
        mailer=build_mailer(settings, pool),
        account_url=f"{settings.frontend_url.rstrip('/')}{routes.ACCOUNT}",
        product=settings.rp_name,
        runner=runner or BackgroundRunner(name="security-mail"),
    )
    sessions = SessionStore(
        after_sign_in=SignInWatch(engine=engine, notices=notices, runner=notices.runner),
        engine=engine,
        gateway=gateway,
        verifier=verifier,
        cipher=TokenCipher.from_setting(settings.session_keys.get_secret_value()),
        lifetime=timedelta(hours=settings.session_lifetime_hours),
        handoff_lifetime=timedelta(seconds=settings.handoff_lifetime_seconds),
        idle_timeout=timedelta(minutes=settings.session_idle_minutes),
        revalidate_every=timedelta(seconds=settings.session_revalidate_seconds),
    )
    password_login = PasswordLogin(engine=engine, gateway=gateway, sessions=sessions)
    ceremonies = PasskeyCeremonies(
        engine=engine, rp=relying_party(settings), challenges=ChallengeStore(engine)
    )
    provisional = ProvisionalAccounts(
        engine=engine,
        gateway=gateway,
        sessions=sessions,
        lifetime=timedelta(days=settings.provisional_account_days),
        notices=notices,
    )
    magic_links = build_magic_links(
        settings,
        pool,
        engine=engine,
        gateway=gateway,
        sessions=sessions,
        key_ring=key_ring,
        provisional=provisional,
        runner=runner,
    )
    return Services(
        settings=settings,
        pool=pool,
        engine=engine,
        gateway=gateway,
        verifier=verifier,
        key_ring=key_ring,
        sessions=sessions,
        password_login=password_login,
        ceremonies=ceremonies,
        passkey_signup=PasskeySignup(
            engine=engine,
            gateway=gateway,
            ceremonies=ceremonies,
            sessions=sessions,
            key_ring=key_ring,
            confirmations=magic_links,
            policy=SignupPolicy(mark_email_verified=settings.signup_marks_email_verified),
        ),
        passkey_login=PasskeyLogin(
            engine=engine,
            gateway=gateway,
            ceremonies=ceremonies,
            sessions=sessions,
            key_ring=key_ring,
        ),
        passkey_account=PasskeyAccount(
            engine=engine,
            gateway=gateway,
            ceremonies=ceremonies,
            sessions=sessions,
            notices=notices,
        ),
        admin=AdminService(
            engine=engine,
            directory=UserDirectory(client=gateway.boto_client, pool=pool),
            notices=notices,
        ),
        magic_links=magic_links,
        provisional=provisional,
        upstreams=UpstreamClient(upstreams=settings.api_upstreams),
        health=Health(
            engine=engine, gateway=gateway, redis_url=os.environ.get("REFLEX_REDIS_URL") or None
        ),
        notices=notices,
        session_devices=SessionDevices(sessions=sessions),
        passwordless=Passwordless(
            engine=engine, gateway=gateway, fresh_login=FRESH_LOGIN, notices=notices
        ),
        account_deletion=AccountDeletion(
            engine=engine,
            gateway=gateway,
            sessions=sessions,
            key_ring=key_ring,
            fresh_login=FRESH_LOGIN,
        ),
        invitations=Invitations(
            engine=engine,
            gateway=gateway,
            mailer=build_mailer(settings, pool),
            link_url=f"{settings.api_url.rstrip('/')}{routes.API_MAGIC_LINK_OPEN}",
            product=settings.rp_name,
        ),
        password_reset=PasswordReset(
            engine=engine,
            gateway=gateway,
            sessions=sessions,
            notices=notices,
            runner=runner or BackgroundRunner(name="password-reset"),
        ),
        password_change=PasswordChange(
            engine=engine, gateway=gateway, sessions=sessions, notices=notices
        ),
    )


def build_magic_links(
    settings: Settings,
    pool: PoolSettings,
    *,
    engine: Engine,
    gateway: CognitoGateway,
    sessions: SessionStore,
    key_ring: KeyRing,
    provisional: ProvisionalAccounts,
    runner: Runner | None = None,
    clock: Clock = system_clock,
) -> MagicLinks:
    """Links go out through SES (in the embedded default, the local stand-in's SES)."""
    mailer = build_mailer(settings, pool)
    return MagicLinks(
        engine=engine,
        gateway=gateway,
        sessions=sessions,
        key_ring=key_ring,
        mailer=mailer,
        provisional=provisional,
        link_url=f"{settings.api_url.rstrip('/')}{routes.API_MAGIC_LINK_OPEN}",
        product=settings.rp_name,
        policy=LinkPolicy(refuse_passkey_users=settings.magic_links_refused_for_passkey_users),
        runner=runner or BackgroundRunner(name="magic-link"),
        clock=clock,
    )


def build_mailer(settings: Settings, pool: PoolSettings) -> SesMailer:
    """SES, or in the embedded default the local stand-in's SES (the local outbox)."""
    embedded_endpoint = pool.endpoint_url if settings.mode == "embedded" else None
    return SesMailer.connect(
        region=pool.region,
        endpoint_url=settings.ses_endpoint_url or embedded_endpoint,
        sender=settings.mail_sender,
    )


@lru_cache(maxsize=1)
def get_services() -> Services:
    """The process-wide services, from the environment's settings."""
    return build_services(get_settings())
