"""Events, interrupts, signals and threads: what the binding adds around the facade."""

from __future__ import annotations

import signal
import socket
import threading
import time
from typing import Any, Callable
from urllib.parse import urlparse

import pytest
from conftest import TlsProvider, open_with_stand_in

import oidckit
from oidckit.testing import MockProvider, follow_authorization, stand_in_browser

WEB = 1


def record(o: oidckit.OpenID) -> dict[str, list[Any]]:
    """Assigns a recorder to every on_* event; returns what each one received."""
    seen: dict[str, list[Any]] = {name: [] for name in oidckit.EVENT_NAMES}
    for name in oidckit.EVENT_NAMES:
        setattr(o, name, seen[name].append)
    return seen


def test_every_event_fires_with_the_seed_parameters(
    provider: MockProvider, tls_provider: TlsProvider
) -> None:
    o = oidckit.OpenID()
    o.client_id, o.client_secret = provider.client_id, provider.client_secret
    seen = record(o)
    o.config("LogLevel=3")
    o.follow_redirects = 1
    o.ssl_accept_server_cert_encoded = tls_provider.cert_pem.encode()

    # TLS, a redirect and a cookie: our own HTTPS server.
    o.get_discovery_doc(tls_provider.issuer)
    assert o.discovery_doc_details_issuer == tls_provider.issuer
    # The rest: a sign-in at the mock through the loopback server, then a failing call.
    o.get_discovery_doc(provider.discovery_url)

    def launch(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        seen["on_launch_browser"].append((e.url, e.command))
        threading.Thread(target=stand_in_browser, args=(e.url,)).start()
        e.command = ""

    o.on_launch_browser = launch
    assert o.get_authorization().startswith("Bearer ")
    with pytest.raises(oidckit.HTTPError):
        o.get_discovery_doc("http://127.0.0.1:1")

    missing = [name for name, got in seen.items() if not got]
    assert missing == [], f"never fired: {missing}"

    assert any(e.status_code == 200 and e.http_version for e in seen["on_status"])
    assert any(e.field.lower() == "content-type" for e in seen["on_header"])
    assert any(e.location.endswith("/moved/openid-configuration") for e in seen["on_redirect"])
    assert any(e.name == "visited" and e.value == "yes" and e.secure for e in seen["on_set_cookie"])
    cookies = [o.get_cookie_name(i) for i in range(o.cookie_count)]
    assert "visited" in cookies
    auth = seen["on_ssl_server_authentication"][0]
    assert isinstance(auth.cert_encoded, bytes) and auth.cert_encoded[:1] == b"\x30"  # DER
    assert auth.accept is True, "the pinned certificate is accepted"
    assert seen["on_ssl_status"][0].message
    assert {e.direction for e in seen["on_start_transfer"]} <= {0, 1}
    assert 1 in {e.direction for e in seen["on_end_transfer"]}
    assert any(e.direction == 1 and isinstance(e.text, bytes) for e in seen["on_transfer"])
    assert any(e.bytes_transferred > 0 for e in seen["on_transfer"])
    assert all(e.log_level in (1, 2, 3) and e.log_type for e in seen["on_log"])
    assert seen["on_connected"][0].status_code == 0
    assert seen["on_connection_status"][0].connection_event
    assert seen["on_disconnected"]
    ((url, command),) = [x for x in seen["on_launch_browser"] if isinstance(x, tuple)]
    assert url.startswith(provider.issuer + "/authorize?") and isinstance(command, str)
    ret = seen["on_return_url"][0]
    assert ret.url_path and "code=" in ret.query_string and ret.state
    err = seen["on_error"][-1]
    assert err.error_code == 10061 and err.description


def test_a_refused_redirect_is_not_followed(tls_provider: TlsProvider) -> None:
    o = oidckit.OpenID()
    o.follow_redirects = 1
    o.ssl_accept_server_cert_encoded = tls_provider.cert_pem

    def refuse(e: oidckit.OpenIDRedirectEventParams) -> None:
        e.accept = False

    o.on_redirect = refuse
    with pytest.raises(oidckit.OIDCKitError):
        o.get_discovery_doc(tls_provider.issuer)
    assert o.discovery_doc_details_issuer == ""


def test_a_refused_certificate_ends_the_call(tls_provider: TlsProvider) -> None:
    o = oidckit.OpenID()
    o.ssl_accept_server_cert_encoded = tls_provider.cert_pem

    def refuse(e: oidckit.OpenIDSSLServerAuthenticationEventParams) -> None:
        e.accept = False

    o.on_ssl_server_authentication = refuse
    with pytest.raises(oidckit.OIDCKitError):
        o.get_discovery_doc(tls_provider.issuer)


def test_launch_browser_may_change_the_url_and_clear_the_command(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    opened: list[str] = []

    def launch(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        e.url = e.url + "&prompt=login"
        e.command = ""  # nothing is opened: the application handles the URL
        opened.append(e.url)
        threading.Thread(target=stand_in_browser, args=(e.url,)).start()

    openid.on_launch_browser = launch
    assert openid.get_authorization().startswith("Bearer ")
    authorize = [r for r in provider.requests() if r["path"] == "/authorize"][-1]
    assert ("prompt", "login") in authorize["params"]


def test_return_url_may_send_its_own_page(provider: MockProvider, openid: oidckit.OpenID) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    pages: list[int] = []
    browsers: list[threading.Thread] = []

    def browse(url: str) -> None:
        pages.append(stand_in_browser(url))

    def launch(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        browsers.append(threading.Thread(target=browse, args=(e.url,)))
        browsers[-1].start()
        e.command = ""

    def page(e: oidckit.OpenIDReturnURLEventParams) -> None:
        e.response_headers = "X-Test: yes"
        e.response_body = "<p>signed in</p>"

    openid.on_launch_browser = launch
    openid.on_return_url = page
    openid.get_authorization()
    browsers[0].join(timeout=10)
    assert pages == [200]


def test_an_exception_in_a_handler_propagates_out_of_the_method(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    class Refused(Exception):
        pass

    def launch(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        raise Refused("the user closed the window")

    openid.get_discovery_doc(provider.discovery_url)
    openid.on_launch_browser = launch
    started = time.monotonic()
    with pytest.raises(Refused):
        openid.get_authorization()
    assert time.monotonic() - started < 30, "ended by the exception, not by the timeout"
    assert openid.idle
    # A handler of a call that succeeds anyway still reports its exception.
    openid.on_launch_browser = None
    openid.client_profile = WEB
    openid.return_url = "http://127.0.0.1:9/cb"

    def fail(e: oidckit.OpenIDStatusEventParams) -> None:
        raise ZeroDivisionError(e.status_code)

    openid.on_status = fail
    with pytest.raises(ZeroDivisionError):
        openid.get_discovery_doc(provider.discovery_url)
    openid.on_status = None
    openid.get_discovery_doc(provider.discovery_url)


def test_interrupt_from_another_thread_ends_the_call_with_301(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    openid.get_discovery_doc(provider.discovery_url)
    openid.on_launch_browser = lambda e: setattr(e, "command", "")  # no browser ever comes
    timer = threading.Timer(0.5, openid.interrupt)
    timer.start()
    with pytest.raises(oidckit.OIDCKitError) as err:
        openid.get_authorization()
    timer.join()
    assert err.value.code == 301
    assert openid.idle


def test_other_threads_run_while_a_call_waits(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    provider.set_misbehavior("hang", "discovery")
    openid.timeout = 2
    ticks: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.05)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        with pytest.raises(oidckit.CallTimeoutError) as err:
            openid.get_discovery_doc(provider.discovery_url)
    finally:
        stop.set()
        ticker.join()
    assert err.value.code == 201
    assert len(ticks) >= 10, "the GIL was released during the call"


def test_a_busy_object_refuses_other_threads_instead_of_deadlocking(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    provider.set_misbehavior("hang", "discovery")
    results: list[str] = []

    def read_in_handler(e: oidckit.OpenIDConnectedEventParams) -> None:
        try:
            results.append(openid.client_id)
        except RuntimeError:
            results.append("busy")

    openid.on_connected = read_in_handler
    threading.Timer(0.5, openid.interrupt).start()
    with pytest.raises(oidckit.OIDCKitError) as err:
        openid.get_discovery_doc(provider.discovery_url)
    assert err.value.code == 301
    assert results == ["busy"]
    assert openid.client_id == provider.client_id


def port_accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_during_the_browser_wait_raises_keyboard_interrupt_and_closes_the_server(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    openid.get_discovery_doc(provider.discovery_url)
    urls: list[str] = []

    def launch(e: oidckit.OpenIDLaunchBrowserEventParams) -> None:
        urls.append(e.url)
        e.command = ""
        threading.Timer(0.3, signal.raise_signal, args=(signal.SIGINT,)).start()

    openid.on_launch_browser = launch
    with pytest.raises(KeyboardInterrupt):
        openid.get_authorization()
    redirect = [v for k, v in _query(urls[0]) if k == "redirect_uri"][0]
    port = urlparse(redirect).port
    assert port is not None and not port_accepts(port), "the loopback server is closed"
    assert openid.idle
    # The object is usable afterwards.
    openid.on_launch_browser = open_with_stand_in
    assert openid.get_authorization().startswith("Bearer ")


def _query(url: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(urlparse(url).query)


def test_assigning_something_not_callable_is_a_type_error() -> None:
    o = oidckit.OpenID()
    bad: Any = 42
    with pytest.raises(TypeError):
        o.on_log = bad
    handler: Callable[[oidckit.OpenIDLogEventParams], None] = print
    o.on_log = handler
    assert o.on_log is handler
    o.on_log = None
    assert o.on_log is None


def test_web_callback_helper_returns_the_redirect(provider: MockProvider) -> None:
    o = oidckit.OpenID()
    o.client_id, o.client_secret = provider.client_id, provider.client_secret
    o.client_profile = WEB
    o.return_url = "http://127.0.0.1:9/cb"
    o.get_discovery_doc(provider.discovery_url)
    callback = follow_authorization(o.get_authorization_url())
    assert callback.startswith("http://127.0.0.1:9/cb?") and "code=" in callback


def test_a_handler_that_refers_to_its_object_does_not_keep_it_alive() -> None:
    import gc
    import weakref

    def make() -> weakref.ref[oidckit.OpenID]:
        o = oidckit.OpenID()

        def log(e: oidckit.OpenIDLogEventParams) -> None:
            print(o.client_id, e.message)

        o.on_log = log
        return weakref.ref(o)

    ref = make()
    gc.collect()
    assert ref() is None


def test_ctrl_c_during_the_device_wait_raises_keyboard_interrupt(
    provider: MockProvider, openid: oidckit.OpenID
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    openid.get_discovery_doc(provider.discovery_url)
    openid.client_profile = 2
    openid.get_authorization_url()
    code = openid.config("DeviceUserCode")
    threading.Timer(0.5, signal.raise_signal, args=(signal.SIGINT,)).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        openid.get_authorization()  # nobody approves: it would poll until the code expires
    assert time.monotonic() - started < 10
    assert openid.idle
    assert provider.approve_device(code), "the code is still pending at the provider"
