"""Slash commands for bots: declared with `@client.command(...)`, answered through `Interaction`.

    @client.command(description="Roll a die")
    async def roll(ctx: Interaction, sides: Annotated[int, Option("How many sides", min_value=2)] = 6) -> None:
        await ctx.reply(f"🎲 {random.randint(1, sides)}")

The parameters after the context are the command's options: their names, their types (`str`,
`int`, `float`, `bool`; `Option(type=USER | CHANNEL | ROLE)` for ids) and whether they are
required (no default) come from the signature. `Client.start` registers every declared command
(`PUT /applications/{me}/commands`, and per guild for `guild_id=`), so what the bot declares is
exactly what members are offered. Each INTERACTION_CREATE then reaches its command's handler, or
for an option being typed its `Option(autocomplete=…)` function (docs/bots.md).

A handler may answer with a form instead: `await ctx.modal("Title", "note", TextInput("title",
"Title"), …)`. What the member submits reaches the `@client.modal("note")` handler whose custom_id
prefix matches, with the values as keyword arguments named by each input's custom_id.
"""

from __future__ import annotations

import inspect
import logging
import types
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from amityvox.client.gateway import GatewayClient
from amityvox.client.rest import JSON, RestClient

log = logging.getLogger("amityvox.client")

# Discord's option types (docs/bots.md#application-commands).
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER = 3, 4, 5, 6, 7, 8, 10
_BY_ANNOTATION: dict[Any, int] = {str: STRING, int: INTEGER, bool: BOOLEAN, float: NUMBER}
_COMMAND, _AUTOCOMPLETE, _MODAL_SUBMIT = 2, 4, 5  # interaction types
_MESSAGE, _DEFERRED, _CHOICES, _MODAL = 4, 5, 8, 9  # callback types
EPHEMERAL = 1 << 6
SHORT, PARAGRAPH = 1, 2  # text input styles

Choice = tuple[str, Any] | JSON  # ("Twenty", 20) or {"name": "Twenty", "value": 20}
Completer = Callable[["Interaction", str], Awaitable[Sequence[Choice]]]
Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Option:
    """How an option is declared beyond its name and type (which come from the parameter)."""

    description: str = ""
    type: int | None = None  # USER, CHANNEL or ROLE for ids; otherwise taken from the annotation
    choices: Sequence[Choice] = ()
    min_value: int | float | None = None
    max_value: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    autocomplete: Completer | None = None  # offers choices while the member types


@dataclass(frozen=True)
class TextInput:
    """A modal's text field: one line (SHORT) or several (PARAGRAPH); `value` fills it in."""

    custom_id: str
    label: str
    style: int = SHORT
    required: bool = True
    min_length: int | None = None
    max_length: int | None = None
    placeholder: str | None = None
    value: str | None = None

    def component(self) -> JSON:
        """The action row holding this input, as the callback sends it."""
        field: JSON = {"type": 4, "custom_id": self.custom_id, "style": self.style, "label": self.label,
                       "required": self.required}  # fmt: skip
        extras = ("min_length", "max_length", "placeholder", "value")
        field.update({k: getattr(self, k) for k in extras if getattr(self, k) is not None})
        return {"type": 1, "components": [field]}


def _choice(choice: Choice) -> JSON:
    if isinstance(choice, dict):
        return {"name": str(choice["name"]), "value": choice["value"]}
    name, value = choice
    return {"name": str(name), "value": value}


@dataclass
class Command:
    """A declared command: its handler, the declaration sent to the server, its completers."""

    name: str
    description: str
    handler: Handler
    options: list[JSON] = field(default_factory=list)
    completers: dict[str, Completer] = field(default_factory=dict)
    guild_id: str | None = None
    default_member_permissions: str | None = None

    def declaration(self) -> JSON:
        out: JSON = {"name": self.name, "description": self.description, "options": self.options}
        if self.default_member_permissions is not None:
            out["default_member_permissions"] = self.default_member_permissions
        return out


def _option_of(param: inspect.Parameter, hint: Any) -> tuple[JSON, Completer | None]:
    """One option from one parameter: `int`, `int | None`, `Annotated[int, Option(...)]`."""
    option = Option()
    if get_origin(hint) is Annotated:
        hint, *extras = get_args(hint)
        option = next((e for e in extras if isinstance(e, Option)), option)
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    kind = option.type or _BY_ANNOTATION.get(hint)
    if kind is None:
        raise TypeError(f"option {param.name!r}: annotate it str, int, float or bool, or give Option(type=...)")
    out: JSON = {"type": kind, "name": param.name, "description": option.description or param.name}
    if param.default is inspect.Parameter.empty:
        out["required"] = True
    if option.choices:
        out["choices"] = [_choice(c) for c in option.choices]
    if option.autocomplete is not None:
        out["autocomplete"] = True
    bounds = ("min_value", "max_value", "min_length", "max_length")
    out.update({k: getattr(option, k) for k in bounds if getattr(option, k) is not None})
    return out, option.autocomplete


def declare(
    handler: Handler,
    name: str | None = None,
    description: str | None = None,
    guild_id: str | None = None,
    default_member_permissions: int | str | None = None,
) -> Command:
    """The Command a handler declares: every parameter after the first (the context) is an option."""
    params = list(inspect.signature(handler).parameters.values())[1:]
    hints = get_type_hints(handler, include_extras=True)
    command = Command(
        name=name or handler.__name__,
        description=description or inspect.getdoc(handler) or name or handler.__name__,
        handler=handler,
        guild_id=guild_id,
        default_member_permissions=None if default_member_permissions is None else str(default_member_permissions),
    )
    for param in params:
        option, completer = _option_of(param, hints.get(param.name, param.annotation))
        command.options.append(option)
        if completer is not None:
            command.completers[param.name] = completer
    return command


class AnsweredWithModal(RuntimeError):
    """A command answered with a modal takes no message: the member's submission, which reaches
    `@client.modal` with a context of its own, is what to answer."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"/{name} was answered with a modal: answer the modal's submission instead (in its @client.modal handler)"
        )


class Interaction:
    """One use of a command (or one modal submitted), and the ways to answer it: first within
    the server's deadline (3 s by default), then for 15 minutes.

    The first answer is `reply` (a message; `ephemeral=True`: only the member sees it), `defer`
    ("thinking…") or, for a command, `modal` (a form); after `defer`, `reply` replaces the
    placeholder. Later `reply` calls and `followup` post further messages; `edit` changes the first
    answer. A submitted modal's `custom_id` and `values` (by input custom_id) are on the context."""

    def __init__(self, rest: RestClient, payload: JSON) -> None:
        self.rest = rest
        self.payload = payload
        self.id: str = payload["id"]
        self.token: str = payload["token"]
        self.application_id: str = payload["application_id"]
        self.channel_id: str = payload["channel_id"]
        self.guild_id: str = payload["guild_id"]
        self.user: JSON = payload["user"]
        data = payload["data"]
        self.name: str = data.get("name", "")
        self.options: dict[str, Any] = {o["name"]: o["value"] for o in data.get("options", [])}
        self.resolved: JSON = data.get("resolved") or {}
        self.custom_id: str | None = data.get("custom_id")  # a modal submitted
        self.values: dict[str, str] = {c["custom_id"]: c["value"] for row in data.get("components", [])
                                       for c in row["components"]}  # fmt: skip
        self.acknowledged = False
        self.deferred = False
        self.modal_sent = False

    async def reply(self, content: str = "", *, ephemeral: bool = False, embeds: list[JSON] | None = None) -> None:
        self._not_after_modal()
        body = _message(content, ephemeral, embeds)
        if self.deferred:
            self.deferred = False
            await self.edit(content, embeds=embeds)
        elif self.acknowledged:
            await self.followup(content, ephemeral=ephemeral, embeds=embeds)
        else:
            await self.rest.interaction_callback(self.id, self.token, _MESSAGE, body)
            self.acknowledged = True

    async def defer(self, *, ephemeral: bool = False) -> None:
        """Show "<bot> is thinking…" (to the member alone with `ephemeral`) until `reply`."""
        await self.rest.interaction_callback(self.id, self.token, _DEFERRED, _message("", ephemeral, None))
        self.acknowledged = self.deferred = True

    async def modal(self, title: str, custom_id: str, *inputs: TextInput) -> None:
        """Answer with a form of 1-5 inputs; the member's submission reaches `@client.modal`."""
        body = {"custom_id": custom_id, "title": title, "components": [i.component() for i in inputs]}
        await self.rest.interaction_callback(self.id, self.token, _MODAL, body)
        self.acknowledged = self.modal_sent = True

    def _not_after_modal(self) -> None:
        """The server refuses messages after a modal (`not_acknowledged`); say why before asking it."""
        if self.modal_sent:
            raise AnsweredWithModal(self.name)

    async def followup(self, content: str = "", *, ephemeral: bool = False, embeds: list[JSON] | None = None) -> JSON:
        self._not_after_modal()
        return await self.rest.interaction_followup(
            self.application_id, self.token, _message(content, ephemeral, embeds)
        )

    async def edit(self, content: str | None = None, *, embeds: list[JSON] | None = None) -> JSON:
        self._not_after_modal()
        body: JSON = {} if content is None else {"content": content}
        if embeds is not None:
            body["embeds"] = embeds
        return await self.rest.edit_interaction_original(self.application_id, self.token, body)


def _message(content: str, ephemeral: bool, embeds: list[JSON] | None) -> JSON:
    body: JSON = {"content": content}
    if embeds:
        body["embeds"] = embeds
    if ephemeral:
        body["flags"] = EPHEMERAL
    return body


class Commands:
    """The bot's declared commands: registered at start, dispatched from INTERACTION_CREATE."""

    def __init__(self, rest: RestClient, gateway: GatewayClient, me: Callable[[], JSON | None]) -> None:
        self.rest = rest
        self.gateway = gateway
        self.me = me  # the bot's own user, once READY came
        self.declared: dict[tuple[str | None, str], Command] = {}  # (guild or None, name) → command
        self.modals: dict[str, Handler] = {}  # custom_id prefix → handler of the submitted modal
        self._listening = False

    def command(
        self,
        name: str | None = None,
        *,
        description: str | None = None,
        guild_id: str | None = None,
        default_member_permissions: int | str | None = None,
    ) -> Callable[[Handler], Handler]:
        """`@client.command(description=...)`: declare the decorated coroutine as a slash command."""

        def register(handler: Handler) -> Handler:
            cmd = declare(handler, name, description, guild_id, default_member_permissions)
            self.declared[(cmd.guild_id, cmd.name)] = cmd
            self._listen()
            return handler

        return register

    def modal(self, prefix: str) -> Callable[[Handler], Handler]:
        """`@client.modal("note")`: handle the submissions of modals whose custom_id starts with
        `prefix` (the longest prefix wins); the values come as keyword arguments."""

        def register(handler: Handler) -> Handler:
            self.modals[prefix] = handler
            self._listen()
            return handler

        return register

    def _listen(self) -> None:
        if not self._listening:
            self.gateway.add_listener("INTERACTION_CREATE", self.dispatch)
            self._listening = True

    async def sync(self) -> list[JSON]:
        """Register the declared commands: the global list, and each guild's (replacing what was)."""
        me = self.me() or await self.rest.me()
        scopes = sorted({guild for guild, _ in self.declared}, key=lambda g: g or "")
        registered: list[JSON] = []
        for guild in scopes:
            listed = [c.declaration() for (g, _), c in self.declared.items() if g == guild]
            registered += await self.rest.overwrite_commands(me["id"], listed, guild)
        return registered

    def _modal_handler(self, custom_id: str) -> Handler | None:
        matches = [p for p in self.modals if custom_id.startswith(p)]
        return self.modals[max(matches, key=len)] if matches else None

    def _find(self, d: JSON) -> Command | None:
        name = d["data"]["name"]
        return self.declared.get((d["guild_id"], name)) or self.declared.get((None, name))

    async def dispatch(self, d: JSON) -> None:
        """INTERACTION_CREATE: call the command's handler (type 2), the option's completer (type 4)
        or the modal's handler (type 5)."""
        me = self.me()
        if me is None or d["application_id"] != me["id"]:
            return
        if d["type"] == _MODAL_SUBMIT:
            ctx = Interaction(self.rest, d)
            handler = self._modal_handler(ctx.custom_id or "")
            if handler is None:
                log.warning("no handler for modal %r", ctx.custom_id)
                return
            await handler(ctx, **ctx.values)
            return
        command = self._find(d)
        if command is None:
            log.warning("no handler for /%s", d["data"]["name"])
            return
        ctx = Interaction(self.rest, d)
        if d["type"] == _AUTOCOMPLETE:
            focused = next((o for o in d["data"]["options"] if o.get("focused")), None)
            completer = command.completers.get(focused["name"]) if focused else None
            if focused is None or completer is None:
                return
            choices = [_choice(c) for c in await completer(ctx, str(focused["value"]))][:25]
            await self.rest.interaction_callback(ctx.id, ctx.token, _CHOICES, {"choices": choices})
            return
        if d["type"] == _COMMAND:
            await command.handler(ctx, **ctx.options)
