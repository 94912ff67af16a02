"""The `amityvox` command: serve, migrate, admin tasks, and catalog introspection."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from amityvox import cli_admin, config


def _settings(args: argparse.Namespace) -> config.Settings:
    settings = config.load(getattr(args, "config", None))
    return settings.with_overrides(
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        data_dir=getattr(args, "data_dir", None),
        database_url=getattr(args, "database", None),
        bus_url=getattr(args, "bus", None),
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    from amityvox.app import build_app
    from amityvox.serving import server_for

    settings = _settings(args)
    if getattr(args, "role", "all") != "all" and settings.bus_url.startswith("memory://"):
        print(
            "configuration error: separate api and gateway processes need a shared bus: --bus nats://…", file=sys.stderr
        )
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    role = getattr(args, "role", "all")
    app = build_app(settings, role=role)
    # Everything built so far (modules, routes, models) lives as long as the process: taken out
    # of the collector's view, a full collection no longer pauses every connection to walk it.
    gc.freeze()
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    what = {"all": "open", "api": "REST API at", "gateway": "gateway at"}[role]
    path = "/ws" if role == "gateway" else "/"
    logging.getLogger("amityvox").info(
        "AmityVox (%s) is starting: %s http://%s:%d%s (database: %s, bus: %s)",
        role,
        what,
        host,
        settings.port,
        path,
        settings.resolved_database_url.split("://", 1)[0],
        settings.bus_url,
    )
    # uvicorn installs SIGINT/SIGTERM handlers, runs the app's shutdown, then raises the signal
    # again; the shutdown is complete by then, so Ctrl+C ends quietly.
    with contextlib.suppress(KeyboardInterrupt):
        server_for(app, settings).run()
    return 0


async def _with_db(settings: config.Settings, action: Any) -> Any:
    from amityvox.bus.memory import MemoryBus
    from amityvox.context import Context
    from amityvox.db.engine import Database

    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        return await action(Context(settings=settings, db=db, bus=MemoryBus()))
    finally:
        await db.close()


def _cmd_migrate(args: argparse.Namespace) -> int:
    from amityvox.services import search

    settings = _settings(args)
    # The search index's language is a setting, not a migration: bring it in line here too.
    asyncio.run(_with_db(settings, search.ensure_language))
    print(f"database is up to date ({settings.resolved_database_url.split('://', 1)[0]})")
    return 0


def _cmd_events(args: argparse.Namespace) -> int:
    from amityvox.events import CATALOG

    if args.asyncapi:
        from amityvox.events.asyncapi import document

        print(json.dumps(document(), indent=2))
        return 0
    if args.format == "md":
        from amityvox.events import markdown

        if args.write is None:
            print(markdown.tables(), end="")
            return 0
        changed = markdown.write(Path(args.write))
        print(f"{args.write}: events table {'updated' if changed else 'already up to date'}")
        return 0
    if args.write is not None:
        print("--write needs --format md", file=sys.stderr)
        return 2
    rows = [
        {
            "name": e.name,
            "subject": e.subject,
            "seed_subject": e.seed_subject,
            "audience": e.audience.scope.value,
            "category": e.category,
        }
        for e in CATALOG.values()
    ]
    if args.json or args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    widths = [max(len(str(r[k] or "-")) for r in rows) for k in rows[0]]
    for r in rows:
        print("  ".join(str(v or "-").ljust(w) for v, w in zip(r.values(), widths, strict=True)))
    print(f"{len(rows)} events")
    return 0


def _python_handlers() -> set[str] | None:
    """Catalog names the Python client's State handles; None if the SDK is not installed."""
    try:
        from amityvox.client.state import State
    except ImportError:
        return None
    return set(State.handlers)


def _cmd_parity(args: argparse.Namespace) -> int:
    from pathlib import Path

    from amityvox.parity.report import build_rows, failures, load_evidence, render

    path = Path(args.evidence)
    evidence = load_evidence(path)
    note = f" and {path}" if evidence is not None else f"; no evidence at {path}: run `python3 run.py test` first"
    rows = build_rows(evidence, _python_handlers())
    text = render(rows, args.format, note)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    if args.check:
        bad = failures(rows)
        for r in bad:
            print(f"parity: {r.name}: {r.status}: {r.why}", file=sys.stderr)
        pending = [r.name for r in rows if r.status == "PENDING"]
        if pending:
            print(f"parity: {len(pending)} events pending (features not built yet)", file=sys.stderr)
        if bad:
            print(f"parity: {len(bad)} of {len(rows)} events are not OK", file=sys.stderr)
            return 1
        print(f"parity: all {len(rows) - len(pending)} built events OK", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="amityvox", description="AmityVox chat server")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--config", help="path to amityvox.toml (default: ./amityvox.toml if present)")
        sp.add_argument("--data-dir", dest="data_dir", help="data directory (SQLite database lives here)")
        sp.add_argument("--database", help="database URL (sqlite:///… or postgresql://…)")

    for role, help_text in (
        ("serve", "run the whole server in one process"),
        ("api", "run REST, background workers and the web client (scale out with NATS)"),
        ("gateway", "run the WebSocket gateway alone (scale out with NATS)"),
    ):
        p_role = sub.add_parser(role, help=help_text)
        common(p_role)
        p_role.add_argument("--host")
        p_role.add_argument("--port", type=int)
        p_role.add_argument("--bus", help="memory:// (default for serve) or nats://host:port")
        p_role.set_defaults(func=_cmd_serve, role="all" if role == "serve" else role)

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    common(migrate)
    migrate.set_defaults(func=_cmd_migrate)

    cli_admin.add_parser(sub, common)

    events = sub.add_parser("events", help="print the event catalog")
    events.add_argument("--json", action="store_true", help="the same as --format json")
    events.add_argument("--format", choices=("text", "json", "md"), default="text")
    events.add_argument("--write", metavar="FILE", help="with --format md: update the events table in FILE")
    events.add_argument("--asyncapi", action="store_true", help="print the AsyncAPI 3.0 document of the gateway")
    events.set_defaults(func=_cmd_events)

    parity = sub.add_parser("parity", help="the event parity report (catalog, client handlers, test evidence)")
    parity.add_argument("--evidence", default="build/parity-evidence.json", help="conformance evidence file")
    parity.add_argument("--format", choices=("md", "json", "html"), default="md")
    parity.add_argument("--output", "-o", help="write the report here instead of stdout")
    parity.add_argument("--check", action="store_true", help="exit 1 if any built event is not OK")
    parity.set_defaults(func=_cmd_parity)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except config.ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
