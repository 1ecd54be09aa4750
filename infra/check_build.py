"""Check what `sam build` left in .aws-sam/build: every function of the built template has its
handler file and stays under 15 MB (the layers aside), the API function carries the web app's
bundle (`web/index.html` with the `<base>` it rewrites), the shared layer holds the package and
code.js's layer V8, each function with the layers stays under Lambda's 250 MB (unzipped), and the
layers' compiled modules are for the template's architecture. Prints the sizes; exits 1 with the
reasons when a check fails.

    python infra/check_build.py [.aws-sam/build]
"""

from __future__ import annotations

import sys
from pathlib import Path

FUNCTION_LIMIT = 15 * 1024 * 1024
LAMBDA_LIMIT = 250 * 1024 * 1024  # function + layers, unzipped
ELF_MACHINES = {b"\xb7\x00": "arm64", b"\x3e\x00": "x86_64"}  # e_machine, little-endian
MB = 1024 * 1024


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def architectures(folder: Path) -> set[str]:
    """The architectures of the ELF shared objects under `folder`."""
    found = set()
    for library in folder.rglob("*.so*"):
        head = library.read_bytes()[:20]
        if head[:4] == b"\x7fELF":
            found.add(ELF_MACHINES.get(head[18:20], "other"))
    return found


def web_bundle_problems(web: Path) -> list[str]:
    """What is wrong with the web app's copy in the API function (none: it is served)."""
    if not (web / "index.html").is_file():
        return ["ApiFunction: no web/index.html (the web app is not in the build)"]
    if '<base href="/">' not in (web / "index.html").read_text(encoding="utf-8"):
        return ['ApiFunction: web/index.html has no <base href="/"> to rewrite']
    print(f"web app  {'ApiFunction/web':28} {size_of(web) / 1024:7.1f} KB")
    return []


def main(build: Path) -> int:
    text = (build / "template.yaml").read_text(encoding="utf-8")
    architecture = "arm64" if "arm64" in text else "x86_64"
    layers = [d for d in build.iterdir() if d.is_dir() and (d / "python").is_dir()]
    functions = [d for d in build.iterdir() if d.is_dir() and d not in layers]
    problems = []
    layer_bytes = sum(size_of(d) for d in layers)
    for layer in layers:
        print(f"layer    {layer.name:28} {size_of(layer) / MB:7.1f} MB")
        # (the shared layer carries the package; code.js's carries V8 alone)
        package = "py_mini_racer" if layer.name == "CodeJsLayer" else "automations"
        if not (layer / "python" / package / "__init__.py").is_file():
            problems.append(f"{layer.name}: no python/{package} package")
        if architectures(layer) != {architecture}:
            found = architectures(layer)
            problems.append(f"{layer.name}: binaries for {found}, not {architecture}")
    if not functions:
        problems.append("no function was built")
    for function in sorted(functions):
        size = size_of(function)
        print(f"function {function.name:28} {size / 1024:7.1f} KB")
        if not (function / "app.py").is_file():
            problems.append(f"{function.name}: no app.py")
        if size >= FUNCTION_LIMIT:
            problems.append(f"{function.name}: {size / MB:.1f} MB, over 15 MB")
        if size + layer_bytes >= LAMBDA_LIMIT:
            problems.append(f"{function.name}: with the layer over Lambda's 250 MB")
    problems += web_bundle_problems(build / "ApiFunction" / "web")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build")))
