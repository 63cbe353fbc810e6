"""Benchmark (not a test): oidckit.Verifier.verify against PyJWT (PyJWKClient + jwt.decode) on
the same RS256, ES256 and HS256 tokens from the mock provider, in one run.

    pip install ./python "PyJWT[crypto]"     # a release build (pip's default for maturin)
    python python/bench/verify_vs_pyjwt.py [--seconds 2]

Both sides do the whole job a web back-end does per request: pick the key by kid from a cached
JWKS, verify the signature, check iss/aud/exp/iat, and return the claims as a dict.

The last columns put both against the floor, in the same run: the bare signature check of the
same token from Python (``cryptography``'s ``verify`` with the parsed key, or ``hmac``), so a
ratio can be read as "how many bare verifies each library spends per token".

The three are timed in turns, ``--rounds`` times each, and the median of each is reported: a
shared or virtual machine's speed drifts over seconds, and turns spread that drift over all
three alike. The HS256 secret is 43 characters (RFC 7518 §3.2 wants at least 256 bits): with a
short one PyJWT warns on every call, which would flatter the ratio.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import hmac
import secrets
import statistics
import time
from typing import Any, Callable

import jwt

import oidckit
from oidckit.testing import MockProvider


def rate(fn: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``fn``, measured over about ``seconds`` after a warm-up."""
    for _ in range(200):
        fn()
    n, batch = 0, 100
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def rates(fns: list[Callable[[], Any]], seconds: float, rounds: int) -> list[float]:
    """The median calls per second of each of ``fns``, timed in turns, ``rounds`` times each,
    ``seconds`` per function in all."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, sample in zip(fns, samples):
            sample.append(rate(fn, seconds / rounds))
    return [statistics.median(sample) for sample in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="turns per measurement")
    args = parser.parse_args()

    with MockProvider(client_secret=secrets.token_urlsafe(32)) as op:
        op.add_key("ES256")
        now = int(time.time())
        claims = {
            "iss": op.issuer,
            "aud": op.client_id,
            "sub": "248289761001",
            "iat": now,
            "exp": now + 3600,
            "email": "janedoe@example.com",
        }
        tokens = {alg: op.sign_jwt(claims, alg) for alg in ("RS256", "ES256", "HS256")}

        verifier = oidckit.Verifier(
            issuer=op.issuer,
            audience=op.client_id,
            client_secret=op.client_secret,
            algorithms=["RS256", "ES256", "HS256"],
        )
        jwks_client = jwt.PyJWKClient(f"{op.issuer}/jwks", cache_keys=True)

        def pyjwt(alg: str, token: str) -> Callable[[], Any]:
            if alg == "HS256":
                return lambda: jwt.decode(
                    token,
                    op.client_secret,
                    algorithms=["HS256"],
                    audience=op.client_id,
                    issuer=op.issuer,
                )
            return lambda: jwt.decode(
                token,
                jwks_client.get_signing_key_from_jwt(token).key,
                algorithms=[alg],
                audience=op.client_id,
                issuer=op.issuer,
            )

        def bare(alg: str, token: str) -> Callable[[], Any]:
            head, payload, signature = token.split(".")
            signed = f"{head}.{payload}".encode()
            sig = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            if alg == "HS256":
                secret = op.client_secret.encode()
                return lambda: hmac.compare_digest(
                    hmac.new(secret, signed, hashlib.sha256).digest(), sig
                )
            jwk = jwks_client.get_signing_key_from_jwt(token)
            algorithm = jwt.get_algorithm_by_name(alg)
            return lambda: algorithm.verify(signed, jwk.key, sig)

        print(
            f"{'alg':6} {'oidckit/s':>12} {'PyJWT/s':>12} {'ratio':>7}"
            f" {'bare/s':>12} {'oidckit':>8} {'PyJWT':>8}  (cost in bare verifies)"
        )
        for alg, token in tokens.items():
            ours = verifier.verify(token)
            theirs = pyjwt(alg, token)()
            assert ours == theirs, (alg, ours, theirs)
            assert bare(alg, token)(), alg
            a, b, c = rates(
                [functools.partial(verifier.verify, token), pyjwt(alg, token), bare(alg, token)],
                args.seconds,
                args.rounds,
            )
            print(
                f"{alg:6} {a:12.0f} {b:12.0f} {a / b:6.1f}x {c:12.0f} {c / a:7.2f}x {c / b:7.1f}x"
            )


if __name__ == "__main__":
    main()
