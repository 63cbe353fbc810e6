"""Fixtures: a fresh mock provider per test, an OpenID object set up for its confidential
client, and an HTTPS server of our own for the transport events the mock cannot cause
(TLS, redirects, cookies)."""

from __future__ import annotations

import datetime
import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import oidckit
from oidckit.testing import MockProvider, stand_in_browser


@pytest.fixture
def provider() -> Iterator[MockProvider]:
    with MockProvider() as op:
        yield op


@pytest.fixture
def openid(provider: MockProvider) -> oidckit.OpenID:
    o = oidckit.OpenID()
    o.client_id = provider.client_id
    o.client_secret = provider.client_secret
    return o


def self_signed(tmp: Path) -> tuple[Path, Path, str]:
    """A certificate for 127.0.0.1 and its key, as files, and the certificate's PEM."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_text(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, pem


class TlsProvider:
    """An HTTPS server on 127.0.0.1 whose discovery URL redirects (setting a cookie) to a
    discovery document that names it as issuer."""

    def __init__(self, tmp: Path) -> None:
        cert_file, key_file, self.cert_pem = self_signed(tmp)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path == "/.well-known/openid-configuration":
                    self.send_response(302)
                    self.send_header("Location", "/moved/openid-configuration")
                    self.send_header("Set-Cookie", "visited=yes; Path=/; Secure")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/moved/openid-configuration":
                    body = json.dumps(outer.document()).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.issuer = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def document(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def tls_provider(tmp_path: Path) -> Iterator[TlsProvider]:
    server = TlsProvider(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def open_with_stand_in(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
    """An ``on_launch_browser`` handler: the stand-in browser signs in on a thread of this
    process, and nothing is launched."""
    threading.Thread(target=stand_in_browser, args=(e.url,), daemon=True).start()
    e.command = ""
