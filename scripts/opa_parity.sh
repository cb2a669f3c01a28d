#!/usr/bin/env bash
# Installs OPA (as a library for Python, from PyPI) into a venv and checks that OPA and
# apimguard find the same findings with the built-in pack (scripts/opa_parity.py) on the
# demo snapshot, a synthetic 1k-API estate and the IaC samples (with values left open until
# deployment), and with the parameters that turn stricter branches on. Run by .ci/run.
#
#   scripts/opa_parity.sh APIMGUARD_BINARY [VENV_DIR]      (default venv: target/opa-venv)
#
# OPA comes from scripts/opa_venv.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:?usage: opa_parity.sh APIMGUARD_BINARY [VENV_DIR]}")
venv=${2:-target/opa-venv}
scripts/opa_venv.sh "$venv"
estate=target/opa-parity-estate-1000.json
[ -s "$estate" ] || cargo run --quiet --example gen_estate -- 1000 "$estate"
iac=target/opa-parity-iac.json
"$binary" collect --from-arm fixtures/iac/estate/azuredeploy.json -o "$iac" 2> /dev/null
portal=target/opa-parity-portal.json
"$binary" collect --from-arm fixtures/iac/portal/azuredeploy.json -o "$portal" 2> /dev/null
# Regions, zones and units left open until deployment, and a workspace policy.
resilience=target/opa-parity-resilience.json
"$binary" collect --from-bicep fixtures/iac/resilience/main.bicep -o "$resilience" 2> /dev/null
"$venv/bin/python" scripts/opa_parity.py "$binary" fixtures/demo/snapshot.json "$estate" "$iac" "$portal" "$resilience"
# The branches only a parameter turns on (docs/configuration.md), on the demo and IaC samples.
"$venv/bin/python" scripts/opa_parity.py "$binary" \
  --parameters '{"key_vault_required_for": "all", "ip_filter_required": true, "portal_signup_allowed": true, "portal_anonymous_access_allowed": true, "portal_identity_providers": ["aad", "google"], "production_services": ["*-PROD", "*/resourceGroups/rg-apim-prod/*"]}' \
  fixtures/demo/snapshot.json "$iac" "$portal"
"$venv/bin/python" scripts/opa_parity.py "$binary" \
  --parameters '{"key_vault_required_for": "All", "ip_filter_required": "yes", "portal_signup_allowed": "no", "portal_anonymous_access_allowed": 1, "portal_identity_providers": "aad", "production_services": "*-prod"}' \
  fixtures/demo/snapshot.json
