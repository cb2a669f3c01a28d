#!/usr/bin/env bash
# Installs OPA (as a library for Python, from PyPI) into a venv and checks that OPA and
# apimguard find the same findings with the built-in pack (scripts/opa_parity.py) on the
# demo snapshot, a synthetic 1k-API estate and the IaC sample (with values left open until
# deployment). Run by .ci/run.
#
#   scripts/opa_parity.sh APIMGUARD_BINARY [VENV_DIR]      (default venv: target/opa-venv)
#
# The wheel (opa-golib-python-bindings 0.4.4, OPA 1.20 inside) declares Python >= 3.14 but
# is a ctypes wrapper that runs on 3.11: pip is told to ignore that marker. x86_64 Linux.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:?usage: opa_parity.sh APIMGUARD_BINARY [VENV_DIR]}")
venv=${2:-target/opa-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import opa_bindings" 2> /dev/null; then
    python3 -m venv "$venv"
    wheels=$(mktemp -d)
    "$venv/bin/pip" download -q --no-deps 'opa-golib-python-bindings==0.4.4' \
        --python-version 3.14 --only-binary=:all: -d "$wheels"
    "$venv/bin/pip" install -q --ignore-requires-python --no-deps "$wheels"/opa_golib_python_bindings-0.4.4-*.whl
fi
estate=target/opa-parity-estate-1000.json
[ -s "$estate" ] || cargo run --quiet --example gen_estate -- 1000 "$estate"
iac=target/opa-parity-iac.json
"$binary" collect --from-arm fixtures/iac/estate/azuredeploy.json -o "$iac" 2> /dev/null
"$venv/bin/python" scripts/opa_parity.py "$binary" fixtures/demo/snapshot.json "$estate" "$iac"
