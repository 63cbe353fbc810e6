"""oidckit.Verifier against the mock provider: caching, rotation, single flight, stale keys."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import pytest

import oidckit
from oidckit.testing import MockProvider


def claims(provider: MockProvider, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": provider.issuer,
        "aud": provider.client_id,
        "sub": "248289761001",
        "iat": now,
        "exp": now + 600,
    }
    base.update(extra)
    return base


def jwks_fetches(provider: MockProvider) -> int:
    return len([r for r in provider.requests() if r["path"] == "/jwks"])


def test_verifies_rs256_es256_and_hs256_and_returns_the_claims(provider: MockProvider) -> None:
    provider.add_key("ES256")
    verifier = oidckit.Verifier(
        issuer=provider.issuer,
        audience=provider.client_id,
        client_secret=provider.client_secret,
        algorithms=["RS256", "ES256", "HS256"],
    )
    assert (verifier.issuer, verifier.audience) == (provider.issuer, provider.client_id)
    for alg in ("RS256", "ES256", "HS256"):
        token = provider.sign_jwt(claims(provider, role=["admin"], n=1.5), alg)
        got = verifier.verify(token)
        assert got["sub"] == "248289761001" and got["role"] == ["admin"] and got["n"] == 1.5, alg
    assert jwks_fetches(provider) == 1, "the key set is cached"


def test_refuses_what_does_not_verify_with_the_seed_codes(provider: MockProvider) -> None:
    verifier = oidckit.Verifier(issuer=provider.issuer, audience=provider.client_id)
    cases = {
        "expired": claims(provider, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "other audience": claims(provider, aud="someone-else"),
        "other issuer": claims(provider, iss="https://evil.example"),
    }
    for why, c in cases.items():
        with pytest.raises(oidckit.IDTokenError) as err:
            verifier.verify(provider.sign_jwt(c))
        assert err.value.code == 903, why
    token = provider.sign_jwt(claims(provider))
    head, payload, signature = token.split(".")
    flipped = signature[:10] + ("B" if signature[10] == "A" else "A") + signature[11:]
    with pytest.raises(oidckit.IDTokenError) as err:
        verifier.verify(f"{head}.{payload}.{flipped}")
    assert err.value.code == 903
    with pytest.raises(oidckit.IDTokenError) as err:
        verifier.verify("not a jwt")
    assert err.value.code == 901
    with pytest.raises(oidckit.IDTokenError) as err:
        verifier.verify(provider.sign_jwt(claims(provider), "HS256"))  # no secret given
    assert err.value.code == 903
    with pytest.raises(oidckit.IDTokenError) as err:
        verifier.verify(provider.sign_jwt(claims(provider, nonce="a")), nonce="b")
    assert err.value.code == 903


def test_a_rotated_key_is_accepted_after_one_refetch(provider: MockProvider) -> None:
    verifier = oidckit.Verifier(issuer=provider.issuer, audience=provider.client_id)
    old_kid = provider.active_kid
    verifier.verify(provider.sign_jwt(claims(provider)))
    provider.rotate_keys()
    assert provider.active_kid != old_kid
    assert verifier.verify(provider.sign_jwt(claims(provider, n=2)))["n"] == 2
    assert jwks_fetches(provider) == 2
    # Within the cooldown an unknown kid does not cause another fetch.
    with pytest.raises(oidckit.IDTokenError) as err:
        verifier.verify(provider.sign_jwt(claims(provider), "RS256", {"kid": "never-published"}))
    assert err.value.code == 903
    assert jwks_fetches(provider) == 2


def test_32_threads_with_a_cold_cache_cause_exactly_one_jwks_fetch(
    provider: MockProvider,
) -> None:
    verifier = oidckit.Verifier(issuer=provider.issuer, audience=provider.client_id)
    assert jwks_fetches(provider) == 0
    tokens = [provider.sign_jwt(claims(provider, n=i)) for i in range(32)]
    start = threading.Barrier(32)
    results: dict[int, Any] = {}

    def verify(i: int) -> None:
        start.wait()
        try:
            results[i] = verifier.verify(tokens[i])["n"]
        except oidckit.OIDCKitError as e:
            results[i] = e

    threads = [threading.Thread(target=verify, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: i for i in range(32)}
    assert jwks_fetches(provider) == 1


def test_cached_keys_still_verify_when_the_provider_goes_down(provider: MockProvider) -> None:
    verifier = oidckit.Verifier(issuer=provider.issuer, audience=provider.client_id, timeout=2)
    first = provider.sign_jwt(claims(provider, n=1))
    later = provider.sign_jwt(claims(provider, n=2))
    unknown = provider.sign_jwt(claims(provider), "RS256", {"kid": "rotated-away"})
    verifier.verify(first)
    provider.stop()
    assert verifier.verify(later)["n"] == 2
    # An unknown kid needs a fetch, which fails and says why; the keys held stay usable.
    with pytest.raises(oidckit.HTTPError) as err:
        verifier.verify(unknown)
    assert err.value.code == 10061
    assert verifier.verify(first)["n"] == 1


def test_discovery_failures_raise_at_construction() -> None:
    with pytest.raises(oidckit.HTTPError) as err:
        oidckit.Verifier(issuer="http://127.0.0.1:1", audience="x")
    assert err.value.code == 10061


def test_the_claims_dict_is_the_signed_payload_as_json_decodes_it(provider: MockProvider) -> None:
    verifier = oidckit.Verifier(
        issuer=provider.issuer,
        audience=provider.client_id,
        client_secret=provider.client_secret,
        algorithms=["RS256", "HS256"],
    )
    rich = claims(
        provider,
        aud=[provider.client_id, "api"],
        azp=provider.client_id,
        address={"street_address": "1 Main St", "country": "DE", "geo": [52.5, 13.4]},
        amr=["pwd", "otp"],
        email_verified=True,
        middle_name=None,
        name='J\u00e9r\u00f4me "J" \U0001f600',
        ratio=0.25,
        big=2**63 + 7,
        neg=-(2**63),
        empty={},
        nested=[[], [{}], [1, [2, [3]]]],
        sub='J\\"\u00e9/',  # a checked claim with escapes in its JSON text
        nonce=None,  # a checked claim of the wrong type, unchecked without a nonce
        auth_time=1.5e9,
    )
    for alg in ("RS256", "HS256"):
        token = provider.sign_jwt(rich, alg)
        payload = token.split(".")[1]
        expected = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        # The first RS256 call fetches the keys (then the dict is built from the verified
        # payload); the later ones and every HS256 call build it while verifying: same dict.
        for _ in range(2):
            got = verifier.verify(token)
            assert got == expected, alg
            assert list(got) == list(expected), "document order"
            assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
        got["iss"] = "changed"  # a fresh dict per call: changing one leaves the next intact
        assert verifier.verify(token)["iss"] == provider.issuer


def test_other_threads_run_while_a_verification_waits_for_the_key_set(
    provider: MockProvider,
) -> None:
    verifier = oidckit.Verifier(issuer=provider.issuer, audience=provider.client_id, timeout=3)
    provider.set_misbehavior("hang", "jwks")
    started, returned = threading.Event(), threading.Event()
    outcome: list[Any] = []

    def verify() -> None:
        started.set()
        try:
            outcome.append(verifier.verify(provider.sign_jwt(claims(provider))))
        except oidckit.OIDCKitError as e:
            outcome.append(e.code)
        returned.set()

    worker = threading.Thread(target=verify)
    worker.start()
    started.wait()
    time.sleep(0.3)
    # The fetch hangs for 3 s: this thread could only get here by now if the GIL was released.
    assert not returned.is_set()
    worker.join()
    assert outcome == [201]
