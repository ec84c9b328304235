"""The OpenAPI document is true to the responses: schemathesis generates requests
from /api/openapi.json and checks every answer (never a 5xx; status code, content
type and body as documented), against a throwaway store, logged in as an officer.

Excluded: the multipart uploads (`POST /api/imports`, `POST .../documents`), whose
generated bodies are not files, and the workshop PDF (slow to render); they are
attacked by hand in tests/test_hostile_requests.py.
"""

from __future__ import annotations

import itertools
import time

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import AuthActions

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXCLUDED = {
    ("POST", "/api/imports"),
    ("POST", "/api/cases/{case_id}/documents"),
}
EXAMPLES = 15  # per operation and mode: the whole module stays within about a minute


def _describe(exc) -> str:
    parts = getattr(exc, "exceptions", None) or [exc]
    return "; ".join(f"{type(e).__name__}: {str(e)[:400]}" for e in parts)


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in EXCLUDED:
            yield operation


def test_every_operation_answers_as_documented(writable_app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", writable_app)
    headers = AuthActions(None).basic("officer")
    failures: list[str] = []
    tried: list[str] = []
    calls = [0]
    started = time.monotonic()
    for operation, mode in itertools.product(_operations(schema), GenerationMode):
        label = f"{operation.method.upper()} {operation.path} ({mode.value})"
        tried.append(label)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            calls[0] += 1
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{label}: {_describe(exc)}")  # noqa: B023 (run at once)

        try:
            run()
        except Unsatisfiable:  # nothing to get wrong: no parameters and no body
            assert mode is GenerationMode.NEGATIVE, label
    elapsed = time.monotonic() - started
    print(f"{len(tried)} operations, {calls[0]} requests, {elapsed:.1f} s")
    assert len(tried) >= 20, tried
    assert not failures, "\n\n".join(failures[:10])
    assert elapsed < 120, f"{elapsed:.0f} s"
