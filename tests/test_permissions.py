"""Permission bits and resolution order (SPEC §3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amityvox.permissions import (
    ALL,
    DEFAULT_EVERYONE,
    MODERATOR_BITS,
    TIMEOUT_MASK,
    Overwrite,
    Perm,
    RoleBits,
    channel_permissions,
    describe,
    guild_permissions,
    has,
    is_moderator,
)

# Bit indices exactly as SPEC §3 lists them.
SPEC_BITS: dict[str, int] = {
    "ManageChannels": 0, "ManageGuild": 1, "ManagePermissions": 2, "ManageRoles": 3,
    "ManageEmoji": 4, "ManageWebhooks": 5, "KickMembers": 6, "BanMembers": 7,
    "TimeoutMembers": 8, "AssignRoles": 9, "ChangeNickname": 10, "ManageNicknames": 11,
    "ChangeAvatar": 12, "RemoveAvatars": 13, "ViewAuditLog": 14, "ViewGuildInsights": 15,
    "MentionHere": 16,
    "ViewChannel": 20, "ReadHistory": 21, "SendMessages": 22, "ManageMessages": 23,
    "EmbedLinks": 24, "UploadFiles": 25, "AddReactions": 26, "UseExternalEmoji": 27,
    "Connect": 28, "Speak": 29, "MuteMembers": 30, "DeafenMembers": 31, "MoveMembers": 32,
    "UseVAD": 33, "PrioritySpeaker": 34, "Stream": 35, "Masquerade": 36,
    "CreateInvites": 37, "ManageThreads": 38, "CreateThreads": 39,
    "Administrator": 63,
}  # fmt: skip
VIEW_IDX = 20
ADMIN_IDX = 63
TIMEOUT_IDX = {22, 26, 28, 29, 35, 37, 39}  # Send, React, Connect, Speak, Stream, Invites, Threads

GUILD = "g"
ROLE_IDS = ["r1", "r2", "r3", "r4"]
USER_IDS = ["u1", "u2", "u3"]
V = int(Perm.ViewChannel)
S = int(Perm.SendMessages)


# ---------------------------------------------------------------- bit values


@pytest.mark.parametrize(("name", "index"), sorted(SPEC_BITS.items()))
def test_bit_values_match_spec(name: str, index: int) -> None:
    assert int(Perm[name]) == 1 << index


def test_no_bits_beyond_spec() -> None:
    assert {m.name for m in Perm} == set(SPEC_BITS)
    assert sum(1 << i for i in SPEC_BITS.values()) == ALL


def test_named_masks() -> None:
    assert int(Perm.CreateThreads) == 1 << 39
    assert int(Perm.Administrator) == 1 << 63
    assert sum(1 << i for i in TIMEOUT_IDX) == TIMEOUT_MASK
    assert sum(1 << SPEC_BITS[n] for n in (
        "KickMembers", "BanMembers", "ManageMessages", "ManageGuild", "Administrator"
    )) == MODERATOR_BITS  # fmt: skip
    assert has(DEFAULT_EVERYONE, V | S)
    for absent in ("MentionHere", "Administrator", "ManageMessages", "KickMembers"):
        assert not has(DEFAULT_EVERYONE, 1 << SPEC_BITS[absent])


def test_is_moderator_and_has() -> None:
    assert is_moderator(ALL)
    assert is_moderator(int(Perm.KickMembers))
    assert is_moderator(int(Perm.ManageGuild) | V)
    assert not is_moderator(DEFAULT_EVERYONE)
    assert not is_moderator(0)
    assert has(V | S, S)
    assert not has(V, V | S)
    assert not has(0, V)


# ------------------------------------------------ an independent reference


def _bits(value: int) -> set[int]:
    return {i for i in SPEC_BITS.values() if (value >> i) & 1}


def reference(
    *, user_id: str, guild_id: str, owner_id: str, base: int,
    member_roles: list[RoleBits], overwrites: list[Overwrite], timed_out: bool,
) -> int:  # fmt: skip
    everything = set(SPEC_BITS.values())
    if user_id == owner_id:
        return sum(1 << i for i in everything)
    have = _bits(base)
    for role in sorted(member_roles, key=lambda r: (r.position, r.id)):
        have |= _bits(role.allow)
        have -= _bits(role.deny)
    if ADMIN_IDX in have:
        have = set(everything)
    else:
        mine = {r.id for r in member_roles if r.id != guild_id}
        layers = [
            [o for o in overwrites if o.type == "role" and o.id == guild_id],
            [o for o in overwrites if o.type == "role" and o.id in mine],
            [o for o in overwrites if o.type == "user" and o.id == user_id],
        ]
        for layer in layers:
            for o in layer:
                have -= _bits(o.deny)
            for o in layer:
                have |= _bits(o.allow)
    if timed_out:
        have -= TIMEOUT_IDX
    if VIEW_IDX not in have:
        return 0
    return sum(1 << i for i in have)


# ------------------------------------------------------------- strategies

defined_masks = st.sets(st.sampled_from(sorted(SPEC_BITS.values()))).map(lambda s: sum(1 << i for i in s))
masks = st.one_of(defined_masks, st.integers(0, 2**64 - 1))
# Masks that never carry Administrator, so overwrites actually matter.
plain_masks = masks.map(lambda m: m & ~int(Perm.Administrator))
roles = st.builds(RoleBits, st.sampled_from(ROLE_IDS), plain_masks, masks, st.integers(0, 3))
role_lists = st.lists(roles, max_size=4, unique_by=lambda r: r.id)
overwrite = st.builds(
    Overwrite, st.sampled_from([GUILD, *ROLE_IDS, *USER_IDS]),
    st.sampled_from(["role", "user"]), plain_masks, masks,
)  # fmt: skip
overwrite_lists = st.lists(overwrite, max_size=8)


def resolve(user: str, owner: str, base: int, rl: list[RoleBits], ow: list[Overwrite],
            timed_out: bool = False) -> int:  # fmt: skip
    return channel_permissions(
        user_id=user, guild_id=GUILD, owner_id=owner, base=base,
        member_roles=rl, overwrites=ow, timed_out=timed_out,
    )  # fmt: skip


# ------------------------------------------------------------- properties


@given(st.sampled_from(USER_IDS), st.sampled_from(USER_IDS), plain_masks, role_lists,
       overwrite_lists, st.booleans())  # fmt: skip
def test_matches_reference(user, owner, base, rl, ow, timed_out) -> None:
    got = resolve(user, owner, base, rl, ow, timed_out)
    assert got == reference(user_id=user, guild_id=GUILD, owner_id=owner, base=base,
                            member_roles=rl, overwrites=ow, timed_out=timed_out)  # fmt: skip


@given(st.sampled_from(USER_IDS), masks, role_lists, overwrite_lists, st.booleans())
def test_owner_always_gets_all(user, base, rl, ow, timed_out) -> None:
    assert resolve(user, user, base, rl, ow, timed_out) == ALL
    assert guild_permissions(user_id=user, owner_id=user, base=base, member_roles=rl) == ALL


@given(plain_masks, role_lists, overwrite_lists, st.integers(0, 3))
def test_administrator_role_gets_all(base, rl, ow, pos) -> None:
    admin = RoleBits("admin", int(Perm.Administrator), 0, position=pos + 10)
    ow = [*ow, Overwrite("admin", "role", 0, ALL), Overwrite("u1", "user", 0, ALL)]
    assert resolve("u1", "u2", base, [*rl, admin], ow) == ALL
    assert is_moderator(guild_permissions(user_id="u1", owner_id="u2", base=base,
                                          member_roles=[*rl, admin]))  # fmt: skip


@given(plain_masks, role_lists, overwrite_lists)
def test_user_overwrite_beats_role_overwrites(base, rl, ow) -> None:
    rl = [*rl, RoleBits("rx", V, 0)]
    ow = [o for o in ow if o.type != "user"]
    role_allows_view = Overwrite("rx", "role", V | S, 0)
    hidden = [*ow, role_allows_view, Overwrite("u1", "user", 0, V)]
    assert resolve("u1", "u2", base, rl, hidden) == 0
    role_denies_send = Overwrite("rx", "role", V, S)
    granted = [*ow, role_denies_send, Overwrite("u1", "user", S, 0)]
    assert has(resolve("u1", "u2", base, rl, granted), V | S)


@given(st.sampled_from(list(Perm)).filter(lambda p: p is not Perm.Administrator),
       role_lists, st.integers(0, 9))  # fmt: skip
def test_role_deny_removes_base_bit(bit, rl, pos) -> None:
    bit_v = int(bit)
    rl = [r for r in rl if r.position <= pos]  # roles below the denying one
    denier = RoleBits("deny", 0, bit_v, position=pos + 1)
    got = guild_permissions(user_id="u1", owner_id="u2", base=ALL & ~int(Perm.Administrator),
                            member_roles=[denier, *rl])  # fmt: skip
    assert not got & bit_v
    assert not has(resolve("u1", "u2", DEFAULT_EVERYONE | bit_v, [denier], []), bit_v)


@given(st.sampled_from(USER_IDS), masks, role_lists, overwrite_lists)
def test_timed_out_member_has_no_timeout_bits(user, base, rl, ow) -> None:
    assert resolve(user, "owner", base, rl, ow, timed_out=True) & TIMEOUT_MASK == 0
    admin = [*rl, RoleBits("admin", int(Perm.Administrator), 0, position=99)]
    got = resolve(user, "owner", base, admin, ow, timed_out=True)
    assert got == ALL & ~TIMEOUT_MASK


@given(st.sampled_from(USER_IDS), masks, role_lists, overwrite_lists, st.booleans())
def test_no_view_channel_means_zero(user, base, rl, ow, timed_out) -> None:
    got = resolve(user, "owner", base, rl, ow, timed_out)
    assert got == 0 or has(got, V)
    ow = [*(o for o in ow if o.type != "user"), Overwrite(user, "user", 0, V)]
    rl_plain = [RoleBits(r.id, r.allow & ~int(Perm.Administrator), r.deny, r.position)
                for r in rl]  # fmt: skip
    assert resolve(user, "owner", base & ~int(Perm.Administrator), rl_plain, ow, timed_out) == 0


@given(st.sampled_from(USER_IDS), st.sampled_from(USER_IDS), masks, role_lists,
       overwrite_lists, st.booleans(), st.randoms(use_true_random=False))  # fmt: skip
def test_input_order_does_not_matter(user, owner, base, rl, ow, timed_out, rnd) -> None:
    before = resolve(user, owner, base, rl, ow, timed_out)
    rl2, ow2 = list(rl), list(ow)
    rnd.shuffle(rl2)
    rnd.shuffle(ow2)
    assert resolve(user, owner, base, rl2, ow2, timed_out) == before


@given(st.sampled_from(USER_IDS), masks, role_lists, overwrite_lists, st.booleans())
def test_results_stay_within_defined_bits(user, base, rl, ow, timed_out) -> None:
    assert resolve(user, "owner", base, rl, ow, timed_out) & ~ALL == 0


# ----------------------------------------------------------------- examples


def test_everyone_overwrite_hides_channel_but_role_overwrite_restores_it() -> None:
    staff = RoleBits("staff", 0, 0, position=1)
    ow = [Overwrite(GUILD, "role", 0, V), Overwrite("staff", "role", V, 0)]
    assert resolve("u1", "u2", DEFAULT_EVERYONE, [], ow) == 0
    with_role = resolve("u1", "u2", DEFAULT_EVERYONE, [staff], ow)
    assert with_role == DEFAULT_EVERYONE
    # Without the restoring overwrite the role alone does not help.
    assert resolve("u1", "u2", DEFAULT_EVERYONE, [staff], ow[:1]) == 0


def test_role_order_by_position() -> None:
    low = RoleBits("low", S, 0, position=1)
    high = RoleBits("high", 0, S, position=2)
    for order in ([low, high], [high, low]):
        assert not has(guild_permissions(user_id="u", owner_id="o", base=V,
                                         member_roles=order), S)  # fmt: skip
    low2, high2 = RoleBits("low", 0, S, position=1), RoleBits("high", S, 0, position=2)
    assert has(guild_permissions(user_id="u", owner_id="o", base=V,
                                 member_roles=[high2, low2]), S)  # fmt: skip


def test_timeout_example() -> None:
    got = resolve("u1", "u2", DEFAULT_EVERYONE, [], [], timed_out=True)
    assert has(got, V | int(Perm.ReadHistory))
    assert not has(got, S) and not has(got, int(Perm.Connect))
    assert resolve("u1", "u1", DEFAULT_EVERYONE, [], [], timed_out=True) == ALL


def test_reference_on_known_inputs() -> None:
    ow = [Overwrite("u1", "user", 0, S), Overwrite(GUILD, "role", int(Perm.ManageGuild), 0)]
    ref = reference(user_id="u1", guild_id=GUILD, owner_id="u2", base=DEFAULT_EVERYONE,
                    member_roles=[], overwrites=ow, timed_out=False)  # fmt: skip
    assert ref == (DEFAULT_EVERYONE | int(Perm.ManageGuild)) & ~S


def test_every_bit_is_described_for_clients() -> None:
    described = {d["name"]: d for d in describe()}
    assert set(described) == {p.name for p in Perm}
    assert all(d["description"] for d in described.values())
    assert described["Administrator"]["value"] == str(1 << 63)
    assert described["ManageMessages"]["scope"] == "channel"
    assert described["BanMembers"]["scope"] == "guild"
