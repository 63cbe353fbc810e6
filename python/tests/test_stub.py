"""The type stub oidckit/_native.pyi stays in step with the native module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from oidckit import _native

PACKAGE = Path(__file__).resolve().parents[1]
STUB = PACKAGE / "oidckit" / "_native.pyi"
sys.path.insert(0, str(PACKAGE / "tools"))

import gen_stub  # noqa: E402


def stub_names() -> dict[str, set[str]]:
    tree = ast.parse(STUB.read_text())
    out: dict[str, set[str]] = {"": set()}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
            out[node.name] = members
            out[""].add(node.name)
        elif isinstance(node, ast.FunctionDef):
            out[""].add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[""].add(node.target.id)
    return out


def public(obj: object) -> set[str]:
    return {n for n in dir(obj) if not n.startswith("_")}


def test_the_generated_part_matches_the_property_table() -> None:
    text = STUB.read_text()
    assert gen_stub.splice(text, gen_stub.generated()) == text, "run python tools/gen_stub.py"


def test_every_native_name_is_in_the_stub_and_back() -> None:
    names = stub_names()
    module = {n for n in public(_native) if n != "oidckit"} | {"__version__"}
    assert module == names[""]
    for cls_name in names[""]:
        obj = getattr(_native, cls_name)
        if not isinstance(obj, type):
            continue
        runtime = public(obj)
        if issubclass(obj, BaseException):
            # Set on each instance; the stub declares them once, on the base class.
            runtime = {"code", "message", "error"} if cls_name == "OIDCKitError" else set()
        elif cls_name == "MockProvider":
            runtime |= {"__enter__", "__exit__"}
        stubbed = names[cls_name] - {"__init__"}
        assert runtime == stubbed, (
            cls_name,
            sorted(runtime - stubbed),
            sorted(stubbed - runtime),
        )
