"""The API against its own OpenAPI schema, with cases schemathesis generates from it.

Every generated request — valid or not — must be answered without a 500, with a status the
schema lists, and with a body and headers that match it. (Driven through hypothesis
directly: schemathesis' own pytest fixture loader does not run on this pytest.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from content import consumers
from kms.wsgi import application
from search import indexing

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema", application)
# Every case is sent with a valid key (below), so a case whose only fault were a missing
# Authorization header would arrive valid and be "accepted negative data". Keys have tests
# of their own (test_keys): here the generator leaves the security header alone.
SCHEMA.config.generation.update(with_security_parameters=False)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def api_key(kb: dict, issue: Callable[..., str]) -> str:
    # As in any deployment past its first `kms_reindex`: the search index exists, so the
    # search endpoints answer rather than say 503 (that case has a test of its own).
    consumers.drain(indexing.NAME)
    return issue(internal=True)


@pytest.fixture(autouse=True)
def one_connection() -> Iterator[None]:
    """As Django's own test client does: schemathesis calls the WSGI application, whose
    request signals would close the test's database connection (and its transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_answer_matches_the_schema(operation: object, api_key: str) -> None:
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers_as_described(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {api_key}"},
            # A schema-valid value may still name nothing (a branch code no branch has):
            # that is a 400 by design, so "every valid request is accepted" cannot hold.
            excluded_checks=[positive_data_acceptance],
        )

    answers_as_described()
