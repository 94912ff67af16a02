"""`amityvox admin …`: instance administration from the server's console, against the configured
database directly (services/admin.py, the same rules as the REST API; actions are recorded in
the instance audit log with no actor).

Users are named by username or id. Output is plain text, or JSON with `--json`; bad input ends
with a message on stderr and exit status 1.

With a NATS bus configured (`bus_url = nats://…`) the events of an action reach the running
servers at once: a suspension closes the user's gateway sessions there. With the embedded
in-process bus the console cannot reach a running `amityvox serve`: the user's tokens stop
working at once, and their open gateway sessions end when they next reconnect.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from amityvox import config

Action = Callable[[Any], Awaitable[Any]]


def _settings(args: argparse.Namespace) -> config.Settings:
    settings = config.load(getattr(args, "config", None))
    return settings.with_overrides(data_dir=args.data_dir, database_url=args.database)


async def _with_ctx(settings: config.Settings, action: Action) -> Any:
    from amityvox.bus.memory import MemoryBus
    from amityvox.context import Context
    from amityvox.db.engine import Database

    db = Database(settings.resolved_database_url)
    bus: Any = MemoryBus()
    try:
        await db.migrate()
        if not settings.bus_url.startswith("memory://"):
            from amityvox.bus.nats import NatsBus

            bus = NatsBus(settings.bus_url, replicas=settings.nats_replicas)
        await bus.start()
        return await action(Context(settings=settings, db=db, bus=bus))
    finally:
        await bus.close()
        await db.close()


def _run(args: argparse.Namespace, action: Action) -> tuple[int, Any]:
    """Run `action(ctx)`; (0, its result), or (1, None) after printing the refusal."""
    from amityvox.errors import ApiError

    try:
        return 0, asyncio.run(_with_ctx(_settings(args), action))
    except ApiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1, None


def _print(args: argparse.Namespace, value: Any, text: str) -> int:
    print(json.dumps(value, indent=2) if getattr(args, "json", False) else text)
    return 0


def _user_line(u: dict[str, Any]) -> str:
    state = ["admin"] * u.get("is_admin", False) + ["suspended"] * u.get("suspended", False)
    return f"{u['id']}  {u['username']:<32}  {u.get('email') or '-':<30}  {u['created_at'][:10]}  {','.join(state)}"


def _guild_line(g: dict[str, Any]) -> str:
    return f"{g['id']}  {g['name']:<40}  owner {g['owner_id']}  {g['member_count']} members"


# ---- accounts ------------------------------------------------------------------------------------


def _create_user(args: argparse.Namespace) -> int:
    from amityvox.services import auth

    password = args.password or getpass.getpass(f"password for {args.username}: ")
    code, user = _run(args, lambda ctx: auth.create_user(ctx, args.username, password, args.email))
    if code:
        return code
    return _print(args, user, f"created user {user['username']} ({user['id']})")


def _list_users(args: argparse.Namespace) -> int:
    from amityvox.services import admin

    code, found = _run(args, lambda ctx: admin.list_users(ctx, query=args.query, after=args.after, limit=args.limit))
    if code:
        return code
    lines = [_user_line(u) for u in found] or ["no users found"]
    return _print(args, found, "\n".join(lines))


def _show_user(args: argparse.Namespace) -> int:
    from amityvox.services import admin

    code, u = _run(args, lambda ctx: admin.get_user(ctx, args.user))
    if code:
        return code
    guilds = ", ".join(f"{g['name']} ({g['id']}{', owner' if g['owner'] else ''})" for g in u["guilds"]) or "none"
    text = "\n".join(
        [
            _user_line(u),
            f"sessions: {u['sessions']}  two-factor: {'on' if u['two_factor'] else 'off'}",
            f"guilds: {guilds}",
        ]
    )
    return _print(args, u, text)


def _user_action(verb: str, call: Callable[[Any, str], Awaitable[Any]]) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        code, out = _run(args, lambda ctx: call(ctx, args.user))
        if code:
            return code
        return _print(args, out, f"{args.user}: {verb}")

    return command


async def _suspend(ctx: Any, user: str) -> Any:
    from amityvox.services import admin

    return await admin.suspend_user(ctx, None, user)


async def _unsuspend(ctx: Any, user: str) -> Any:
    from amityvox.services import admin

    return await admin.unsuspend_user(ctx, None, user)


async def _delete(ctx: Any, user: str) -> Any:
    from amityvox.services import admin

    await admin.delete_user(ctx, None, user)
    return {"deleted": True}


async def _reset_2fa(ctx: Any, user: str) -> Any:
    from amityvox.services import admin

    return await admin.reset_two_factor(ctx, None, user)


async def _grant(ctx: Any, user: str) -> Any:
    from amityvox.services import admin

    return await admin.set_admin(ctx, None, user, True)


async def _revoke(ctx: Any, user: str) -> Any:
    from amityvox.services import admin

    return await admin.set_admin(ctx, None, user, False)


def _set_admin(args: argparse.Namespace) -> int:
    if args.revoke:
        return _user_action("is no longer an instance administrator", _revoke)(args)
    return _user_action("is an instance administrator", _grant)(args)


def _delete_user(args: argparse.Namespace) -> int:
    if not args.yes:
        print(f"error: deleting {args.user} cannot be undone; add --yes to confirm", file=sys.stderr)
        return 1
    return _user_action("deleted", _delete)(args)


# ---- guilds --------------------------------------------------------------------------------------


def _list_guilds(args: argparse.Namespace) -> int:
    from amityvox.services import admin

    code, found = _run(args, lambda ctx: admin.list_guilds(ctx, query=args.query, after=args.after, limit=args.limit))
    if code:
        return code
    return _print(args, found, "\n".join([_guild_line(g) for g in found] or ["no guilds found"]))


def _delete_guild(args: argparse.Namespace) -> int:
    from amityvox.services import admin

    if not args.yes:
        print(f"error: deleting guild {args.guild} cannot be undone; add --yes to confirm", file=sys.stderr)
        return 1
    code, _ = _run(args, lambda ctx: admin.delete_guild(ctx, None, args.guild))
    if code:
        return code
    return _print(args, {"deleted": True}, f"guild {args.guild} deleted")


def _transfer_guild(args: argparse.Namespace) -> int:
    from amityvox.services import admin

    code, g = _run(args, lambda ctx: admin.transfer_guild(ctx, None, args.guild, args.user))
    if code:
        return code
    return _print(args, g, f"guild {g['name']} ({g['id']}) now belongs to {g['owner_id']}")


# ---- settings, statistics ------------------------------------------------------------------------


def _get_settings(args: argparse.Namespace) -> int:
    from amityvox.services import instance

    code, found = _run(args, lambda ctx: instance.current(ctx))
    if code:
        return code
    values = instance.as_dict(found)
    return _print(args, values, "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items()))


def _set_setting(args: argparse.Namespace) -> int:
    from amityvox.services import instance

    if args.key not in instance.KEYS:
        print(f"error: unknown setting {args.key!r}; settings: {', '.join(instance.KEYS)}", file=sys.stderr)
        return 1
    value: Any = args.value
    if args.key in instance.NUMBERS:
        try:
            value = int(args.value)
        except ValueError:
            print(f"error: {args.key} must be a whole number, got {args.value!r}", file=sys.stderr)
            return 1
    code, values = _run(args, lambda ctx: instance.update(ctx, None, {args.key: value}))
    if code:
        return code
    return _print(args, values, f"{args.key} = {json.dumps(values[args.key])}")


def _stats(args: argparse.Namespace) -> int:
    from amityvox.services import instance_stats

    code, s = _run(args, instance_stats.stats)
    if code:
        return code
    busy = [f"  {d['date']}  {d['messages']}" for d in s["messages_per_day"] if d["messages"]]
    text = "\n".join(
        [
            f"users: {s['users']} ({s['suspended_users']} suspended)  bots: {s['bots']}  guilds: {s['guilds']}",
            "messages per day (last 30 days, days with none left out):",
            *(busy or ["  none"]),
        ]
    )
    return _print(args, s, text)


# ---- the parser ----------------------------------------------------------------------------------


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """`amityvox admin …` under the main parser's subcommands."""
    admin = sub.add_parser("admin", help="instance administration")
    cmds = admin.add_subparsers(dest="admin_command", required=True)

    def command(name: str, func: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = cmds.add_parser(name, help=help_text)
        common(p)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
        return p

    def paged(p: argparse.ArgumentParser) -> None:
        p.add_argument("--query", "-q", help="part of the name (or e-mail), or a whole id")
        p.add_argument("--after", help="list after this id (paging)")
        p.add_argument("--limit", type=int, default=50, help="at most this many (1-100)")

    create = command("create-user", _create_user, "create an account")
    create.add_argument("username")
    create.add_argument("--email")
    create.add_argument("--password", help="omit to be prompted")
    paged(command("users", _list_users, "list or search accounts"))
    command("user", _show_user, "show one account").add_argument("user", help="username or id")
    for name, verb, call, help_text in (
        ("suspend", "suspended", _suspend, "suspend an account: no login, every session ends"),
        ("unsuspend", "no longer suspended", _unsuspend, "lift a suspension"),
        ("reset-2fa", "two-factor authentication is off", _reset_2fa, "turn a user's two-factor off"),
        ("unset-admin", "is no longer an instance administrator", _revoke, "take administrator rights away"),
    ):
        command(name, _user_action(verb, call), help_text).add_argument("user", help="username or id")
    set_admin = command("set-admin", _set_admin, "make a user an instance administrator")
    set_admin.add_argument("user", help="username or id")
    set_admin.add_argument("--revoke", action="store_true", help="take the role away instead")
    delete = command("delete-user", _delete_user, "delete an account (anonymised, out of every guild)")
    delete.add_argument("user", help="username or id")
    delete.add_argument("--yes", action="store_true", help="confirm")

    guilds = command("guilds", _list_guilds, "list or search guilds")
    paged(guilds)
    gdelete = command("delete-guild", _delete_guild, "delete a guild")
    gdelete.add_argument("guild", help="guild id")
    gdelete.add_argument("--yes", action="store_true", help="confirm")
    transfer = command("transfer-guild", _transfer_guild, "hand a guild to another of its members")
    transfer.add_argument("guild", help="guild id")
    transfer.add_argument("user", help="the new owner: username or id")

    command("settings", _get_settings, "print the instance settings")
    setting = command("set", _set_setting, "change one instance setting")
    setting.add_argument("key")
    setting.add_argument("value")
    command("stats", _stats, "users, guilds, messages per day")
