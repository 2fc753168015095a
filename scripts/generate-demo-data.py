#!/usr/bin/env python3
"""Copies the inputs `saml demo` runs on from Fixtures/ into Sources/SAMLCommand/DemoData/, which
SwiftPM embeds in the executable (`.embedInCode` in Package.swift), so the demo needs no files,
network or IdP. Its SP key is SAMLTesting's DemoOnlyCredentials (the one demo credential set).
Re-run after regenerating fixtures."""
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
items = [
    "Fixtures/reference/idp-metadata/aws-iam-identity-center_us-east-1.xml",
    "Fixtures/generated/idp-metadata.xml",
    "Fixtures/generated/responses/assertion-signed.xml",
    "Fixtures/generated/responses/encrypted/assertion-signed-aes256-gcm-demo-sp.xml",
]
target = root / "Sources/SAMLCommand/DemoData"
target.mkdir(exist_ok=True)
for path in items:
    source = root / path
    (target / source.name).write_bytes(source.read_bytes())
