#!/usr/bin/env bash
# Makes the signature fixtures of src/evidence/signature.rs in fixtures/signatures: a
# sample manifest.json signed with fresh Ed25519 keys, the OpenSSH way
# (ssh-keygen -Y sign -n apimguard-evidence) and the minisign way (prehashed "ED" and
# legacy "Ed", written by scripts/minisign_fixture.py with Python's cryptography and
# hashlib's BLAKE2b, as minisign -S would). The private keys are thrown away: re-running
# makes new keys and signatures together.
#
#   scripts/make_signature_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/signatures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
[ -s "$out/manifest.json" ] || { echo "need $out/manifest.json" >&2; exit 2; }
ssh-keygen -q -t ed25519 -N '' -C auditor@contoso.com -f "$tmp/signer"
ssh-keygen -q -t ed25519 -N '' -C someone-else -f "$tmp/other"
cp "$tmp/signer.pub" "$out/ssh_ed25519.pub"
cp "$tmp/other.pub" "$out/other_ed25519.pub"
key=$(cut -d' ' -f1,2 "$tmp/signer.pub")
printf 'auditor@contoso.com namespaces="apimguard-evidence" %s\n' "$key" > "$out/allowed_signers"
printf 'auditor@contoso.com namespaces="file,git" %s\n' "$key" > "$out/allowed_signers_other_ns"
ssh-keygen -q -Y sign -f "$tmp/signer" -n apimguard-evidence "$out/manifest.json" 2>/dev/null
cp "$out/manifest.json" "$tmp/m.json"
ssh-keygen -q -Y sign -f "$tmp/signer" -n file "$tmp/m.json" 2>/dev/null
mv "$tmp/m.json.sig" "$out/manifest.json.file-ns.sig"
# Check with OpenSSH itself that the fixture verifies.
ssh-keygen -Y verify -f "$out/allowed_signers" -I auditor@contoso.com -n apimguard-evidence \
  -s "$out/manifest.json.sig" < "$out/manifest.json"
python3 scripts/minisign_fixture.py "$out"
