"""Credential key pairs for the software authenticator: COSE public keys and signatures."""

from __future__ import annotations

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

ES256, EDDSA, RS256 = -7, -8, -257

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


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


def cose_public_key(key: PrivateKey, algorithm: int) -> bytes:
    """The credential public key as a COSE_Key (RFC 9053), as authenticators encode it."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        numbers = key.public_key().public_numbers()
        cose = {1: 2, 3: algorithm, -1: 1, -2: numbers.x.to_bytes(32, "big")}
        cose[-3] = numbers.y.to_bytes(32, "big")
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        cose = {1: 1, 3: algorithm, -1: 6, -2: raw}
    else:
        rsa_numbers = key.public_key().public_numbers()
        cose = {1: 3, 3: algorithm, -1: _unsigned(rsa_numbers.n), -2: _unsigned(rsa_numbers.e)}
    return cbor2.dumps(cose)


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
