"""The event catalog against the original's parity audit and SPEC §6.

The audit is read from the shared seed when it sits beside the repository, else from
the copy in docs/seed, and parsed here rather than trusted from the catalog, so a
catalog that drifts from it fails.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections import defaultdict
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from amityvox.events import CATALOG, Scope, by_subject, catalog, client_visible, get, validate
from amityvox.events.catalog import CATEGORIES, STORES, SUBJECT_PREFIX
from amityvox.events.types import Audience

REPO = Path(__file__).resolve().parents[2]
SHARED_SEED = REPO.parent / "shared" / "seed" / "000_bdb0d2f9fa1598cd.txt"
DOCS_SEED = REPO / "docs" / "seed" / "parity-report-2026-02-18.md"

# Events SPEC §6 has that the original's audit does not list.
SPEC_EXTRAS = [
    "RESUMED",
    "GUILD_MEMBERS_CHUNK",
    "MESSAGE_REACTION_CLEAR",
    "NOTIFICATION_CREATE",
    "NOTIFICATION_UPDATE",
    "NOTIFICATION_DELETE",
    "NOTIFICATION_MARK_ALL_READ",
    "NOTIFICATION_CLEAR_ALL",
    "CHANNEL_GROUP_CREATE",
    "CHANNEL_GROUP_UPDATE",
    "CHANNEL_GROUP_DELETE",
    "CHANNEL_GROUP_ITEMS_UPDATE",
    "SESSIONS_REVOKE",
    "USER_SETTINGS_UPDATE",
    "SAVED_MESSAGE_ADD",
    "SAVED_MESSAGE_REMOVE",
    "VOICE_SIGNAL",
    "WEBHOOKS_UPDATE",
    "GUILD_AUDIT_LOG_ENTRY_CREATE",
    "GUILD_REPORT_CREATE",
    "GUILD_REPORT_UPDATE",
    "GUILD_MEMBER_WARNING_CREATE",
    "INTERACTION_CREATE",
    "INTERACTION_MODAL_CREATE",
    "INTERACTION_TIMEOUT",
    "APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE",
    "EPHEMERAL_MESSAGE_CREATE",
    "APPLICATION_COMMAND_CREATE",
    "APPLICATION_COMMAND_UPDATE",
    "APPLICATION_COMMAND_DELETE",
]

# Audited events whose subject SPEC §6 changes (the original reused another event's
# subject, or published outside `amityvox.`). Every other audited subject is kept.
RENAMED = {
    "THREAD_CREATE", "GUILD_MEMBERS_PRUNE", "GUILD_EMOJI_DELETE", "GUILD_ONBOARDING_UPDATE",
    "LOCATION_SHARE_CREATE", "LOCATION_SHARE_UPDATE", "LOCATION_SHARE_STOP",
    "SUPER_REACTION_ADD", "CODE_SNIPPET_CREATE", "KANBAN_CARD_CREATE", "KANBAN_CARD_MOVE",
    "CHANNEL_WIDGET_CREATE", "CHANNEL_WIDGET_UPDATE", "CHANNEL_WIDGET_DELETE",
    "COMPONENT_INTERACTION", "BOT_PRESENCE_UPDATE",
    "ACTIVITY_SESSION_START", "ACTIVITY_PARTICIPANT_JOIN", "ACTIVITY_PARTICIPANT_LEAVE",
    "ACTIVITY_SESSION_END", "ACTIVITY_STATE_UPDATE",
    "GAME_SESSION_CREATE", "GAME_PLAYER_JOIN", "GAME_MOVE",
    "WATCH_TOGETHER_START", "WATCH_TOGETHER_SYNC", "MUSIC_PARTY_START", "MUSIC_PARTY_QUEUE_ADD",
    "SOUNDBOARD_SOUND_CREATE", "SOUNDBOARD_SOUND_DELETE", "SOUNDBOARD_PLAY",
    "VOICE_BROADCAST_START", "VOICE_BROADCAST_END",
    "SCREEN_SHARE_START", "SCREEN_SHARE_END", "SCREEN_SHARE_UPDATE",
}  # fmt: skip

# SPEC §6 fields of each event-specific payload (the §5 objects are checked through
# the samples below). A catalog payload must have all of them, and nothing more than
# the fields listed in ADDED_FOR_ROUTING or ADDED_FOR_CLIENTS.
SPEC_FIELDS = {
    "RESUMED": "replayed",
    "GUILD_MEMBERS_CHUNK": "guild_id members not_found",
    "MESSAGE_DELETE": "id channel_id guild_id",
    "MESSAGE_DELETE_BULK": "message_ids channel_id guild_id",
    "MESSAGE_REACTION_ADD": "message_id channel_id guild_id user_id emoji count",
    "MESSAGE_REACTION_REMOVE": "message_id channel_id guild_id user_id emoji count",
    "MESSAGE_REACTION_CLEAR": "message_id channel_id guild_id emoji",
    "MESSAGE_EMBED_UPDATE": "message_id channel_id guild_id embeds",
    "CHANNEL_DELETE": "id guild_id",
    "CHANNEL_PINS_UPDATE": "channel_id guild_id message_id pinned last_pin_at",
    "TYPING_START": "channel_id guild_id user_id timestamp",
    "CHANNEL_ACK": "channel_id message_id user_id",
    "GUILD_DELETE": "id",
    "GUILD_MEMBER_REMOVE": "guild_id user_id",
    "GUILD_MEMBERS_PRUNE": "guild_id pruned user_ids",
    "GUILD_ROLE_DELETE": "guild_id role_id",
    "GUILD_BAN_ADD": "guild_id user_id reason",
    "GUILD_BAN_REMOVE": "guild_id user_id reason",
    "GUILD_EMOJI_DELETE": "id guild_id",
    "GUILD_ONBOARDING_UPDATE": ("guild_id enabled welcome_message rules default_channel_ids prompts updated_at"),
    "GUILD_EVENT_CREATE": (
        "id guild_id creator_id name description location channel_id scheduled_start "
        "scheduled_end status interested_count"
    ),
    "GUILD_EVENT_DELETE": "id guild_id",
    "RAID_LOCKDOWN": "guild_id active reason triggered_by started_at",
    "AUTOMOD_ACTION": "guild_id channel_id message_id user_id rule_id rule_name action reason",
    "POLL_VOTE": "poll_id channel_id user_id option_ids options total_votes",
    "POLL_CLOSE": "poll_id channel_id closed_by",
    "PRESENCE_UPDATE": "user_id status activity",
    "RELATIONSHIP_REMOVE": "user_id target_id",
    "VOICE_STATE_UPDATE": ("user_id guild_id channel_id session_id self_mute self_deaf mute deaf self_stream user"),
    "VOICE_SERVER_UPDATE": "guild_id channel_id endpoint token",
    "CALL_RING": "channel_id caller_id caller channel_type",
    "SOUNDBOARD_SOUND_CREATE": "guild_id sound",
    "SOUNDBOARD_SOUND_DELETE": "guild_id sound_id",
    "SOUNDBOARD_PLAY": "guild_id channel_id sound_id user_id volume",
    "VOICE_BROADCAST_START": "broadcast_id channel_id guild_id broadcaster_id title",
    "SCREEN_SHARE_UPDATE": ("session_id channel_id guild_id user_id resolution framerate audio_enabled"),
    "ANNOUNCEMENT_CREATE": "id title content severity active expires_at",
    "ANNOUNCEMENT_DELETE": "id",
    "NOTIFICATION_DELETE": "id",
    "NOTIFICATION_MARK_ALL_READ": "updated",
    "NOTIFICATION_CLEAR_ALL": "",
    "CHANNEL_GROUP_DELETE": "id guild_id",
    "CHANNEL_GROUP_ITEMS_UPDATE": "group_id guild_id channel_ids",
    "LOCATION_SHARE_CREATE": ("id user_id channel_id latitude longitude accuracy label live expires_at"),
    "LOCATION_SHARE_STOP": "id user_id channel_id",
    "MESSAGE_EFFECT_CREATE": "id message_id channel_id user_id effect_type config",
    "SUPER_REACTION_ADD": "id message_id channel_id user_id emoji intensity",
    "WHITEBOARD_UPDATE": "whiteboard_id channel_id user_id state version",
    "CODE_SNIPPET_CREATE": "id channel_id author_id title language code",
    "KANBAN_CARD_MOVE": "card_id board_id column_id position channel_id",
    "CHANNEL_WIDGET_DELETE": "widget_id channel_id",
    "ACTIVITY_PARTICIPANT_JOIN": "session_id user_id",
    "ACTIVITY_PARTICIPANT_LEAVE": "session_id user_id",
    "ACTIVITY_STATE_UPDATE": "session_id state",
    "GAME_SESSION_CREATE": "id channel_id game_type state status",
    "GAME_PLAYER_JOIN": "game_id user_id player_index",
    "GAME_MOVE": "game_id user_id move state status next_turn",
    "WATCH_TOGETHER_SYNC": "session_id current_time_ms playing playback_rate",
    "MUSIC_PARTY_QUEUE_ADD": "session_id track queue_size",
    "COMPONENT_INTERACTION": ("message_id channel_id user_id custom_id component_type values bot_id"),
    "BOT_PRESENCE_UPDATE": "bot_id status activity",
    "FEDERATION_RETRY": "domain attempts",
    "SESSIONS_REVOKE": "user_id token_hashes all_but",
}

# Fields our payloads add to SPEC §6 shapes, each because the event's audience key needs it.
# Fields AmityVox's original clients read beyond SPEC's list.
ADDED_FOR_CLIENTS = {
    "MESSAGE_REACTION_ADD": {"reactions"},  # the whole list, which the original web client applies at once
    "MESSAGE_REACTION_REMOVE": {"reactions"},
    # What the original web client reads, derived by the catalog at publish time (events/aliases.py),
    # and whether the camera is on, which only this project's clients read.
    "VOICE_STATE_UPDATE": {"action", "muted", "deafened", "username", "display_name", "avatar_id", "self_video"},
    "CALL_RING": {"caller_name", "caller_display_name", "caller_avatar_id"},
    # The peer-to-peer mesh's RTCPeerConnection settings, and which media path (mesh or LiveKit) to use.
    "VOICE_SERVER_UPDATE": {"ice_servers", "max_peers", "media"},
}

ADDED_FOR_ROUTING = {
    "VOICE_SERVER_UPDATE": {"user_id"},
    "NOTIFICATION_DELETE": {"user_id"},
    "NOTIFICATION_MARK_ALL_READ": {"user_id"},
    "NOTIFICATION_CLEAR_ALL": {"user_id"},
    "ACTIVITY_PARTICIPANT_JOIN": {"channel_id"},
    "ACTIVITY_PARTICIPANT_LEAVE": {"channel_id"},
    "ACTIVITY_STATE_UPDATE": {"channel_id"},
    "GAME_PLAYER_JOIN": {"channel_id"},
    "GAME_MOVE": {"channel_id"},
    "WATCH_TOGETHER_SYNC": {"channel_id"},
    "MUSIC_PARTY_QUEUE_ADD": {"channel_id"},
}

# A user leaving voice is reported with channel_id null (SPEC §2 op 4), so this key
# alone may be absent; the router then uses the channel the user was in.
NULLABLE_KEYS = {("VOICE_STATE_UPDATE", "channel_id")}

_UNIONS = (Union, types.UnionType)


# --- the original's parity audit, parsed ---------------------------------------------------


@dataclass(frozen=True)
class SeedRow:
    number: int
    name: str
    subject: str | None
    status: str


def _seed_text() -> str:
    return (SHARED_SEED if SHARED_SEED.exists() else DOCS_SEED).read_text(encoding="utf-8")


def _seed_rows() -> list[SeedRow]:
    rows = []
    for line in _seed_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].isdigit():
            continue
        name = re.fullmatch(r"`([A-Z_]+)`", cells[1])
        assert name, f"seed row {cells[0]}: no event name in {cells[1]!r}"
        subject = re.search(r"`([^`]+)`", cells[2])
        assert subject or "client-local" in cells[2], f"seed row {cells[0]}: {cells[2]!r}"
        rows.append(
            SeedRow(
                number=int(cells[0]),
                name=name.group(1),
                subject=subject.group(1) if subject else None,
                status=cells[-1].strip("* "),
            )
        )
    return rows


def _gap_label(heading: str) -> str:
    """'High -- Voice/Soundboard Events ...' -> 'High: voice'; 'Dead Events -- ...' -> 'Dead'."""
    level, _, topic = heading.partition(" -- ")
    level = level.split()[0]
    return f"High: {topic.split('/')[0].lower()}" if level == "High" else level


def _expand(token: str) -> list[str]:
    """'POLL_CREATE/VOTE/CLOSE' -> POLL_CREATE, POLL_VOTE, POLL_CLOSE."""
    first, *others = token.split("/")
    stem = first.rsplit("_", 1)[0]
    return [first, *(f"{stem}_{suffix}" for suffix in others)]


def _seed_gaps() -> dict[str, str]:
    """Each event's gap heading; an event listed as dead is 'Dead' whatever else lists it."""
    section = _seed_text().split("## Categorized Gap Analysis", 1)[1].split("\n## ", 1)[0]
    headings: defaultdict[str, set[str]] = defaultdict(set)
    heading = None
    for line in section.splitlines():
        if line.startswith("### "):
            heading = _gap_label(line[4:])
        elif heading and line.startswith("|"):
            for token in re.findall(r"`([A-Z][A-Z_/]+)`", line):
                for name in _expand(token):
                    headings[name].add(heading)
    gaps = {}
    for name, found in headings.items():
        if "Dead" in found:
            gaps[name] = "Dead"
        else:
            assert len(found) == 1, f"{name} is under several gap headings: {found}"
            gaps[name] = found.pop()
    return gaps


SEED_ROWS = _seed_rows()
SEED_NAMES = [row.name for row in SEED_ROWS]


def test_seed_parses_into_its_87_numbered_rows() -> None:
    assert [row.number for row in SEED_ROWS] == list(range(1, 88))
    assert len(set(SEED_NAMES)) == 87


def test_docs_copy_of_the_seed_is_verbatim() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("the shared seed is not beside the repository")
    assert DOCS_SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_every_seed_event_is_in_the_catalog() -> None:
    missing = [name for name in SEED_NAMES if name not in CATALOG]
    assert missing == []


@pytest.mark.parametrize("row", SEED_ROWS, ids=lambda row: row.name)
def test_seed_subject_and_status_are_recorded(row: SeedRow) -> None:
    event = CATALOG[row.name]
    assert (event.seed_subject, event.seed_status) == (row.subject, row.status)


def test_seed_gap_headings_are_recorded() -> None:
    gaps = _seed_gaps()
    assert set(gaps) <= set(SEED_NAMES)
    wrong = {
        name: (event.seed_gap, gaps.get(name)) for name, event in CATALOG.items() if event.seed_gap != gaps.get(name)
    }
    assert wrong == {}


def test_dead_events_are_filed_under_dead() -> None:
    for row in SEED_ROWS:
        if row.status == "DEAD":
            assert CATALOG[row.name].seed_gap == "Dead", row.name


def test_catalog_is_the_seed_in_order_then_the_spec_extras() -> None:
    assert list(CATALOG) == SEED_NAMES + SPEC_EXTRAS


@pytest.mark.parametrize("name", SPEC_EXTRAS)
def test_spec_extra_is_in_the_catalog_without_seed_data(name: str) -> None:
    event = get(name)
    assert (event.seed_subject, event.seed_status, event.seed_gap) == (None, None, None)


def test_audited_subjects_are_kept_unless_the_spec_renames_them() -> None:
    for row in SEED_ROWS:
        event = CATALOG[row.name]
        if row.subject is None:  # READY, sent by the gateway, or a client-local event
            area = "gateway" if event.audience.scope is Scope.SESSION else "client"
            assert event.subject.startswith(f"amityvox.{area}."), row.name
        elif row.name in RENAMED:
            assert event.subject != row.subject, row.name
        else:
            assert event.subject == row.subject, row.name


# --- subjects and audiences -------------------------------------------------------------


def test_subjects_are_unique() -> None:
    subjects = [event.subject for event in CATALOG.values()]
    assert len(subjects) == len(set(subjects))


def test_subjects_are_under_the_prefix() -> None:
    assert SUBJECT_PREFIX == "amityvox."
    outside = [e.name for e in CATALOG.values() if not e.subject.startswith(SUBJECT_PREFIX)]
    assert outside == []


def test_every_event_has_an_audience_with_a_key_where_its_scope_needs_one() -> None:
    unkeyed = {Scope.INTERNAL, Scope.LOCAL, Scope.SESSION, Scope.EVERYONE}
    for event in CATALOG.values():
        assert isinstance(event.audience.scope, Scope), event.name
        if event.audience.scope in unkeyed:
            assert event.audience.key is None, event.name
        else:
            assert event.audience.key, event.name


def _field(model: type[BaseModel], path: str) -> FieldInfo:
    """The field a dotted path names, through nested (optional) models; fails if none."""
    info: FieldInfo | None = None
    annotation: Any = model
    for part in path.split("."):
        options = get_args(annotation) if get_origin(annotation) in _UNIONS else (annotation,)
        models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
        assert models, f"{path!r}: {part!r} is not inside a model"
        assert part in models[0].model_fields, f"{path!r}: no field {part!r} in {models[0]}"
        info = models[0].model_fields[part]
        annotation = info.annotation
    assert info is not None
    return info


def _audience_paths(name: str) -> list[str]:
    audience = CATALOG[name].audience
    return [p for p in (audience.key, *audience.plus, audience.minus) if p is not None]


@pytest.mark.parametrize("name", list(CATALOG))
def test_audience_paths_name_id_fields_of_the_payload(name: str) -> None:
    payload = CATALOG[name].payload
    for path in _audience_paths(name):
        annotation = _field(payload, path).annotation
        assert annotation in (str, str | None), f"{name}: {path} is {annotation}, not an id"


@pytest.mark.parametrize("name", list(CATALOG))
def test_audience_paths_are_required_fields(name: str) -> None:
    payload = CATALOG[name].payload
    for path in _audience_paths(name):
        if (name, path) in NULLABLE_KEYS:
            continue
        prefix = ""
        for part in path.split("."):
            prefix = f"{prefix}.{part}" if prefix else part
            assert _field(payload, prefix).is_required(), f"{name}: {prefix} is optional"


def test_routing_rules_follow_the_spec_audiences() -> None:
    expected = {
        "CHANNEL_DELETE": (Scope.CHANNEL, "id", True),
        "THREAD_CREATE": (Scope.CHANNEL, "parent_channel_id", False),
        "GUILD_CREATE": (Scope.USER, "member.user_id", False),
        "GUILD_DELETE": (Scope.GUILD, "id", True),
        "GUILD_MEMBER_REMOVE": (Scope.GUILD, "guild_id", True),
        "GUILD_MEMBERS_PRUNE": (Scope.GUILD, "guild_id", True),
        "GUILD_BAN_ADD": (Scope.MODERATORS, "guild_id", False),
        "AUTOMOD_ACTION": (Scope.MODERATORS, "guild_id", False),
        "GUILD_AUDIT_LOG_ENTRY_CREATE": (Scope.PERMISSION, "guild_id", False),
        "GUILD_REPORT_CREATE": (Scope.MODERATORS, "guild_id", False),
        "GUILD_MEMBER_WARNING_CREATE": (Scope.MODERATORS, "guild_id", False),
        "USER_UPDATE": (Scope.SOCIAL, "id", False),
        "COMPONENT_INTERACTION": (Scope.USER, "bot_id", False),
        "INTERACTION_CREATE": (Scope.USER, "application_id", False),
        "APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE": (Scope.USER, "user_id", False),
        "EPHEMERAL_MESSAGE_CREATE": (Scope.USER, "interaction.user_id", False),
        "APPLICATION_COMMAND_CREATE": (Scope.GUILD, "guild_id", False),
        "APPLICATION_COMMAND_UPDATE": (Scope.GUILD, "guild_id", False),
        "APPLICATION_COMMAND_DELETE": (Scope.GUILD, "guild_id", False),
        "BOT_PRESENCE_UPDATE": (Scope.SOCIAL, "bot_id", False),
        "FEDERATION_RETRY": (Scope.INTERNAL, None, False),
        "SESSIONS_REVOKE": (Scope.INTERNAL, None, False),
        "ANNOUNCEMENT_DELETE": (Scope.EVERYONE, None, False),
        "RESUMED": (Scope.SESSION, None, False),
    }
    for name, (scope, key, before) in expected.items():
        audience = CATALOG[name].audience
        assert (audience.scope, audience.key, audience.before) == (scope, key, before), name
    assert CATALOG["TYPING_START"].audience.minus == "user_id"
    assert CATALOG["CALL_RING"].audience.minus == "caller_id"
    assert CATALOG["GUILD_BAN_REMOVE"].audience.plus == ("user_id",)
    assert CATALOG["AUTOMOD_ACTION"].audience.plus == ("user_id",)
    assert CATALOG["GUILD_AUDIT_LOG_ENTRY_CREATE"].audience.permission == "ViewAuditLog"
    assert CATALOG["GUILD_REPORT_CREATE"].audience.plus == ()  # never to the reporter
    assert CATALOG["GUILD_MEMBER_WARNING_CREATE"].audience.plus == ("user_id",)
    for name in ("GATEWAY_DISCONNECTED", "GATEWAY_AUTH_FAILED", "GATEWAY_EXHAUSTED"):
        assert CATALOG[name].audience.scope is Scope.LOCAL


# --- payload shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SPEC_FIELDS))
def test_payload_has_the_spec_fields_and_only_declared_additions(name: str) -> None:
    fields = set(get(name).payload.model_fields)
    spec = set(SPEC_FIELDS[name].split())
    assert spec <= fields, f"missing SPEC fields: {spec - fields}"
    assert fields - spec == ADDED_FOR_ROUTING.get(name, set()) | ADDED_FOR_CLIENTS.get(name, set())


@pytest.mark.parametrize("name", sorted(ADDED_FOR_ROUTING))
def test_added_routing_fields_are_required_and_documented(name: str) -> None:
    event = get(name)
    for field in ADDED_FOR_ROUTING[name]:
        assert event.payload.model_fields[field].is_required()
        assert field in event.description


def test_categories_and_stores_are_known() -> None:
    for event in CATALOG.values():
        assert event.category in CATEGORIES, event.name
        assert set(event.stores) <= set(STORES), event.name


def test_every_client_visible_event_updates_a_store() -> None:
    assert [e.name for e in client_visible() if not e.stores] == []


def test_every_event_has_a_one_line_description() -> None:
    for event in CATALOG.values():
        assert event.description and "\n" not in event.description, event.name


# --- lookups ----------------------------------------------------------------------------


def test_get_returns_the_entry_and_names_an_unknown_event() -> None:
    assert get("MESSAGE_CREATE").subject == "amityvox.message.create"
    with pytest.raises(KeyError, match="LOCATION_SHARE_END"):
        get("LOCATION_SHARE_END")


def test_by_subject_inverts_subjects() -> None:
    for event in CATALOG.values():
        assert by_subject(event.subject) is event
    with pytest.raises(KeyError, match=re.escape("amityvox.channel.activity")):
        by_subject("amityvox.channel.activity")


def test_client_visible_leaves_out_internal_and_local_events() -> None:
    visible = {event.name for event in client_visible()}
    hidden = {"FEDERATION_RETRY", "SESSIONS_REVOKE", "GATEWAY_DISCONNECTED", "GATEWAY_AUTH_FAILED"}
    hidden.add("GATEWAY_EXHAUSTED")
    assert visible == set(CATALOG) - hidden
    assert [e.name for e in client_visible()] == [n for n in CATALOG if n not in hidden]


# --- validate ---------------------------------------------------------------------------

ALICE = {
    "id": "01HZX3V5E8Q7J2K4M6N8P0R2T4",
    "username": "alice",
    "display_name": "Alice",
    "status_presence": "online",
    "flags": 0,
    "created_at": "2026-02-18T09:00:00Z",
}
GUILD_ID = "01HZX3V5E8Q7J2K4M6N8P0R2G0"
CHANNEL_ID = "01HZX3V5E8Q7J2K4M6N8P0R2C0"
MESSAGE_ID = "01HZX3V5E8Q7J2K4M6N8P0R2M0"

SAMPLES: dict[str, tuple[dict[str, Any], str]] = {
    # event: (a realistic payload, one of its required fields)
    "MESSAGE_CREATE": (
        {
            "id": MESSAGE_ID,
            "channel_id": CHANNEL_ID,
            "guild_id": GUILD_ID,
            "author_id": ALICE["id"],
            "author": ALICE,
            "content": "see https://example.org",
            "message_type": "default",
            "flags": 0,
            "mention_user_ids": [],
            "mention_role_ids": [],
            "mention_here": False,
            "attachments": [
                {
                    "id": "01HZX3V5E8Q7J2K4M6N8P0R2A0",
                    "filename": "cat.png",
                    "content_type": "image/png",
                    "size_bytes": 48213,
                    "url": "/files/01HZX3V5E8Q7J2K4M6N8P0R2A0/cat.png",
                    "width": 640,
                    "height": 480,
                }
            ],
            "embeds": [],
            "reactions": [{"emoji": "👍", "count": 1, "me": False}],
            "pinned": False,
            "nonce": "n-1",
            "created_at": "2026-02-18T10:00:00Z",
        },
        "author",
    ),
    "MESSAGE_REACTION_ADD": (
        {
            "message_id": MESSAGE_ID,
            "channel_id": CHANNEL_ID,
            "guild_id": GUILD_ID,
            "user_id": ALICE["id"],
            "emoji": "👍",
            "count": 2,
            "reactions": [{"emoji": "👍", "count": 2}],
        },
        "count",
    ),
    "CHANNEL_UPDATE": (
        {
            "id": CHANNEL_ID,
            "guild_id": GUILD_ID,
            "channel_type": "text",
            "name": "general",
            "topic": "hello",
            "position": 0,
            "slowmode_seconds": 0,
            "nsfw": False,
            "permission_overwrites": [
                {"id": GUILD_ID, "type": "role", "allow": "0", "deny": str(1 << 22)},
            ],
            "locked": True,
            "archived": False,
            "created_at": "2026-02-18T09:30:00Z",
        },
        "permission_overwrites",
    ),
    "GUILD_MEMBER_REMOVE": ({"guild_id": GUILD_ID, "user_id": ALICE["id"]}, "user_id"),
    "POLL_VOTE": (
        {
            "poll_id": "01HZX3V5E8Q7J2K4M6N8P0R2P0",
            "channel_id": CHANNEL_ID,
            "user_id": ALICE["id"],
            "option_ids": ["01HZX3V5E8Q7J2K4M6N8P0R2O1"],
            "options": [
                {"id": "01HZX3V5E8Q7J2K4M6N8P0R2O1", "vote_count": 3},
                {"id": "01HZX3V5E8Q7J2K4M6N8P0R2O2", "vote_count": 1},
            ],
            "total_votes": 4,
        },
        "total_votes",
    ),
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_validate_accepts_a_realistic_payload(name: str) -> None:
    validate(name, deepcopy(SAMPLES[name][0]))


@pytest.mark.parametrize("name", list(SAMPLES))
def test_validate_rejects_a_missing_required_field(name: str) -> None:
    data, required = deepcopy(SAMPLES[name][0]), SAMPLES[name][1]
    del data[required]
    with pytest.raises(ValidationError, match=required):
        validate(name, data)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_validate_rejects_an_unknown_field(name: str) -> None:
    data = deepcopy(SAMPLES[name][0]) | {"member_count": 3}
    with pytest.raises(ValidationError, match="member_count"):
        validate(name, data)


def test_validate_rejects_a_value_that_needs_coercion() -> None:
    data = deepcopy(SAMPLES["MESSAGE_REACTION_ADD"][0]) | {"count": "2"}
    with pytest.raises(ValidationError, match="count"):
        validate("MESSAGE_REACTION_ADD", data)


def test_a_message_author_cannot_carry_an_email() -> None:
    data = deepcopy(SAMPLES["MESSAGE_CREATE"][0])
    data["author"]["email"] = "alice@example.org"
    with pytest.raises(ValidationError, match="email"):
        validate("MESSAGE_CREATE", data)


def test_anonymous_poll_vote_omits_the_voter() -> None:
    data = deepcopy(SAMPLES["POLL_VOTE"][0])
    del data["user_id"]
    validate("POLL_VOTE", data)


def test_validate_names_an_unknown_event() -> None:
    with pytest.raises(KeyError, match="CHANNEL_WIDGET_REMOVE"):
        validate("CHANNEL_WIDGET_REMOVE", {})


@pytest.mark.parametrize(
    ("audience", "error"),
    [
        (Audience(Scope.PERMISSION, "guild_id"), "named by, and only by"),
        (Audience(Scope.GUILD, "guild_id", permission="ViewAuditLog"), "named by, and only by"),
        (Audience(Scope.PERMISSION, "guild_id", permission="ReadMinds"), "not a permission bit"),
    ],
)
def test_a_permission_audience_must_name_a_real_bit(audience: Audience, error: str) -> None:
    entry = dataclasses.replace(CATALOG["GUILD_AUDIT_LOG_ENTRY_CREATE"], audience=audience)
    with pytest.raises(ValueError, match=error):
        catalog._check((entry,))
