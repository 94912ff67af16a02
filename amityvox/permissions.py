"""Permission bits and their resolution (docs/rest.md#permissions).

Resolution for a member in a guild channel, in this order:

1. The guild owner gets ``ALL``; nothing below applies to them.
2. Start from the guild's ``default_permissions`` (the @everyone base).
3. For each of the member's roles, in ascending ``position`` (ties by id), OR in the
   role's ``allow`` then remove its ``deny``.
4. ``Administrator`` at guild level gives ``ALL`` and skips the channel overwrites.
5. Channel overwrites, each layer removing its deny first and then adding its allow:
   a. the channel default: the ``role`` overwrite whose id is the guild id (@everyone);
   b. the ``role`` overwrites of the member's roles, combined (OR of denies, OR of allows);
   c. the member's own ``user`` overwrite.
6. A member in timeout loses ``TIMEOUT_MASK``. Only the owner is exempt from
   everything, so an Administrator in timeout loses these bits too.
7. Without ``ViewChannel`` the result is 0.

Bits outside the defined set never appear in a result. Everything here is pure and
works on plain ints so it stays cheap on the gateway's hot path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntFlag


class Perm(IntFlag):
    """Permission bits (docs/rest.md#permissions); names are the wire vocabulary."""

    # Guild scope
    ManageChannels = 1 << 0
    ManageGuild = 1 << 1
    ManagePermissions = 1 << 2
    ManageRoles = 1 << 3
    ManageEmoji = 1 << 4
    ManageWebhooks = 1 << 5
    KickMembers = 1 << 6
    BanMembers = 1 << 7
    TimeoutMembers = 1 << 8
    AssignRoles = 1 << 9
    ChangeNickname = 1 << 10
    ManageNicknames = 1 << 11
    ChangeAvatar = 1 << 12
    RemoveAvatars = 1 << 13
    ViewAuditLog = 1 << 14
    ViewGuildInsights = 1 << 15
    MentionHere = 1 << 16
    # Channel scope
    ViewChannel = 1 << 20
    ReadHistory = 1 << 21
    SendMessages = 1 << 22
    ManageMessages = 1 << 23
    EmbedLinks = 1 << 24
    UploadFiles = 1 << 25
    AddReactions = 1 << 26
    UseExternalEmoji = 1 << 27
    Connect = 1 << 28
    Speak = 1 << 29
    MuteMembers = 1 << 30
    DeafenMembers = 1 << 31
    MoveMembers = 1 << 32
    UseVAD = 1 << 33
    PrioritySpeaker = 1 << 34
    Stream = 1 << 35
    Masquerade = 1 << 36
    CreateInvites = 1 << 37
    ManageThreads = 1 << 38
    CreateThreads = 1 << 39
    Administrator = 1 << 63


# What each bit lets a member do, in the words the clients show next to its toggle.
DESCRIPTIONS: dict[Perm, str] = {
    Perm.ManageChannels: "Create, edit and delete channels and categories.",
    Perm.ManageGuild: "Change the server's name, description, icon and settings.",
    Perm.ManagePermissions: "Edit channel and category permission overwrites.",
    Perm.ManageRoles: "Create, edit, reorder and delete roles below their highest role.",
    Perm.ManageEmoji: "Add and remove custom emoji.",
    Perm.ManageWebhooks: "Create, edit and delete webhooks.",
    Perm.KickMembers: "Remove members from the server (they may rejoin with an invite).",
    Perm.BanMembers: "Ban members and lift bans.",
    Perm.TimeoutMembers: "Put members in timeout, when they cannot talk or react.",
    Perm.AssignRoles: "Give roles below their highest role to members, and take them away.",
    Perm.ChangeNickname: "Change their own nickname.",
    Perm.ManageNicknames: "Change other members' nicknames.",
    Perm.ChangeAvatar: "Change their own server avatar.",
    Perm.RemoveAvatars: "Remove other members' server avatars.",
    Perm.ViewAuditLog: "Read the server's audit log.",
    Perm.ViewGuildInsights: "See the server's activity insights.",
    Perm.MentionHere: "Notify everyone online with @here and @everyone.",
    Perm.ViewChannel: "See the channel and its messages as they arrive.",
    Perm.ReadHistory: "Read messages sent before they opened the channel.",
    Perm.SendMessages: "Post messages.",
    Perm.ManageMessages: "Delete and pin other members' messages.",
    Perm.EmbedLinks: "Show previews of the links they post.",
    Perm.UploadFiles: "Attach files and pictures.",
    Perm.AddReactions: "Add new reactions to messages.",
    Perm.UseExternalEmoji: "Use custom emoji from other servers.",
    Perm.Connect: "Join voice channels.",
    Perm.Speak: "Talk in voice channels.",
    Perm.MuteMembers: "Mute others in voice channels.",
    Perm.DeafenMembers: "Deafen others in voice channels.",
    Perm.MoveMembers: "Move others between voice channels.",
    Perm.UseVAD: "Talk by voice activity instead of push-to-talk.",
    Perm.PrioritySpeaker: "Be heard over others in voice channels.",
    Perm.Stream: "Share their screen or camera.",
    Perm.Masquerade: "Post under another name and avatar.",
    Perm.CreateInvites: "Create invites to the server.",
    Perm.ManageThreads: "Rename, archive and delete threads.",
    Perm.CreateThreads: "Start threads from messages.",
    Perm.Administrator: "Every permission, everywhere, ignoring channel overwrites. Grant with care.",
}
_CHANNEL_SCOPE = 1 << 20  # bits from here up (except Administrator) also apply per channel


def describe() -> list[dict[str, str]]:
    """Every bit for clients: name, value (a decimal string: bit 63 exceeds JS numbers), scope, description."""
    return [
        {
            "name": p.name or "",
            "value": str(int(p)),
            "scope": "channel" if _CHANNEL_SCOPE <= p < Perm.Administrator else "guild",
            "description": DESCRIPTIONS[p],
        }
        for p in Perm
    ]


# fmt: off
_P = Perm
ALL: int = sum(int(bit) for bit in Perm)
TIMEOUT_MASK: int = int(
    _P.SendMessages | _P.AddReactions | _P.Connect | _P.Speak | _P.Stream
    | _P.CreateThreads | _P.CreateInvites
)
MODERATOR_BITS: int = int(
    _P.KickMembers | _P.BanMembers | _P.ManageMessages | _P.ManageGuild | _P.Administrator
)
DEFAULT_EVERYONE: int = int(
    _P.ViewChannel | _P.ReadHistory | _P.SendMessages | _P.EmbedLinks | _P.UploadFiles
    | _P.AddReactions | _P.UseExternalEmoji | _P.Connect | _P.Speak | _P.UseVAD | _P.Stream
    | _P.CreateInvites | _P.CreateThreads | _P.ChangeNickname | _P.ChangeAvatar
)
# fmt: on
_ADMIN = int(Perm.Administrator)
_VIEW = int(Perm.ViewChannel)


@dataclass(frozen=True, slots=True)
class RoleBits:
    id: str
    allow: int
    deny: int
    position: int = 0


@dataclass(frozen=True, slots=True)
class Overwrite:
    id: str
    type: str  # "role" | "user"
    allow: int
    deny: int


def guild_permissions(*, user_id: str, owner_id: str, base: int, member_roles: Iterable[RoleBits]) -> int:
    """Guild-level permissions (steps 1-4 of the module docstring)."""
    if user_id == owner_id:
        return ALL
    perms = base
    for role in sorted(member_roles, key=lambda r: (r.position, r.id)):
        perms = (perms | role.allow) & ~role.deny
    if perms & _ADMIN:
        return ALL
    return perms & ALL


def channel_permissions(
    *,
    user_id: str,
    guild_id: str,
    owner_id: str,
    base: int,
    member_roles: Sequence[RoleBits],
    overwrites: Iterable[Overwrite],
    timed_out: bool = False,
) -> int:
    """A member's permissions in one guild channel (the whole module docstring)."""
    if user_id == owner_id:
        return ALL
    perms = guild_permissions(user_id=user_id, owner_id=owner_id, base=base, member_roles=member_roles)
    if not perms & _ADMIN:
        role_ids = {role.id for role in member_roles}
        e_allow = e_deny = r_allow = r_deny = u_allow = u_deny = 0
        for ow in overwrites:
            if ow.type == "role":
                if ow.id == guild_id:
                    e_allow |= ow.allow
                    e_deny |= ow.deny
                elif ow.id in role_ids:
                    r_allow |= ow.allow
                    r_deny |= ow.deny
            elif ow.type == "user" and ow.id == user_id:
                u_allow |= ow.allow
                u_deny |= ow.deny
        perms = (perms & ~e_deny) | e_allow
        perms = (perms & ~r_deny) | r_allow
        perms = ((perms & ~u_deny) | u_allow) & ALL
    if timed_out:  # only the owner is exempt; an Administrator in timeout is not
        perms &= ~TIMEOUT_MASK
    if not perms & _VIEW:
        return 0
    return perms


def is_moderator(guild_perms: int) -> bool:
    """True when guild-level permissions carry any moderator bit (the owner's ALL does)."""
    return bool(guild_perms & MODERATOR_BITS) or guild_perms == ALL


def has(perms: int, bit: int) -> bool:
    """True when every bit of ``bit`` is present in ``perms`` (so ``has(x, 0)`` is True)."""
    return perms & bit == bit
