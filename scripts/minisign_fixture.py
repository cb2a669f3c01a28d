#!/usr/bin/env python3
"""Writes minisign.pub, manifest.json.minisig (prehashed, "ED") and
manifest.json.legacy.minisig ("Ed") for DIR/manifest.json with a fresh Ed25519 key, in
minisign's format (https://jedisct1.github.io/minisign/): used by
scripts/make_signature_fixtures.sh.

usage: minisign_fixture.py DIR
"""
import base64, hashlib, os, sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

out = sys.argv[1]
key = Ed25519PrivateKey.generate()
public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
key_id = os.urandom(8)
b64 = lambda b: base64.b64encode(b).decode()
with open(os.path.join(out, "minisign.pub"), "w") as f:
    f.write(f"untrusted comment: minisign public key {key_id[::-1].hex().upper()}\n{b64(b'Ed' + key_id + public)}\n")
message = open(os.path.join(out, "manifest.json"), "rb").read()
trusted = "apimguard test fixture"
for name, algorithm, signed in [("manifest.json.minisig", b"ED", hashlib.blake2b(message).digest()),
                                ("manifest.json.legacy.minisig", b"Ed", message)]:
    signature = key.sign(signed)
    global_signature = key.sign(signature + trusted.encode())
    with open(os.path.join(out, name), "w") as f:
        f.write(f"untrusted comment: signature from apimguard fixture key\n{b64(algorithm + key_id + signature)}\n"
                f"trusted comment: {trusted}\n{b64(global_signature)}\n")
