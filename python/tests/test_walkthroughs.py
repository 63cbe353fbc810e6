"""The seed's walkthroughs through oidckit.OpenID against the mock provider, over real HTTP."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import open_with_stand_in

import oidckit
from oidckit.testing import (
    MockProvider,
    approve_device_when_polled,
    browser_command,
    follow_authorization,
)

APPLICATION, WEB, DEVICE, JWT = 0, 1, 2, 5


def last_request(provider: MockProvider, path: str) -> dict[str, Any]:
    return [r for r in provider.requests() if r["path"] == path][-1]


def param(request: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in request["params"] if k == name), None)


def web_sign_in(o: oidckit.OpenID) -> str:
    o.client_profile = WEB
    o.return_url = "http://127.0.0.1:9/callback"
    url = o.get_authorization_url()
    o.authorization_code = follow_authorization(url)  # the whole callback URL
    return o.get_authorization()


def test_discovery_then_application_profile_with_a_stand_in_browser_command(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    o = openid
    o.authorization_scope = "openid profile email address phone"
    o.get_discovery_doc(provider.discovery_url)
    assert o.discovery_doc_details_issuer == provider.issuer
    assert o.server_auth_url == o.discovery_doc_details_authorization_url
    assert o.server_token_url == o.get_discovery_doc_details_token_url()
    assert o.signer_cert_url == o.discovery_doc_details_signer_cert_url
    assert "openid" in o.discovery_doc_details_supported_scopes.split(",")

    launched: list[str] = []

    def launch(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        launched.append(e.url)
        e.command = browser_command()  # a child process plays the browser

    o.on_launch_browser = launch
    authorization = o.get_authorization()
    assert authorization == f"Bearer {o.access_token}"
    assert len(launched) == 1 and launched[0].startswith(provider.issuer + "/authorize?")
    assert o.return_url.startswith("http://127.0.0.1:")
    assert o.user_details_subject == "248289761001"
    assert o.user_details_issuer == provider.issuer
    assert o.user_details_audiences == provider.client_id
    assert o.user_details_token_exp_time > o.user_details_token_issued_at > 0
    assert o.access_token_exp > 0 and o.refresh_token != ""

    o.get_user_info()
    assert o.user_details_email == "janedoe@example.com"
    assert o.user_details_email_verified is True
    assert o.user_details_first_name == "Jane" and o.get_user_details_last_name() == "Doe"
    assert o.user_details_addr_locality == "Los Angeles"
    assert o.user_details_phone_number_verified is False
    assert o.user_details_updated_at == 1_700_000_000


def test_web_profile_completes_with_the_callback(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    openid.get_discovery_doc(provider.issuer)
    openid.client_profile = WEB
    openid.return_url = "http://127.0.0.1:9/callback"
    url = openid.get_authorization_url()
    query = parse_qs(urlparse(url).query)
    assert query["client_id"] == [provider.client_id]
    assert query["code_challenge_method"] == ["S256"]
    callback = follow_authorization(url)
    openid.set_authorization_code(parse_qs(urlparse(callback).query)["code"][0])
    assert openid.get_authorization().startswith("Bearer ")
    assert openid.get_param("token_type") == "Bearer"
    assert openid.config("AuthorizationTokenType") == "Bearer"
    assert openid.config("IDToken").count(".") == 2


def test_endpoints_set_by_hand_make_no_discovery_request(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    base = provider.issuer
    openid.issuer = base
    openid.server_auth_url = f"{base}/authorize"
    openid.server_token_url = f"{base}/token"
    openid.server_user_info_url = f"{base}/userinfo"
    openid.signer_cert_url = f"{base}/jwks"
    openid.authorization_scope = "openid profile"
    assert web_sign_in(openid).startswith("Bearer ")
    openid.get_user_info()
    assert openid.user_details_name == "Jane Doe"
    assert not [r for r in provider.requests() if "well-known" in r["path"]]


def test_device_profile_gets_the_user_code_through_the_event_and_polls_until_approved(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    openid.client_profile = DEVICE
    openid.config("PollingInterval=1")
    shown: list[str] = []
    approvers: list[threading.Thread] = []

    def show(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        # The Device profile shows the verification URL through on_launch_browser; the user
        # code is readable from config() only after get_authorization_url returns, so the
        # handler reads it from the URL the provider gave (verification_uri_complete).
        shown.append(e.url)
        e.command = ""

    openid.on_launch_browser = show
    url = openid.get_authorization_url()
    code = openid.config("DeviceUserCode")
    assert code and url.startswith(provider.issuer)
    assert code in openid.get_param("verification_uri_complete")
    approvers.append(approve_device_when_polled(provider, code))
    assert openid.get_authorization().startswith("Bearer ")
    approvers[0].join(timeout=10)
    assert openid.user_details_subject == "248289761001"
    polls = [r for r in provider.requests() if r["path"] == "/token"]
    assert len(polls) >= 2, "pending first, then the tokens"
    assert param(polls[0], "grant_type") == "urn:ietf:params:oauth:grant-type:device_code"


def test_jwt_profile_with_a_google_style_service_account_key(provider: MockProvider) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    email = "robot@oidckit-test.iam.gserviceaccount.com"
    provider.register_client_key(email, public_pem)
    service_account = {
        "type": "service_account",
        "private_key_id": "k1",
        "private_key": private_pem,
        "client_email": email,
        "token_uri": f"{provider.issuer}/token",
    }
    o = oidckit.OpenID()
    o.client_profile = JWT
    o.authorization_scope = "https://www.googleapis.com/auth/analytics"
    o.config(f"JWTJSONKey={json.dumps(service_account)}")
    o.config("JWTServiceProvider=0")
    o.config("JWTSubject=user@example.com")
    assert o.get_authorization() == f"Bearer {o.access_token}"
    request = last_request(provider, "/token")
    assert param(request, "grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert param(request, "assertion") is not None


def test_password_grant_sends_the_user_and_form_vars(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    openid.config("PasswordGrantUsername=j.doe")
    openid.set_password_grant_password("password")
    openid.config("FormVarCount=1")
    openid.config("FormVarName[0]=myvar")
    openid.config("FormVarValue[0]=my value")
    assert openid.get_authorization().startswith("Bearer ")
    request = last_request(provider, "/token")
    assert param(request, "grant_type") == "password"
    assert param(request, "username") == "j.doe"
    assert param(request, "myvar") == "my value"


def test_token_info_fills_the_fields_and_refuses_a_forged_token(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    web_sign_in(openid)
    openid.config(f"TokenInfoURL={provider.issuer}/tokeninfo")
    assert openid.config("ValidateToken=") == "true"
    count = int(openid.config("TokenInfoFieldCount"))
    names = [openid.config(f"TokenInfoFieldName[{i}]") for i in range(count)]
    assert "sub" in names or "scope" in names
    assert openid.config("ValidateToken=not-a-token") == "false"


def test_logout_url_carries_the_id_token_hint(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    assert openid.config("LogoutURL") == ""
    openid.get_discovery_doc(provider.discovery_url)
    assert openid.config("LogoutURL") == f"{provider.issuer}/logout"
    web_sign_in(openid)
    url = openid.logout_url("http://127.0.0.1:9/bye")
    query = parse_qs(urlparse(url).query)
    assert query["id_token_hint"] == [openid.config("IDToken")]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:9/bye"]


def test_xpath_reads_the_discovery_document_and_the_id_token(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    assert '"issuer"' in openid.config("RawJSON")
    openid.config("XPath=/json/issuer")
    assert openid.config("XText") == provider.issuer
    web_sign_in(openid)
    openid.config("XPath=/json/sub")
    assert openid.config("XText") == "248289761001"


def test_reset_restores_the_seed_defaults(provider: MockProvider, openid: oidckit.OpenID) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    web_sign_in(openid)
    openid.timeout = 5
    openid.add_param("prompt", "login")
    seen: list[int] = []
    openid.on_error = lambda e: seen.append(e.error_code)
    openid.reset()
    fresh = oidckit.OpenID()
    for name, _py_type, _writable in oidckit._native.PROPERTY_TABLE:
        assert getattr(openid, name) == getattr(fresh, name), name
    assert openid.timeout == 60 and openid.authorization_scope == "openid"
    assert openid.use_pkce is True and openid.param_count == 0
    assert openid.on_error is not None, "handlers stay assigned"


def test_errors_carry_the_seed_code_and_family(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    provider.set_misbehavior("discovery_issuer_mismatch")
    with pytest.raises(oidckit.DiscoveryError) as discovery:
        openid.get_discovery_doc(provider.discovery_url)
    assert discovery.value.code == 900 and discovery.value.message
    provider.clear_misbehaviors()
    provider.set_misbehavior("id_token_bad_signature")
    openid.get_discovery_doc(provider.discovery_url)
    with pytest.raises(oidckit.IDTokenError) as token:
        web_sign_in(openid)
    assert token.value.code == 903
    with pytest.raises(oidckit.OIDCKitError) as setting:
        openid.config("Timout=5")
    assert setting.value.code == 921
    with pytest.raises(oidckit.HTTPError) as refused:
        oidckit.OpenID().get_discovery_doc("http://127.0.0.1:1")
    assert refused.value.code == 10061


def test_stand_in_browser_delivers_the_redirect(provider: MockProvider) -> None:
    # The building block of browser_command(), used directly.
    o = oidckit.OpenID()
    o.client_id, o.client_secret = provider.client_id, provider.client_secret
    o.get_discovery_doc(provider.discovery_url)
    o.on_launch_browser = open_with_stand_in
    assert o.get_authorization().startswith("Bearer ")
