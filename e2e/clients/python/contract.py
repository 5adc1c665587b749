"""Checks every answer the generated client receives against the committed OpenAPI document.

Generated clients do not validate at run time, so this hooks into the httpx client the generated code uses: each
response is matched to its operation (method and path template), and then
  * its status must be one the operation declares (or a declared `default` / `4XX` range);
  * its media type must be one declared for that status (a declared response without content must have no body);
  * a JSON body (`application/json`, `*+json`) must validate against the declared schema (JSON Schema 2020-12,
    `$ref`s into `#/components/schemas` resolved in the document itself, formats checked);
  * any other body is, in OpenAPI 3.1 terms, a string (of bytes): the declared schema must accept a string.
A mismatch raises `ContractViolation` out of the generated call that received the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOC_URI = "urn:muamalat:openapi.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class ContractViolation(AssertionError):
    pass


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _media_essence(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _media_matches(declared: str, actual: str) -> bool:
    declared = declared.lower()
    if declared == "*/*":
        return True
    if declared.endswith("/*"):
        return actual.split("/")[0] == declared.split("/")[0]
    return declared == actual


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _int_format(bits: int):
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def check(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return True  # formats only apply to their own type
        return lo <= value <= hi

    return check


@dataclass
class Contract:
    path: Path
    doc: dict[str, Any] = field(init=False)
    checked: int = field(init=False, default=0)
    seen_operations: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.doc = json.loads(self.path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(DOC_URI, resource)
        checker = jsonschema.FormatChecker()
        checker.checks("int32")(_int_format(32))
        checker.checks("int64")(_int_format(64))
        self.format_checker = checker
        # Path templates to regular expressions; literal paths win over templated ones.
        self.routes: list[tuple[int, re.Pattern[str], str]] = []
        for template in self.doc["paths"]:
            params = template.count("{")
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self.routes.append((params, re.compile(pattern), template))
        self.routes.sort(key=lambda r: r[0])

    # -- validation -------------------------------------------------------------------------------------------

    def validator(self, pointer: str) -> jsonschema.Draft202012Validator:
        return jsonschema.Draft202012Validator(
            {"$ref": f"{DOC_URI}#{pointer}"}, registry=self.registry, format_checker=self.format_checker
        )

    def errors(self, pointer: str, instance: Any) -> list[str]:
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in sorted(self.validator(pointer).iter_errors(instance), key=lambda e: list(e.absolute_path))
        ][:10]

    def schema_pointer(self, name: str) -> str:
        return f"/components/schemas/{_escape(name)}"

    def operation(self, method: str, url_path: str) -> tuple[str, dict[str, Any]]:
        for _, pattern, template in self.routes:
            if pattern.match(url_path) and method in self.doc["paths"][template]:
                return template, self.doc["paths"][template][method]
        raise ContractViolation(f"{method.upper()} {url_path}: no such operation in the document")

    def check(self, response: httpx.Response) -> None:
        """Raise `ContractViolation` unless the answer is one the document declares."""
        response.read()
        method = response.request.method.lower()
        template, op = self.operation(method, response.request.url.path)
        where = f"{method.upper()} {template} ({op.get('operationId')}) answered {response.status_code}"
        self.seen_operations.add(op.get("operationId", template))
        responses = op.get("responses", {})
        status = str(response.status_code)
        key = next((k for k in (status, status[0] + "XX", "default") if k in responses), None)
        if key is None:
            raise ContractViolation(
                f"{where}: status not declared (declared: {', '.join(responses)}); body: {response.text[:500]}"
            )
        declared = responses[key]
        if "$ref" in declared:
            raise ContractViolation(f"{where}: response $ref not supported by this checker")
        content = declared.get("content") or {}
        media = _media_essence(response.headers.get("content-type"))
        if not content:
            if response.content:
                raise ContractViolation(f"{where}: the document declares no body, got {media or 'bytes'}")
            self.checked += 1
            return
        matching = [m for m in content if _media_matches(m, media)]
        if not matching:
            declared_types = ", ".join(content)
            raise ContractViolation(
                f"{where}: media type {media or '(none)'} not declared (declared: {declared_types})"
            )
        declared_media = sorted(matching, key=lambda m: m.count("*"))[0]
        if "schema" not in content[declared_media]:
            self.checked += 1
            return
        pointer = (
            f"/paths/{_escape(template)}/{method}/responses/{_escape(key)}/content/{_escape(declared_media)}/schema"
        )
        if _is_json(media):
            try:
                body: Any = response.json()
            except ValueError as e:
                raise ContractViolation(f"{where}: {media} body is not JSON ({e}): {response.text[:200]}") from e
        else:
            # OpenAPI 3.1: a non-JSON body is a string of bytes (latin-1 maps each byte to one character).
            body = response.content.decode("latin-1")
        problems = self.errors(pointer, body)
        if problems:
            shown = json.dumps(body, ensure_ascii=False)[:800] if _is_json(media) else f"<{len(response.content)} B>"
            raise ContractViolation(
                f"{where}: body does not match the declared schema ({declared_media}):\n  "
                + "\n  ".join(problems)
                + f"\n  body: {shown}"
            )
        self.checked += 1

    def self_test(self) -> None:
        """The checker is not vacuous: known-bad bodies are refused, a known-good one passes."""
        bad_referral = {"id": "seven"}
        if not self.errors(self.schema_pointer("Referral"), bad_referral):
            raise ContractViolation("self-test: a Referral with a string id validated")
        if not self.errors(
            self.schema_pointer("Problem"),
            {"type": "x", "title": "t", "status": 409, "detail": "d", "code": "no_such_code_at_all"},
        ):
            raise ContractViolation("self-test: a Problem with an unknown code validated")
        bad_time = {"id": 1, "kind": "registered", "at": "yesterday", "actor": {}, "actor_unit": {}, "details": {}}
        if not any("date-time" in e for e in self.errors(self.schema_pointer("Event"), bad_time)):
            raise ContractViolation("self-test: a date-time format was not checked")
