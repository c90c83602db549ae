"""Verifies a Stint skill credential as an outside verifier would, with jwcrypto.

Reads the credential (a VC-JWT) on stdin; resolves the issuer's did:web document from the
`kid` in its header, checks the EdDSA signature with the key the document publishes, then
fetches the Bitstring Status List credential its `credentialStatus` names, checks that
signature too, and reads the credential's bit. Prints one JSON line:
{"signature": "valid", "revoked": false, "name": ..., "issuer": ..., "types": [...]}, or
{"signature": "invalid", "error": ...}. did:web is https by definition; the test server on the
loopback address is reached over http.
"""
import base64
import gzip
import json
import sys
import urllib.parse
import urllib.request

from jwcrypto import jwk, jws


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def resolve(did):
    parts = did.split(":")
    if parts[:2] != ["did", "web"]:
        raise ValueError("not a did:web issuer: " + did)
    host = urllib.parse.unquote(parts[2])
    scheme = "http" if host.split(":")[0] in ("127.0.0.1", "localhost") else "https"
    path = "/".join(parts[3:])
    url = f"{scheme}://{host}/{path}/did.json" if path else f"{scheme}://{host}/.well-known/did.json"
    return json.loads(fetch(url))


def check(token):
    """The header and payload of a JWS whose signature the issuer's document vouches for."""
    header = json.loads(b64d(token.split(".")[0]))
    kid = header["kid"]
    doc = resolve(kid.split("#")[0])
    method = next(m for m in doc["verificationMethod"] if m["id"] == kid)
    if kid not in doc.get("assertionMethod", []):
        raise ValueError("the key is not for assertions")
    key = jwk.JWK(**method["publicKeyJwk"])
    signed = jws.JWS()
    signed.allowed_algs = ["EdDSA"]
    signed.deserialize(token)
    signed.verify(key, alg="EdDSA")
    return header, json.loads(signed.payload)


def main():
    token = sys.stdin.read().strip()
    try:
        header, vc = check(token)
    except Exception as e:  # any failure to verify is the verdict, not a crash
        print(json.dumps({"signature": "invalid", "error": f"{type(e).__name__}: {e}"}))
        return
    assert header["typ"] == "vc+jwt", header
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    _, status_vc = check(fetch(status["statusListCredential"]).decode())
    assert status_vc["issuer"] == vc["issuer"]["id"], (status_vc["issuer"], vc["issuer"])
    assert "BitstringStatusListCredential" in status_vc["type"]
    encoded = status_vc["credentialSubject"]["encodedList"]
    assert encoded.startswith("u"), "multibase base64url"
    bits = gzip.decompress(b64d(encoded[1:]))
    index = int(status["statusListIndex"])
    revoked = bool(bits[index // 8] & (0x80 >> (index % 8)))
    print(json.dumps({"signature": "valid", "revoked": revoked, "name": vc["name"],
                      "issuer": vc["issuer"]["id"], "types": vc["type"], "bits": len(bits) * 8}))


main()
