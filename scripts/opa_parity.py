#!/usr/bin/env python3
"""Checks that real OPA and apimguard find the same thing with the built-in pack.

usage: opa_parity.py APIMGUARD_BINARY [--parameters JSON] SNAPSHOT.json [SNAPSHOT.json ...]

--parameters gives both engines the same rule parameters (a JSON object): OPA as
`data.apimguard.config`, apimguard in a configuration file's `parameters`, so the
branches of the rules that only a parameter turns on are compared too.

The rules are written in Rego and must stay valid OPA Rego with the same meaning: users run
them in other tools (OPA, conftest), and an engine difference is a silent wrong verdict.
For each snapshot, evaluates `data.apimguard.rules` with OPA (the `opa_bindings` package of
`opa-golib-python-bindings`: OPA as a library, installed by scripts/opa_parity.sh) over
every non-test `.rego` under policies/, runs `apimguard check` with the same files
(`--no-builtin -p policies --profile strict -f json`),
and compares, rule by rule, the set of (resource, message) findings (rules apimguard
reports as not applicable to the snapshot's source are skipped). Exits 1 on any
difference (listing some), 2 when OPA refuses the policies or a tool fails.
"""
import glob, json, os, subprocess, sys, tempfile

from opa_bindings import OpaEngine


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, snapshots = sys.argv[1], sys.argv[2:]
    parameters = None
    if snapshots[0] == "--parameters":
        parameters, snapshots = json.loads(snapshots[1]), snapshots[2:]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = sorted(p for p in glob.glob(os.path.join(root, "policies", "**", "*.rego"), recursive=True)
                   if not p.endswith("_test.rego"))
    engine = OpaEngine()
    try:
        for path in files:
            engine.add_policy(os.path.relpath(path, root), open(path).read())
        if parameters is not None:
            engine.add_data({"apimguard": {"config": parameters}})
        engine.eval_document("apimguard.rules", {})
    except Exception as e:  # OPA refuses the pack: recursion, unsafe variables, …
        print(f"OPA refuses the policies: {e}", file=sys.stderr)
        sys.exit(2)
    pack = ["--no-builtin", "-p", os.path.join(root, "policies"), "--profile", "strict"]
    rules = json.loads(subprocess.run([binary, "rules", "list", *pack, "-f", "json"],
                                      check=True, capture_output=True, text=True).stdout)
    package = {r["id"]: r["package"] for r in rules}
    failed = False
    for snapshot in snapshots:
        document = engine.eval_document("apimguard.rules", json.load(open(snapshot)))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "report.json")
            config = []
            if parameters is not None:
                config = ["--config", os.path.join(tmp, "config.yaml")]
                with open(config[1], "w") as f:
                    json.dump({"parameters": parameters}, f)  # JSON is YAML
            run = subprocess.run([binary, "check", snapshot, *pack, *config, "--fail-on", "never",
                                  "--allow-incomplete", "-f", f"json:{out}"], capture_output=True, text=True)
            if run.returncode != 0:
                print(f"apimguard check {snapshot} exited {run.returncode}: {run.stderr}", file=sys.stderr)
                sys.exit(2)
            report = json.load(open(out))
        total = 0
        for result in report["results"]:
            # apimguard does not judge a rule whose data the snapshot's source cannot have
            # (an IaC snapshot has no Defender state): OPA has no such notion.
            if result["status"] == "not-applicable":
                continue
            node = document
            for part in package[result["ruleId"]].split(".")[2:]:  # after apimguard.rules
                node = (node or {}).get(part)
            theirs = {(f["resource"], f["message"]) for f in (node or {}).get("deny", [])}
            ours = {(f["resource"], f["message"]) for f in result["findings"]}
            total += len(ours)
            if ours != theirs:
                failed = True
                print(f"{snapshot}: {result['ruleId']}: apimguard {len(ours)}, OPA {len(theirs)} findings")
                for f in sorted(ours - theirs)[:3]:
                    print(f"  only apimguard: {f}")
                for f in sorted(theirs - ours)[:3]:
                    print(f"  only OPA:       {f}")
        print(f"{snapshot}: {len(report['results'])} rules, {total} findings: "
              + ("differences above" if failed else "same in OPA"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
