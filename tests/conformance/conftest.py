"""A fresh server and cast per scenario; evidence for `amityvox parity` at the end of the run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conformance.cast import Cast, assemble
from tests.conformance.harness import write_evidence
from tests.conftest import _serve, make_settings


@pytest.fixture
async def cast(tmp_path: Path) -> AsyncIterator[Cast]:
    async for server in _serve(make_settings(tmp_path)):
        c = await assemble(server)
        try:
            yield c
        finally:
            await c.close()


@pytest.fixture(scope="session", autouse=True)
def _evidence() -> Iterator[None]:
    yield
    write_evidence()
