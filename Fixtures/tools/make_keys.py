#!/usr/bin/env python3
"""Create the test key pairs and self-signed certificates used by the generated fixtures.

Usage: make_keys.py KEYDIR

Existing files are left untouched, so re-running the fixture generator keeps the same keys
and only re-signs / re-encrypts. Certificates are valid 2025-01-01T00:00:00Z .. 2035-01-01T00:00:00Z.
All private keys are written unencrypted in PKCS#8 PEM ("BEGIN PRIVATE KEY").
"""
import datetime
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOT_BEFORE = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
NOT_AFTER = datetime.datetime(2035, 1, 1, tzinfo=datetime.timezone.utc)

# name -> (key type, subject CN, subject O)
KEYS = [
    ("idp-rsa", "rsa2048", "idp.example.org", "Example IdP"),
    ("idp-rsa-next", "rsa2048", "idp.example.org", "Example IdP"),
    ("attacker-rsa", "rsa2048", "idp.example.org", "Example IdP"),
    ("idp-ec256", "p256", "idp.example.org", "Example IdP"),
    ("idp-ec384", "p384", "idp.example.org", "Example IdP"),
    ("sp-rsa", "rsa2048", "sp.example.com", "Example SP"),
    ("sp-rsa-next", "rsa2048", "sp.example.com", "Example SP"),
    ("sp-ec256", "p256", "sp.example.com", "Example SP"),
]


def new_key(kind):
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    raise ValueError(kind)


def self_signed(key, cn, org):
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ])
    digest = hashes.SHA384() if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size == 384 else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, digest)
    )


def main():
    keydir = sys.argv[1]
    os.makedirs(keydir, exist_ok=True)
    for name, kind, cn, org in KEYS:
        key_path = os.path.join(keydir, f"{name}.key.pem")
        cert_path = os.path.join(keydir, f"{name}.cert.pem")
        if os.path.exists(key_path):
            with open(key_path, "rb") as f:
                key = serialization.load_pem_private_key(f.read(), password=None)
        else:
            key = new_key(kind)
            with open(key_path, "wb") as f:
                f.write(key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ))
            print(f"created {key_path}")
        if not os.path.exists(cert_path):
            with open(cert_path, "wb") as f:
                f.write(self_signed(key, cn, org).public_bytes(serialization.Encoding.PEM))
            print(f"created {cert_path}")


if __name__ == "__main__":
    main()
