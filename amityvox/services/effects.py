"""Message effects (confetti, fireworks… played over a message) and super reactions.

Both are moments rather than state: clients play them when the event arrives. They are
stored all the same (for moderation and history) and rate-limited per user, since every
one of them fills the screens of everyone in the channel.

Effect types and their `config` (every field optional; the stored and published
config has every default filled in, so clients need not know the defaults):

- confetti: `colors` (≤ 8 "#rrggbb"), `particle_count` 10-500, `duration_ms` 500-10000
- fireworks: `colors` (≤ 8 "#rrggbb"), `bursts` 1-10, `duration_ms` 500-10000
- hearts: `color` "#rrggbb", `count` 1-100, `duration_ms` 500-10000
- snow: `density` 1-5, `duration_ms` 500-10000
- shake: `intensity` 1-5, `duration_ms` 100-3000
- spotlight: `color` "#rrggbb", `duration_ms` 500-10000
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import message_effects, super_reactions
from amityvox.errors import bad_request, rate_limited
from amityvox.ids import new_id, now_iso
from amityvox.services.access import channel_access
from amityvox.services.messages import load_message_row, require_message_channel, require_unlocked
from amityvox.services.reactions import _check_usable, check_emoji

EFFECTS_PER_MINUTE = 10
SUPER_REACTIONS_PER_MINUTE = 5
MIN_INTENSITY, MAX_INTENSITY = 1, 5

Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    duration_ms: int = Field(3000, ge=500, le=10_000)


class Confetti(_Config):
    colors: list[Color] = Field(default_factory=list, max_length=8)
    particle_count: int = Field(150, ge=10, le=500)


class Fireworks(_Config):
    colors: list[Color] = Field(default_factory=list, max_length=8)
    bursts: int = Field(3, ge=1, le=10)


class Hearts(_Config):
    color: Color = "#ff4d6d"
    count: int = Field(30, ge=1, le=100)


class Snow(_Config):
    density: int = Field(3, ge=1, le=5)


class Shake(_Config):
    intensity: int = Field(2, ge=1, le=5)
    duration_ms: int = Field(800, ge=100, le=3000)


class Spotlight(_Config):
    color: Color = "#ffffff"


EFFECT_TYPES: dict[str, type[_Config]] = {
    "confetti": Confetti,
    "fireworks": Fireworks,
    "hearts": Hearts,
    "snow": Snow,
    "shake": Shake,
    "spotlight": Spotlight,
}


def check_config(effect_type: str, config: dict[str, Any] | None) -> dict[str, Any]:
    """The config with defaults filled in, or 400 naming the first bad field."""
    model = EFFECT_TYPES.get(effect_type)
    if model is None:
        raise bad_request(f"effect_type must be one of {', '.join(EFFECT_TYPES)}", code="unknown_effect")
    try:
        return model.model_validate(config or {}).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        raise bad_request(f"config.{where}: {first['msg']}", code="invalid_config") from exc


def _throttle(ctx: Context, name: str, limit: int, user_id: str) -> None:
    """Count one use now; 429 when the user had `limit` in the last minute."""
    wait = ctx.limiter(name, limit, 60.0).hit(user_id)
    if wait:
        raise rate_limited(wait)


async def create_effect(
    ctx: Context, channel_id: str, message_id: str, user_id: str, effect_type: str, config: dict[str, Any] | None
) -> dict[str, Any]:
    """POST …/experimental/messages/{m}/effects (SendMessages) → MESSAGE_EFFECT_CREATE."""
    config = check_config(effect_type, config)
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id, need=P.Perm.SendMessages)
        require_message_channel(ca)
        require_unlocked(ca)
        message = await load_message_row(tx.conn, channel_id, message_id)
        _throttle(ctx, "message-effects", EFFECTS_PER_MINUTE, user_id)
        effect = {
            "id": new_id(),
            "message_id": message["id"],
            "channel_id": channel_id,
            "user_id": user_id,
            "effect_type": effect_type,
            "config": config,
        }
        await tx.conn.execute(message_effects.insert().values(**effect, created_at=now_iso()))
        tx.emit("MESSAGE_EFFECT_CREATE", effect)
        return effect


async def add_super_reaction(
    ctx: Context, channel_id: str, message_id: str, user_id: str, emoji: str, intensity: int
) -> dict[str, Any]:
    """POST …/experimental/messages/{m}/super-reactions (AddReactions) → SUPER_REACTION_ADD.

    Each one is its own burst: unlike plain reactions they are not toggled or counted
    per emoji, so the same user may send the same emoji again (within the rate limit).
    """
    emoji = check_emoji(emoji)
    if not MIN_INTENSITY <= intensity <= MAX_INTENSITY:
        raise bad_request(f"intensity must be {MIN_INTENSITY}-{MAX_INTENSITY}")
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id, need=P.Perm.AddReactions)
        message = await load_message_row(tx.conn, channel_id, message_id)
        await _check_usable(tx.conn, ca, emoji)
        _throttle(ctx, "super-reactions", SUPER_REACTIONS_PER_MINUTE, user_id)
        reaction = {
            "id": new_id(),
            "message_id": message["id"],
            "channel_id": channel_id,
            "user_id": user_id,
            "emoji": emoji,
            "intensity": intensity,
        }
        await tx.conn.execute(super_reactions.insert().values(**reaction, created_at=now_iso()))
        tx.emit("SUPER_REACTION_ADD", reaction)
        return reaction
