#!/usr/bin/env python3
"""Makes the signing tests' PKI in OUT_DIR with Python `cryptography`: a test root CA, signers
with RSA-2048 and ECDSA P-256 keys issued by it, an expired signer and a stranger CA.

    python3 tests/signing/make_pki.py OUT_DIR PASSWORD

Writes ca.pem, stranger-ca.pem and, per signer (rsa, p256, expired), <name>.key.pem and
<name>.cert.pem; then OpenSSL's CLI (`openssl pkcs12 -export`, OpenSSL 3's default AES-256 /
PBKDF2 form) packs <name>.p12 with key, certificate and the CA. legacy.p12 is the RSA signer
in the legacy form (3DES, SHA-1 MAC) and certs-only.p12 holds certificates and no key; both
are written by `cryptography`. Fixed serial numbers; keys are random per run.
"""
import datetime
import pathlib
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

out = pathlib.Path(sys.argv[1])
password = sys.argv[2]
out.mkdir(parents=True, exist_ok=True)
now = datetime.datetime.now(datetime.timezone.utc)


def name(cn):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "督办测试"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def pem_key(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def ca(cn, serial):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(cn))
        .issuer_name(name(cn))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def signer(cn, serial, key, ca_key, ca_cert, before, after):
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(cn))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(before)
        .not_valid_after(after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert


ca_key, ca_cert = ca("督办测试根CA", 1000)
(out / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
_, stranger = ca("其他机构CA", 2000)
(out / "stranger-ca.pem").write_bytes(stranger.public_bytes(serialization.Encoding.PEM))

valid = (now - datetime.timedelta(days=1), now + datetime.timedelta(days=365))
expired = (now - datetime.timedelta(days=400), now - datetime.timedelta(days=35))
keys = {
    "rsa": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "督查室签名（RSA测试）", valid),
    "p256": (ec.generate_private_key(ec.SECP256R1()), "督查室签名（P-256测试）", valid),
    "expired": (ec.generate_private_key(ec.SECP256R1()), "督查室签名（已过期）", expired),
}
for i, (stem, (key, cn, (before, after))) in enumerate(keys.items()):
    cert = signer(cn, 3000 + i, key, ca_key, ca_cert, before, after)
    (out / f"{stem}.key.pem").write_bytes(pem_key(key))
    (out / f"{stem}.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    subprocess.run(
        [
            "openssl", "pkcs12", "-export",
            "-inkey", str(out / f"{stem}.key.pem"),
            "-in", str(out / f"{stem}.cert.pem"),
            "-certfile", str(out / "ca.pem"),
            "-name", stem,
            "-passout", f"pass:{password}",
            "-out", str(out / f"{stem}.p12"),
        ],
        check=True,
    )
    if stem == "rsa":
        legacy = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(password.encode())
        )
        (out / "legacy.p12").write_bytes(
            pkcs12.serialize_key_and_certificates(b"legacy", key, cert, [ca_cert], legacy)
        )
        (out / "certs-only.p12").write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"certs", None, cert, [ca_cert],
                serialization.BestAvailableEncryption(password.encode()),
            )
        )
print("ok")
