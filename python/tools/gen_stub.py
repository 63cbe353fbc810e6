"""Writes the generated part of ``oidckit/_native.pyi``: the ``OpenID`` properties (from the
native module's ``PROPERTY_TABLE``) and the ``on_*`` event properties (``EVENT_NAMES``).

Run it after changing the property table in ``src/openid.rs``:
``python tools/gen_stub.py`` (with the package installed). ``tests/test_stub.py`` fails when
the stub is out of step.
"""

from __future__ import annotations

import sys
from pathlib import Path

BEGIN = "    # BEGIN GENERATED: properties (tools/gen_stub.py)\n"
END = "    # END GENERATED\n"
STUB = Path(__file__).resolve().parent.parent / "oidckit" / "_native.pyi"


def params_class(event: str) -> str:
    """``on_ssl_status`` -> ``OpenIDSSLStatusEventParams`` (the seed's class names)."""
    special = {"ssl": "SSL", "url": "URL"}
    words = event[len("on_") :].split("_")
    return "OpenID" + "".join(special.get(w, w.capitalize()) for w in words) + "EventParams"


def generated() -> str:
    from oidckit import _native

    lines = []
    for name, py_type, writable in _native.PROPERTY_TABLE:
        lines.append("    @property\n")
        lines.append(f"    def {name}(self) -> {py_type}: ...\n")
        if writable:
            arg = "bytes | str" if py_type == "bytes" else py_type
            lines.append(f"    @{name}.setter\n")
            lines.append(f"    def {name}(self, value: {arg}) -> None: ...\n")
        lines.append(f"    def get_{name}(self) -> {py_type}: ...\n")
        if writable:
            arg = "bytes | str" if py_type == "bytes" else py_type
            lines.append(f"    def set_{name}(self, value: {arg}) -> None: ...\n")
    for event in _native.EVENT_NAMES:
        hook = f"Callable[[{params_class(event)}], None]"
        lines.append("    @property\n")
        lines.append(f"    def {event}(self) -> {hook} | None: ...\n")
        lines.append(f"    @{event}.setter\n")
        lines.append(f"    def {event}(self, event_hook: {hook} | None) -> None: ...\n")
    return "".join(lines)


def splice(text: str, body: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + BEGIN + body + END + tail


def main() -> int:
    text = STUB.read_text()
    new = splice(text, generated())
    if new != text:
        STUB.write_text(new)
        print(f"updated {STUB}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
