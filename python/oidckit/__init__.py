"""oidckit: an OpenID Connect Relying Party for Python, over the oidckit Rust library.

- ``OpenID`` is the seed's class (``ipworksauth.OpenID``): the same property, method, event
  and ``config()`` names, so the seed's programs run with only the import changed.
- ``Verifier`` checks ID tokens and other JWTs of one issuer from many threads at once, for
  web back-ends.
- ``oidckit.testing.MockProvider`` is an OpenID Provider on 127.0.0.1 to test against.

Every failure raises ``OIDCKitError`` (or one of its subclasses) with ``code`` (the seed's
number) and ``message``.
"""

from ._native import (
    EVENT_NAMES,
    CallTimeoutError,
    DiscoveryError,
    HTTPError,
    IDTokenError,
    OIDCKitError,
    OpenID,
    OpenIDConnectedEventParams,
    OpenIDConnectionStatusEventParams,
    OpenIDDisconnectedEventParams,
    OpenIDEndTransferEventParams,
    OpenIDErrorEventParams,
    OpenIDHeaderEventParams,
    OpenIDLaunchBrowserEventParams,
    OpenIDLogEventParams,
    OpenIDRedirectEventParams,
    OpenIDReturnURLEventParams,
    OpenIDSetCookieEventParams,
    OpenIDSSLServerAuthenticationEventParams,
    OpenIDSSLStatusEventParams,
    OpenIDStartTransferEventParams,
    OpenIDStatusEventParams,
    OpenIDTransferEventParams,
    Verifier,
    __version__,
    exception_for_code,
)

__all__ = [
    "EVENT_NAMES",
    "CallTimeoutError",
    "DiscoveryError",
    "HTTPError",
    "IDTokenError",
    "OIDCKitError",
    "OpenID",
    "OpenIDConnectedEventParams",
    "OpenIDConnectionStatusEventParams",
    "OpenIDDisconnectedEventParams",
    "OpenIDEndTransferEventParams",
    "OpenIDErrorEventParams",
    "OpenIDHeaderEventParams",
    "OpenIDLaunchBrowserEventParams",
    "OpenIDLogEventParams",
    "OpenIDRedirectEventParams",
    "OpenIDReturnURLEventParams",
    "OpenIDSetCookieEventParams",
    "OpenIDSSLServerAuthenticationEventParams",
    "OpenIDSSLStatusEventParams",
    "OpenIDStartTransferEventParams",
    "OpenIDStatusEventParams",
    "OpenIDTransferEventParams",
    "Verifier",
    "__version__",
    "exception_for_code",
]
