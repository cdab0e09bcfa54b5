"""Who we are to authenticators: RP id, display name, exact origins, allowed algorithms."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from webauthn.helpers.cose import COSEAlgorithmIdentifier

from passkey_app.settings import Settings

DEFAULT_ALGORITHMS: tuple[COSEAlgorithmIdentifier, ...] = (
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
)


@dataclass(frozen=True)
class RelyingParty:
    """The relying party; the same algorithm list serves options and verification."""

    rp_id: str
    rp_name: str
    origins: tuple[str, ...]
    algorithms: tuple[COSEAlgorithmIdentifier, ...] = DEFAULT_ALGORITHMS


def relying_party(settings: Settings) -> RelyingParty:
    """The relying party from settings; with no WebAuthn origins configured, the frontend's."""
    frontend = urlsplit(settings.frontend_url)
    origins = settings.webauthn_origins or [f"{frontend.scheme}://{frontend.netloc}"]
    return RelyingParty(rp_id=settings.rp_id, rp_name=settings.rp_name, origins=tuple(origins))
