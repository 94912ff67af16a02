"""A fresh server and cast per scenario; evidence for `amityvox parity` at the end of the run.

Each worker populates the cast once (people, guild, roles, channels, ban, friendship, DM)
through the API, keeps that SQLite database as a template, and starts every scenario's
server on a copy of it: the scenario still gets its own server, database and sessions.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from amityvox.bus.memory import MemoryBus
from tests.conformance.cast import Cast, blueprint, join, populate, restore
from tests.conformance.harness import write_evidence
from tests.conftest import _serve, make_settings

_TEMPLATE: dict[str, Any] = {}  # this worker's populated database: "dir" and the cast's "plan"


async def _template() -> tuple[Path, dict[str, Any]]:
    if not _TEMPLATE:
        settings = make_settings(Path(tempfile.mkdtemp(prefix="amityvox-cast-")))
        async for server in _serve(settings):
            cast = Cast(url=server.url, server=server)
            await populate(cast)
            await server.settle()
            bus = server.ctx.bus
            assert isinstance(bus, MemoryBus)
            # Every worker has handled the set-up's events: a copy replays none of them.
            await bus.checkpoint(settle=0)
            plan = blueprint(cast)
            await cast.close()
        _TEMPLATE.update(dir=Path(settings.data_dir), plan=plan)
    return _TEMPLATE["dir"], _TEMPLATE["plan"]


@pytest.fixture
async def cast(tmp_path: Path) -> AsyncIterator[Cast]:
    source, plan = await _template()
    settings = make_settings(tmp_path)
    shutil.copytree(source, settings.data_dir)
    async for server in _serve(settings):
        c = await join(restore(server, plan))
        try:
            yield c
        finally:
            await c.close()


@pytest.fixture(scope="session", autouse=True)
def _evidence() -> Iterator[None]:
    yield
    write_evidence()
    if _TEMPLATE:
        shutil.rmtree(_TEMPLATE["dir"].parent, ignore_errors=True)
