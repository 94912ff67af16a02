"""Builds the parity report from the catalog, the client handler registries and test evidence.

Per event: does the gateway have a route (a declared audience), did a real end-to-end run
deliver it to exactly the expected sessions, do the Python and web clients handle it, and
did the clients' state converge with a fresh fetch. Without evidence the report says what it
could not verify rather than guessing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from amityvox.events import CATALOG
from amityvox.events.types import EventType, Scope
from amityvox.parity.pending import PENDING

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
WEB_EVIDENCE = Path("build") / "web-evidence.json"
FAILING = ("MISSING", "DEAD", "LEAK", "DIVERGED", "UNVERIFIED")


@dataclass
class Row:
    number: int
    name: str
    subject: str
    seed_subject: str | None
    audience: str
    dispatches: str
    python: str
    web: str
    converges: str
    status: str
    seed_status: str | None
    seed_gap: str | None
    why: str


_JS_HANDLER = re.compile(r"^\s{2}([A-Z][A-Z0-9_]+)\s*(?:\(|:)", re.MULTILINE)


def web_handlers(web_dir: Path = WEB_DIR, evidence: Path = WEB_EVIDENCE) -> set[str] | None:
    """Catalog names the web client handles: in its handler table and, once its own test run has
    written evidence, applied during that run. None when the web client is absent."""
    table = web_dir / "js" / "handlers.js"
    if not table.exists():
        return None
    names = set(_JS_HANDLER.findall(table.read_text(encoding="utf-8")))
    if evidence.exists():
        names &= set(json.loads(evidence.read_text(encoding="utf-8")).get("handled", ()))
    return names


def load_evidence(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _yes(flag: bool | None) -> str:
    return "?" if flag is None else ("Yes" if flag else "**No**")


def _row(n: int, e: EventType, py: set[str] | None, web: set[str] | None, ev: dict[str, Any] | None) -> Row:
    scope = e.audience.scope
    base: dict[str, Any] = {
        "number": n,
        "name": e.name,
        "subject": e.subject,
        "seed_subject": e.seed_subject,
        "audience": scope.value,
        "seed_status": e.seed_status,
        "seed_gap": e.seed_gap,
    }
    if scope is Scope.INTERNAL:
        return Row(
            **base,
            dispatches="N/A (internal)",
            python="N/A",
            web="N/A",
            converges="N/A",
            status="INTERNAL",
            why="never sent to clients",
        )
    py_ok = None if py is None else e.name in py
    web_ok = None if web is None else e.name in web
    found = (ev or {}).get("events", {}).get(e.name)
    if scope is Scope.LOCAL:
        dispatches = "N/A (client-local)"
    elif found is None:
        dispatches = "route declared" + (" (not exercised)" if ev is not None else "")
    else:
        dispatches = "Yes" if found.get("delivered") and not found.get("leaked") else "**No**"
    converges = "?" if found is None else _yes(found.get("converged"))
    status, why = _status(e, py_ok, web_ok, found, ev is not None)
    return Row(
        **base, dispatches=dispatches, python=_yes(py_ok), web=_yes(web_ok), converges=converges, status=status, why=why
    )


def _status(
    e: EventType, py_ok: bool | None, web_ok: bool | None, found: dict[str, Any] | None, have_evidence: bool
) -> tuple[str, str]:
    if py_ok is False:
        return "MISSING", "the Python client has no handler"
    if web_ok is False:
        return "MISSING", "the web client has no handler"
    if e.audience.scope is Scope.LOCAL:
        if py_ok and web_ok is not False:
            return "OK", "client-local; handled"
        return "UNVERIFIED", "client handler registry not available"
    if found is None:
        if e.name in PENDING:
            return "PENDING", "feature not built yet"
        if not have_evidence:
            return "UNVERIFIED", "no evidence file: run the conformance suite"
        return "UNVERIFIED", "no conformance scenario exercised it"
    if found.get("leaked"):
        return "LEAK", "reached sessions outside its audience: " + ", ".join(found["leaked"])
    if not found.get("triggered") or not found.get("delivered"):
        return "DEAD", "missed expected sessions: " + ", ".join(found.get("missing") or ["(not triggered)"])
    if found.get("converged") is False:
        return "DIVERGED", found.get("detail") or "client state differs from a fresh fetch"
    if py_ok is None:
        return "UNVERIFIED", "Python client registry not available"
    return "OK", "delivered exactly, handled, converged"


def build_rows(evidence: dict[str, Any] | None, py: set[str] | None, web_evidence: Path = WEB_EVIDENCE) -> list[Row]:
    """One row per catalog event. `py`: the names the Python client's State handles (given by
    the caller, so the report does not depend on the client package), None when it is absent;
    `web_evidence`: what the web client's test run applied (see `web_handlers`)."""
    web = web_handlers(evidence=web_evidence)
    return [_row(i, e, py, web, evidence) for i, e in enumerate(CATALOG.values(), start=1)]


def summary(rows: list[Row]) -> dict[str, int]:
    return dict(Counter(r.status for r in rows))


def render(rows: list[Row], fmt: str = "md", evidence_note: str = "") -> str:
    if fmt == "json":
        return json.dumps({"summary": summary(rows), "rows": [asdict(r) for r in rows]}, indent=2)
    if fmt == "html":
        return _html(rows, evidence_note)
    return _markdown(rows, evidence_note)


def _cell(v: str | None) -> str:
    return f"`{v}`" if v else "--"


def _markdown(rows: list[Row], evidence_note: str) -> str:
    counts = summary(rows)
    out = [
        "# WebSocket Event Parity Report",
        "",
        f"*Generated by `amityvox parity` from the event catalog{evidence_note}*",
        "",
        "## Summary",
        "",
        f"- Event types in the catalog: **{len(rows)}**",
    ]
    out += [f"- {status}: **{n}**" for status, n in sorted(counts.items())]
    out += [
        "",
        "## Event coverage",
        "",
        "| # | Event | Subject | Original subject | Gateway dispatches? | Python client handles? "
        "| Web client handles? | Store converges? | Status | Original status |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        status = r.status if r.status in ("OK", "INTERNAL") else f"**{r.status}**"
        out.append(
            f"| {r.number} | `{r.name}` | `{r.subject}` | {_cell(r.seed_subject)} | {r.dispatches} | {r.python} "
            f"| {r.web} | {r.converges} | {status} | {r.seed_status or '--'} |"
        )
    gaps = [r for r in rows if r.status not in ("OK", "INTERNAL")]
    out += ["", "## Gaps", ""]
    if not gaps:
        out.append("None: every event is delivered exactly, handled and converges.")
    by_status: dict[str, list[Row]] = {}
    for r in gaps:
        by_status.setdefault(r.status, []).append(r)
    for status, items in sorted(by_status.items()):
        out += [f"### {status} ({len(items)})", "", "| Event | Original gap | Why |", "|---|---|---|"]
        out += [f"| `{r.name}` | {r.seed_gap or '--'} | {r.why} |" for r in items]
        out.append("")
    return "\n".join(out) + "\n"


def _html(rows: list[Row], evidence_note: str) -> str:
    import html

    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v) if v is not None else '--')}</td>"
            for v in (
                r.number,
                r.name,
                r.subject,
                r.seed_subject,
                r.dispatches,
                r.python,
                r.web,
                r.converges,
                r.status,
                r.seed_status,
            )
        )
        + "</tr>"
        for r in rows
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "#",
            "Event",
            "Subject",
            "Original subject",
            "Gateway dispatches?",
            "Python client",
            "Web client",
            "Converges?",
            "Status",
            "Original",
        )
    )
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(summary(rows).items()))
    return (
        "<!doctype html><meta charset=utf-8><title>AmityVox parity</title>"
        "<style>body{font:14px system-ui;background:#1e1f22;color:#dbdee1}td,th{padding:2px 8px;"
        "border-bottom:1px solid #333}</style>"
        f"<h1>WebSocket Event Parity Report</h1><p>{html.escape(counts)}{html.escape(evidence_note)}</p>"
        f"<table><tr>{head}</tr>{body}</table>"
    )


def failures(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.status in FAILING]
