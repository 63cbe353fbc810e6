"""The seed's surface: every name docs/seed-coverage.md marks implemented exists on OpenID
with the right kind, and a program using the stubs passes mypy --strict."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import oidckit

REPO = Path(__file__).resolve().parents[2]
COVERAGE = REPO / "docs" / "seed-coverage.md"
ROW = re.compile(r"^\| (\w+) \| `([^`]+)` \| ([a-z ]+) \|")


def implemented() -> list[tuple[str, str]]:
    rows = []
    for line in COVERAGE.read_text().splitlines():
        m = ROW.match(line)
        if m and m.group(3).strip() == "implemented":
            rows.append((m.group(1), m.group(2)))
    return rows


def test_the_coverage_table_is_read() -> None:
    kinds = {kind for kind, _ in implemented()}
    assert {"property", "method", "event", "config", "error"} <= kinds
    assert len(implemented()) >= 240


def is_property(name: str) -> bool:
    return isinstance(inspect.getattr_static(oidckit.OpenID, name, None), property) or (
        type(inspect.getattr_static(oidckit.OpenID, name, None)).__name__ == "getset_descriptor"
    )


@pytest.mark.parametrize(("kind", "name"), implemented(), ids=lambda v: str(v))
def test_every_implemented_seed_name_exists_with_its_kind(kind: str, name: str) -> None:
    o = oidckit.OpenID()
    if kind == "property":
        # Arrays are index methods in the seed's Python API; everything else a property with
        # get_/set_ accessors.
        assert callable(getattr(o, f"get_{name}")), name
        if is_property(name):
            assert getattr(o, name) == getattr(o, f"get_{name}")()
        else:
            assert "index" in str(inspect.signature(getattr(o, f"get_{name}"))), name
    elif kind == "method":
        assert callable(getattr(o, name)) and not is_property(name), name
    elif kind == "event":
        assert is_property(name) and getattr(o, name) is None, name
        setattr(o, name, print)
        assert getattr(o, name) is print
    elif kind == "config":
        assert name.split("[")[0] in oidckit.OpenID.config_settings(), name
    elif kind == "error":
        cls = oidckit.exception_for_code(int(name))
        assert issubclass(cls, oidckit.OIDCKitError)
    else:
        pytest.fail(f"unknown kind {kind}")


def test_error_families_map_by_code() -> None:
    assert oidckit.exception_for_code(900) is oidckit.DiscoveryError
    for code in (901, 902, 903):
        assert oidckit.exception_for_code(code) is oidckit.IDTokenError
    for code in (151, 10061, 11001):
        assert oidckit.exception_for_code(code) is oidckit.HTTPError
    assert oidckit.exception_for_code(201) is oidckit.CallTimeoutError
    assert oidckit.exception_for_code(301) is oidckit.OIDCKitError
    assert issubclass(oidckit.OIDCKitError, Exception)


def test_seed_defaults_and_types() -> None:
    o = oidckit.OpenID()
    assert (o.timeout, o.get_timeout()) == (60, 60)
    assert o.authorization_scope == "openid" and o.client_profile == 0 and o.grant_type == 0
    assert o.web_server_ssl_cert_store == b"MY" and o.signer_cert_encoded == b""
    assert o.idle is True and o.param_count == 0 and o.cookie_count == 0
    o.set_timeout(5)
    assert o.timeout == 5
    o.signer_cert_encoded = "-----BEGIN PUBLIC KEY-----"
    assert o.get_signer_cert_encoded() == b"-----BEGIN PUBLIC KEY-----"
    o.add_param("prompt", "login")
    assert (o.param_count, o.get_param_name(0), o.get_param_value(0)) == (1, "prompt", "login")
    o.set_param_value(0, "consent")
    assert o.get_param_value(0) == "consent"
    with pytest.raises(IndexError):
        o.get_param_name(5)
    with pytest.raises(oidckit.OIDCKitError) as err:
        o.client_profile = 9
    assert err.value.code == 921
    with pytest.raises(OverflowError):
        o.web_server_port = 70000


SAMPLE = """
from __future__ import annotations

import oidckit
from oidckit.testing import MockProvider, browser_command


def sign_in(op: MockProvider) -> str:
    openid = oidckit.OpenID()
    openid.client_id = op.client_id
    openid.set_client_secret(op.client_secret)
    openid.timeout = 30

    def launch(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        e.command = browser_command()

    openid.on_launch_browser = launch
    openid.get_discovery_doc(op.discovery_url)
    try:
        header: str = openid.get_authorization()
    except oidckit.IDTokenError as err:
        code: int = err.code
        raise SystemExit(code) from err
    subject: str = openid.user_details_subject
    exp: int = openid.user_details_token_exp_time
    pem: bytes = openid.signer_cert_encoded
    return f"{header} {subject} {exp} {len(pem)} {openid.config('IDToken')}"


def verify(token: str, op: MockProvider) -> str:
    verifier = oidckit.Verifier(issuer=op.issuer, audience=op.client_id)
    claims = verifier.verify(token)
    return str(claims["sub"])
"""


def test_mypy_strict_accepts_a_sample_program_using_the_stubs(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent(SAMPLE))
    bad = tmp_path / "bad.py"
    bad.write_text("import oidckit\noidckit.OpenID().timeout = 'soon'\n")
    cache = str(tmp_path / "cache")
    run = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", cache]
    ok = subprocess.run([*run, str(sample)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = subprocess.run([*run, str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert wrong.returncode == 1 and "bad.py:2" in wrong.stdout, wrong.stdout
