"""The config settings beyond the seed (UsePAR, UseDPoP, ResponseMode) through OpenID.config,
end to end against the mock provider."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

import oidckit
from oidckit.testing import MockProvider, follow_authorization

WEB = 1


def requests_to(provider: MockProvider, path: str) -> list[dict[str, Any]]:
    return [r for r in provider.requests() if r["path"] == path]


def header(request: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in request["headers"] if k == name), None)


def param(request: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in request["params"] if k == name), None)


def test_par_dpop_and_jarm_settings_reach_the_provider(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    o = openid
    o.client_profile = WEB
    o.return_url = "http://127.0.0.1:9/callback"
    o.get_discovery_doc(provider.discovery_url)
    assert "UsePAR" in oidckit.OpenID.config_settings()
    o.config("UsePAR=true")
    o.config("UseDPoP=true")
    o.config("ResponseMode=query.jwt")
    assert (o.config("UsePAR"), o.config("UseDPoP"), o.config("ResponseMode")) == (
        "true",
        "true",
        "query.jwt",
    )

    url = o.get_authorization_url()
    assert list(parse_qs(urlparse(url).query)) == ["client_id", "request_uri"]
    (pushed,) = requests_to(provider, "/par")
    assert param(pushed, "response_mode") == "query.jwt"
    assert header(pushed, "dpop") is not None

    callback = follow_authorization(url)
    assert list(parse_qs(urlparse(callback).query)) == ["response"]  # one signed JWT
    o.authorization_code = callback
    authorization = o.get_authorization()
    assert authorization == f"DPoP {o.access_token}"
    assert o.config("AuthorizationTokenType") == "DPoP"
    (token,) = requests_to(provider, "/token")
    assert header(token, "dpop") is not None
    o.get_user_info()
    (userinfo,) = requests_to(provider, "/userinfo")
    assert header(userinfo, "dpop") is not None  # the mock refuses a bound token without one
    assert o.user_details_subject == "248289761001"

    with pytest.raises(oidckit.OIDCKitError) as err:
        o.config("ResponseMode=query.jwtt")
    assert err.value.code == 921
