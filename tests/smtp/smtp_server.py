#!/usr/bin/env python3
"""A real SMTP server for duban's tests: aiosmtpd on 127.0.0.1, started and stopped by the tests.

    smtp_server.py certs DIR
        writes DIR/ca.pem (a test CA), DIR/server.pem + DIR/server.key (for localhost and
        127.0.0.1, signed by that CA) and DIR/other-ca.pem (a CA that signed nothing here).

    smtp_server.py serve --dir OUT [--security none|starttls|tls] [--cert F --key F]
                         [--user U --password P] [--tempfail-rcpt A] [--reject-rcpt A]
                         [--drop-after N] [--delay S] [--answer-after S]
                         [--drop-after-store N]... [--hang-after-store N]...
        prints "READY <port>" once listening. Every accepted message is stored as
        OUT/<nnnn>/message.eml (the bytes received), OUT/<nnnn>/envelope.json (sender,
        recipients, attachment file names) and its attachments as parsed by Python's email
        package (OUT/<nnnn>/attachment-<i>); the folder appears complete (renamed into place).

Faults on demand: --tempfail-rcpt answers 451 to the first message for that address (once);
--reject-rcpt answers 550 at RCPT for that address (always); --drop-after N closes the
connection without a reply at the RCPT of message N+1 (once: before its body went out); --delay S waits S seconds before
answering each DATA. --discard accepts messages without storing them (benchmarks).

Servers that take the message before they answer (as real ones do: the message is queued, then
the reply to the final "." goes out): --answer-after S stores every message, then waits S
seconds before its 250; --drop-after-store N stores message N, then closes the connection without
a reply; --hang-after-store N stores message N and never answers (the client gives up). Any
number of clients may be connected at once (each connection is served on its own).
"""

import argparse
import asyncio
import datetime
import email
import email.policy
import ipaddress
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_certs(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def ca(cn):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(name(cn))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        return key, cert

    def pem(cert):
        return cert.public_bytes(serialization.Encoding.PEM)

    ca_key, ca_cert = ca("duban test CA")
    _, other_cert = ca("duban other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(pem(ca_cert))
    with open(os.path.join(directory, "other-ca.pem"), "wb") as f:
        f.write(pem(other_cert))
    with open(os.path.join(directory, "server.pem"), "wb") as f:
        f.write(pem(cert))
    with open(os.path.join(directory, "server.key"), "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


class Handler:
    def __init__(self, args):
        self.args = args
        self.stored = 0
        self.tempfailed = False
        self.dropped = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if (
            self.args.drop_after is not None
            and not self.dropped
            and self.stored >= self.args.drop_after
        ):
            self.dropped = True
            server.transport.abort()
            return "421 4.4.2 connection dropped by the test server"
        if self.args.reject_rcpt and address.lower() == self.args.reject_rcpt.lower():
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = await self.store_or_refuse(server, envelope)
        number = self.stored
        if reply.startswith("250"):
            if number in self.args.drop_after_store:
                server.transport.abort()
                return "421 4.4.2 connection dropped by the test server"
            if number in self.args.hang_after_store:
                await asyncio.sleep(3600)
            if self.args.answer_after:
                await asyncio.sleep(self.args.answer_after)
        return reply

    async def store_or_refuse(self, server, envelope):
        if self.args.delay:
            await asyncio.sleep(self.args.delay)
        rcpts = [r.lower() for r in envelope.rcpt_tos]
        if (
            self.args.tempfail_rcpt
            and not self.tempfailed
            and self.args.tempfail_rcpt.lower() in rcpts
        ):
            self.tempfailed = True
            return "451 4.3.0 Temporary local problem, please try again later"
        self.stored += 1
        number = self.stored
        if self.args.discard:
            return "250 2.0.0 Ok: discarded %04d" % number
        final = os.path.join(self.args.dir, "%04d" % number)
        tmp = final + ".tmp"
        os.makedirs(tmp)
        data = envelope.original_content
        with open(os.path.join(tmp, "message.eml"), "wb") as f:
            f.write(data)
        message = email.message_from_bytes(data, policy=email.policy.default)
        attachments = []
        for i, part in enumerate(message.iter_attachments()):
            payload = part.get_payload(decode=True)
            with open(os.path.join(tmp, "attachment-%d" % i), "wb") as f:
                f.write(payload)
            attachments.append(part.get_filename())
        with open(os.path.join(tmp, "envelope.json"), "w", encoding="utf-8") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "subject": str(message["subject"]),
                    "attachments": attachments,
                },
                f,
                ensure_ascii=False,
            )
        os.rename(tmp, final)
        return "250 2.0.0 Ok: queued as %04d" % number


def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    context = None
    if args.security != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    handler = Handler(args)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == args.user
            and auth_data.password.decode() == args.password
        )
        return AuthResult(success=ok, handled=False)

    def factory():
        kwargs = dict(hostname="localhost", enable_SMTPUTF8=True, ident="duban-test-smtp")
        if args.user:
            kwargs.update(
                authenticator=authenticator,
                auth_required=True,
                # implicit TLS is not seen by aiosmtpd as TLS; that connection is encrypted anyway
                auth_require_tls=args.security == "starttls",
            )
        if args.security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        return SMTP(handler, **kwargs)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(
            factory,
            host="127.0.0.1",
            port=0,
            ssl=context if args.security == "tls" else None,
        )
    )
    port = server.sockets[0].getsockname()[1]
    print("READY %d" % port, flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    certs = sub.add_parser("certs")
    certs.add_argument("dir")
    s = sub.add_parser("serve")
    s.add_argument("--dir", required=True)
    s.add_argument("--security", choices=["none", "starttls", "tls"], default="none")
    s.add_argument("--cert")
    s.add_argument("--key")
    s.add_argument("--user")
    s.add_argument("--password")
    s.add_argument("--tempfail-rcpt")
    s.add_argument("--reject-rcpt")
    s.add_argument("--drop-after", type=int)
    s.add_argument("--delay", type=float, default=0.0)
    s.add_argument("--discard", action="store_true")
    s.add_argument("--answer-after", type=float, default=0.0)
    s.add_argument("--drop-after-store", type=int, action="append", default=[])
    s.add_argument("--hang-after-store", type=int, action="append", default=[])
    args = parser.parse_args()
    if args.command == "certs":
        make_certs(args.dir)
    else:
        serve(args)


if __name__ == "__main__":
    sys.exit(main())
