"""The HTTP API of the store (issue 7): ``hvo serve``; the TUI's ``hvo --api URL`` talks to it.

Every store operation is a JSON endpoint under ``/api/v1`` with an OpenAPI description
(``/api/v1/openapi.json``, browsable at ``/api/v1/docs``). Every rule is enforced on the server,
by the same SQL store the TUI uses on a database; the API itself writes no SQL.

The package, from the bottom up (a module imports only what stands above it in this list):

* ``schemas``: the request and response models and the input types (Dutch validation);
* ``errors``: store errors and invalid requests as HTTP answers (409, 403, 404, 422, 503, 401);
* ``sessions``: bearer tokens, kept in the database (``store.api_sessions``);
* ``broadcaster``: the database's change feed fanned out to every event stream (SSE);
* ``state``: what every request shares (engine, sessions, change feed, row cache);
* ``deps``: the dependencies of the endpoints (the request's session and store, roles) and the
  helpers they share (``ok``, the idempotency key);
* ``routers/``: the endpoints, one module per area;
* ``app``: the application factory ``create_app``; only ``hvo serve`` and the tests import it;
* ``protocol``: the HTTP protocol ``hvo serve`` gives uvicorn.
"""
