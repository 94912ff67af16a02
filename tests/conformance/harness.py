"""Run one scenario against the cast and judge it the way the parity report does.

A scenario performs one action through the public API and names the event it must cause
and the exact set of sessions allowed to receive it. The harness checks delivery (no
session missing, none extra), the payload against the catalog, that every receiving
client handled it, and that every client's cache still equals a fresh REST fetch.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amityvox.client.state import State
from amityvox.events import catalog
from tests.conformance.cast import Cast
from tests.filelock import locked

EVIDENCE = Path(__file__).resolve().parents[2] / "build" / "parity-evidence.json"
# The workers of one parallel run share this id (pytest-xdist sets it); a serial run has its own.
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or secrets.token_hex(8)
_results: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True)
class Scenario:
    event: str
    act: Callable[[Cast], Awaitable[Any]]
    audience: Callable[[Cast], set[str]]
    label: str = ""
    channels: Callable[[Cast], Iterable[str]] = lambda c: (c.general, c.secret, c.dm)

    @property
    def id(self) -> str:
        return f"{self.event}{'-' + self.label if self.label else ''}"


async def exercise(cast: Cast, scenario: Scenario, *, record: bool = True) -> dict[str, Any]:
    """Perform the scenario, record its evidence (unless `record` is false), and return it."""
    name = scenario.event
    errors_before = {k: len(c.gateway.errors) for k, c in cast.clients.items()}
    cast.mark()
    await scenario.act(cast)
    expected = scenario.audience(cast)
    await cast.settle()
    received = {k for k, log in cast.seen.items() if any(n == name for n, _ in log)}
    if not expected <= received:
        # Only events a timer publishes (expiries) can still be on their way.
        await cast.until(lambda: all(any(n == name for n, _ in cast.seen.get(k, ())) for k in expected), timeout=5)
        await cast.settle()
    received = {k for k, log in cast.seen.items() if any(n == name for n, _ in log)}
    invalid = []
    for k in received:
        for n, d in cast.seen[k]:
            if n == name:
                try:
                    catalog.validate(name, d)
                except ValueError as exc:
                    invalid.append(f"{k}: {exc}")
    unhandled = [k for k in received if len(cast.clients[k].gateway.errors) > errors_before.get(k, 0)]
    channels = list(scenario.channels(cast))

    async def check(key: str) -> str | None:
        try:
            await cast.clients[key].converged(channels)
        except AssertionError as exc:
            return f"{key}: {exc}"
        return None

    divergence = [d for d in await asyncio.gather(*(check(k) for k in cast.clients)) if d]
    result = {
        "triggered": True,
        "expected": sorted(expected),
        "received": sorted(received),
        "missing": sorted(expected - received),
        "leaked": sorted(received - expected),
        "delivered": expected <= received,
        "payload_valid": not invalid,
        "python_handled": name in State.handlers and not unhandled,
        "converged": not divergence,
        "detail": "; ".join(invalid + [f"{k}: handler failed" for k in unhandled] + divergence)[:2000],
        "scenarios": [scenario.id],
    }
    if record:
        _merge(name, result)
    return result


def _merge(name: str, result: dict[str, Any], into: dict[str, Any] | None = None) -> None:
    """Several scenarios may cover one event: it is only as good as the worst of them."""
    results = _results if into is None else into
    previous = results.get(name)
    if previous is None:
        results[name] = result
        return
    for flag in ("delivered", "payload_valid", "python_handled", "converged", "triggered"):
        previous[flag] = previous[flag] and result[flag]
    for listed in ("missing", "leaked", "scenarios"):
        previous[listed] = sorted(set(previous[listed]) | set(result[listed]))
    previous["detail"] = "; ".join(x for x in (previous["detail"], result["detail"]) if x)[:2000]


def write_evidence() -> None:
    """Merge this run's results into build/parity-evidence.json (a partial run keeps the rest).

    Parallel workers of one run (same RUN id) combine their results for an event; a later
    run replaces what an earlier one said about it."""
    if not _results:
        return
    with locked(EVIDENCE):
        data: dict[str, Any] = {"events": {}}
        if EVIDENCE.exists():
            data = json.loads(EVIDENCE.read_text())
        events = data.setdefault("events", {})
        for name, result in _results.items():
            result = {**result, "run": RUN}
            if events.get(name, {}).get("run") == RUN:
                _merge(name, result, into=events)
            else:
                events[name] = result
        data["source"] = "tests/conformance"
        partial = EVIDENCE.with_suffix(".tmp")  # readers never see half a file
        partial.write_text(json.dumps(data, indent=2, sort_keys=True))
        partial.replace(EVIDENCE)


def verdict(result: dict[str, Any]) -> str:
    """The failure message a test shows, or '' when the scenario is OK."""
    problems = []
    if result["missing"]:
        problems.append(f"not delivered to {result['missing']}")
    if result["leaked"]:
        problems.append(f"leaked to {result['leaked']}")
    if not result["payload_valid"] or not result["python_handled"] or not result["converged"]:
        problems.append(result["detail"] or "not handled")
    return "; ".join(problems)
