"""Test helpers: a mock OpenID Provider on 127.0.0.1 and a stand-in for the user's browser.

``MockProvider`` runs the Rust ``oidckit-mock`` provider in-process on a free port. Its one
user is always signed in; it knows the confidential client ``client_id`` / ``client_secret``
(default ``test-client`` / ``test-secret``) and the public client ``public-client``::

    with MockProvider() as op:
        openid = oidckit.OpenID()
        openid.client_id, openid.client_secret = op.client_id, op.client_secret
        openid.get_discovery_doc(op.discovery_url)

Misbehaviour switches (``op.set_misbehavior("id_token_expired")``) make it fail one way at a
time; ``approve_device`` plays the user approving a device code.

Run as ``python -m oidckit.testing URL`` this module is a browser stand-in: it follows the
authorization URL at the mock provider and delivers the redirect to the return URL. That is
what ``browser_command()`` returns, for ``on_launch_browser``'s ``command``.
"""

from __future__ import annotations

import shlex
import sys
import threading
import time

from ._native import MockProvider, mock_authorize, mock_http_get

__all__ = [
    "MockProvider",
    "approve_device_when_polled",
    "browser_command",
    "follow_authorization",
    "stand_in_browser",
]


def follow_authorization(url: str) -> str:
    """Follows an authorization URL at the mock provider and returns the callback URL it
    redirects to (with ``code``, ``state``, ...), without requesting it."""
    return mock_authorize(url)


def stand_in_browser(url: str) -> int:
    """Does what the user's browser would: follows ``url`` at the mock provider, then requests
    the callback URL (the application's loopback server). Returns that request's status."""
    return mock_http_get(mock_authorize(url))


def browser_command() -> str:
    """A command line for ``on_launch_browser``'s ``command`` that runs ``stand_in_browser``
    in a child process (the URL is appended by the library)."""
    return f"{shlex.quote(sys.executable)} -m oidckit.testing"


def approve_device_when_polled(
    provider: MockProvider, user_code: str, timeout: float = 30.0
) -> threading.Thread:
    """Starts a thread that approves ``user_code`` once the client has polled for it at least
    once (so the client sees ``authorization_pending`` first, then the tokens)."""

    def approve() -> None:
        deadline = time.monotonic() + timeout
        while provider.device_poll_count(user_code) == 0:
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        provider.approve_device(user_code)

    thread = threading.Thread(target=approve, name="oidckit-device-approver", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m oidckit.testing AUTHORIZATION_URL", file=sys.stderr)
        sys.exit(2)
    status = stand_in_browser(sys.argv[1])
    sys.exit(0 if status < 400 else 1)
