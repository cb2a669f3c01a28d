#!/usr/bin/env python3
"""Parses every .rego file under the given directories with OPA's own parser.

usage: opa_parse.py DIR [DIR ...]

regorus and OPA must accept the same syntax: a rule that only regorus parses breaks for
users who run the pack in OPA or conftest. Evaluates OPA's `rego.parse_module` builtin
(the `opa_bindings` package of `opa-golib-python-bindings`, installed by
scripts/opa_venv.sh) on each file, tests included, and lists every file OPA refuses.
Exits 1 when OPA refuses any, 2 when no file is found.
"""
import glob, os, sys

from opa_bindings import OpaEngine, OpaError


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    files = sorted(p for d in sys.argv[1:] for p in glob.glob(os.path.join(d, "**", "*.rego"), recursive=True))
    if not files:
        print(f"no .rego files under {' '.join(sys.argv[1:])}", file=sys.stderr)
        sys.exit(2)
    engine = OpaEngine()
    refused = 0
    for path in files:
        try:
            engine.eval_query("m := rego.parse_module(input.file, input.text)",
                              {"file": path, "text": open(path, encoding="utf-8").read()})
        except OpaError as e:
            refused += 1
            print(f"{path}: OPA refuses it: {e.message}", file=sys.stderr)
    print(f"{len(files)} files, {refused} refused by OPA's parser")
    sys.exit(1 if refused else 0)


if __name__ == "__main__":
    main()
