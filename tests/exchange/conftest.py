"""The exchange's HTTP tests reuse the gateway suite's full stack (anvil, a governed
cooperative, the indexer, uvicorn): the same session fixtures, not a copy of them; and the
indexer suite's fresh SQLite / PostgreSQL databases for the rules."""

from __future__ import annotations

from tests.api.conftest import api, api_schema, schema_objects
from tests.indexer.conftest import db_factory

__all__ = ["api", "api_schema", "db_factory", "schema_objects"]
