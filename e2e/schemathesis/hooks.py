"""Schemathesis hooks for e2e/schemathesis/run.sh.

`Idempotency-Key` means "the same key is the same request": a client that sends one key with two different requests
is refused (422 `idempotency_key_reused`, as the IETF draft on the header says). No schema can say "unique per
request", so schemathesis draws keys such as `0` again and again for different bodies. A well-formed key drawn for a
request is replaced here by one derived from the request itself (method, path, query and body), which is what a
correct client does; a malformed key (a negative test of the header) is left as drawn, so the server's 400 for it is
still tested. The replacement is deterministic, so a run stays reproducible.

Likewise the optional `sha256` part of an upload is "the SHA-256 of the file as the client has it" (a mismatch is
refused with 422): a well-formed `sha256` drawn beside a `file` is replaced by the file's real hash.
"""

import hashlib
import json
import re

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def _fingerprint(case) -> str:
    try:
        body = json.dumps(case.body, sort_keys=True, default=repr)
    except Exception:  # noqa: BLE001 - a body that does not serialise is fingerprinted by its text
        body = repr(case.body)
    query = json.dumps(case.query or {}, sort_keys=True, default=repr)
    path = json.dumps(case.path_parameters or {}, sort_keys=True, default=repr)
    text = "\n".join((case.method.upper(), case.path, path, query, body))
    return "st-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _tests_missing_authorization(case) -> bool:
    """Whether the case is the coverage phase's request without `Authorization`.

    Changing such a case makes schemathesis revalidate it, find nothing wrong in the declared parameters and send it
    as a positive case, with the `Authorization` header put back; so it is left untouched (the server answers 401
    before it reads the key anyway).
    """
    data = getattr(getattr(case, "meta", None), "phase", None)
    data = getattr(data, "data", None)
    location = str(getattr(data, "parameter_location", "") or "").lower()
    parameter = str(getattr(data, "parameter", "") or "").lower()
    return location.endswith("header") and parameter == "authorization"


@schemathesis.hook
def before_call(context, case, kwargs):
    if _tests_missing_authorization(case):
        return
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("sha256"), str) and SHA256.match(body["sha256"]):
        file = body.get("file")
        # Schemathesis carries generated files as `Binary`, a `str` subclass holding the bytes in `.data`.
        file = getattr(file, "data", file)
        if isinstance(file, str):
            file = file.encode("utf-8", "surrogatepass")
        if isinstance(file, (bytes, bytearray)):
            body["sha256"] = hashlib.sha256(file).hexdigest()
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key":
            value = headers[name]
            if isinstance(value, str) and WELL_FORMED.match(value.strip()):
                headers[name] = _fingerprint(case)
    # Both changes keep a valid value valid, so the case keeps the mode it was generated in. Without this,
    # schemathesis would revalidate the changed case against the schema, where a generated file reads as an empty
    # string, and could relabel it (schemathesis 4.32; the version run.sh pins).
    sync = getattr(case, "_sync_validated_hashes", None)
    if callable(sync):
        sync()
