"""Schemathesis over the OpenAPI description of ``hvo serve``, with a valid token, against a real
server over SQLite and PostgreSQL: no 5xx, no status code or body the description does not
declare. Kept short (few examples per operation) so the suite stays fast."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hvo_tui.api.app import create_app  # noqa: E402
from tests.conftest import FROZEN_NOW  # noqa: E402

FUZZER = "fuzz"
EXAMPLES = 8

# The description is static: load it from the application itself, without a server. The event
# stream never ends (it is tested in test_api.py).
schema = schemathesis.openapi.from_dict(create_app(None).openapi()).exclude(
    path_regex=r".*/events$"
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzz_server(request, tmp_path_factory):
    """A server over demo-sized test data, and an account that may do much (procesmanager,
    bestuurder and beheerder in every region), so the fuzzer gets past the refusals."""
    from hvo_tui.domain.localtime import FrozenClock
    from store.db import make_engine, open_database
    from tests.api_fixtures import ApiServer, grant_all_regions
    from tests.conftest import PG_URL, require_postgres
    from tests.factories import account_id, add_partner
    from tests.queue_data import seed_queue

    schema_name = admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'hvo.db'}"
    else:
        require_postgres()
        url, schema_name = PG_URL, f"hvo_t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema_name}"')
    engine = open_database(url, auto_upgrade=True, schema=schema_name)
    with engine.begin() as conn:
        ids = seed_queue(conn)
        account_id(conn, FUZZER, "Fuzz Tester", role="procesmanager", organisation="hvo fuzz")
        for role in ("bestuurder", "beheerder"):
            conn.exec_driver_sql(
                "insert into account_role (account_id, role) "
                "select id, ? from account where username = ?"
                if request.param == "sqlite"
                else "insert into account_role (account_id, role) "
                "select id, %s from account where username = %s",
                (role, FUZZER),
            )
        add_partner(conn, ids["soon"], "politie", "paul", "Paul Politie")
    grant_all_regions(engine, FUZZER)
    server = ApiServer(engine, clock=FrozenClock(FROZEN_NOW))
    try:
        yield server
    finally:
        server.stop()
        engine.dispose()
        if schema_name:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
            admin.dispose()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_no_server_errors_and_every_response_fits_the_description(case, fuzz_server):
    token = fuzz_server.token_for(FUZZER)  # a fresh one each time: logout may revoke it
    case.call_and_validate(
        base_url=fuzz_server.url,
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
