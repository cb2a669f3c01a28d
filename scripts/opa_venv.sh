#!/usr/bin/env bash
# Makes (once) a Python venv holding real OPA as a library: the `opa_bindings` package of
# opa-golib-python-bindings 0.4.4 (OPA 1.20 inside), from PyPI. Used by opa_parity.sh and
# bench.sh.
#
#   scripts/opa_venv.sh VENV_DIR
#
# The wheel declares Python >= 3.14 but is a ctypes wrapper that runs on 3.11: pip is told
# to ignore that marker. x86_64 Linux only.
set -euo pipefail
venv=${1:?usage: opa_venv.sh VENV_DIR}
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import opa_bindings" 2> /dev/null; then
    exit 0
fi
python3 -m venv "$venv"
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
"$venv/bin/pip" download -q --no-deps 'opa-golib-python-bindings==0.4.4' \
    --python-version 3.14 --only-binary=:all: -d "$wheels"
"$venv/bin/pip" install -q --ignore-requires-python --no-deps "$wheels"/opa_golib_python_bindings-0.4.4-*.whl
