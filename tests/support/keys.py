"""Credential key pairs for the software authenticator: COSE public keys and signatures."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

ES256, EDDSA, RS256 = -7, -8, -257

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey

# COSE curve identifiers of the NIST curves (RFC 9053).
_EC_CURVES = {"secp256r1": 1, "secp384r1": 2, "secp521r1": 3}


def new_key(algorithm: int) -> PrivateKey:
    """A fresh private key for ES256 (P-256), EdDSA (Ed25519) or RS256 (RSA-2048)."""
    if algorithm == ES256:
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == RS256:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unsupported algorithm {algorithm}")


def _unsigned(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def cose_key_map(key: PrivateKey, algorithm: int) -> dict[int, Any]:
    """The credential public key as a COSE_Key map (RFC 9053), labelled ``algorithm``
    whatever the key is: label a key with another algorithm to build a mismatched one."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        numbers = key.public_key().public_numbers()
        size = (key.curve.key_size + 7) // 8
        crv = _EC_CURVES[key.curve.name]
        return {
            1: 2,
            3: algorithm,
            -1: crv,
            -2: numbers.x.to_bytes(size, "big"),
            -3: numbers.y.to_bytes(size, "big"),
        }
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {1: 1, 3: algorithm, -1: 6, -2: raw}
    rsa_numbers = key.public_key().public_numbers()
    return {1: 3, 3: algorithm, -1: _unsigned(rsa_numbers.n), -2: _unsigned(rsa_numbers.e)}


def spki(key: PrivateKey) -> bytes:
    """The public key as DER SubjectPublicKeyInfo (``response.publicKey`` in toJSON)."""
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign(key: PrivateKey, data: bytes) -> bytes:
    """A WebAuthn signature: DER ECDSA/SHA-256, raw Ed25519, or PKCS#1 v1.5/SHA-256."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
