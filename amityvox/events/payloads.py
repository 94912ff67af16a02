"""Typed payloads (`d`) of every real-time event, and the objects they carry (docs/protocol.md#events);
also the shapes only REST answers with (most say "REST only"), beside their siblings: every route
names its answer's model here (docs/rest.md#shapes).

Every model forbids unknown fields, so a publisher that drifts from the wire shape
fails loudly instead of shipping fields no client knows. Fields the docs mark `?`
are `X | None = None` (omitted from the frame when null); all others are required.
IDs are ULID strings, timestamps RFC 3339 strings, permission bitfields decimal strings
(JavaScript numbers lose bits above 2^53).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ID: TypeAlias = str  # a ULID (docs/protocol.md#encoding-and-compression)
Timestamp: TypeAlias = str  # RFC 3339, UTC (docs/protocol.md#encoding-and-compression)
Bits: TypeAlias = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,20}$")]  # a uint64 bitfield (docs/rest.md)
JSONDocument: TypeAlias = dict[str, Any]  # free-form state owned by a feature (game, whiteboard)

ChannelType = Literal["text", "voice", "dm", "group", "announcement", "forum", "stage", "category"]
OverwriteType = Literal["role", "user"]
RelationshipType = Literal["friend", "blocked", "pending_outgoing", "pending_incoming"]
# What a user may set (op 3) plus "offline"; events never show "invisible" to others.
PresenceStatus = Literal["online", "idle", "focus", "busy", "invisible", "offline"]
VisiblePresence = Literal["online", "idle", "focus", "busy", "offline"]
# Statuses a user may choose, and the other names accepted for them (Discord's `dnd`).
SETTABLE_STATUSES = ("online", "idle", "focus", "busy", "invisible")
STATUS_ALIASES = {"dnd": "busy"}


def settable_status(value: object, allowed: tuple[str, ...] = SETTABLE_STATUSES) -> str | None:
    """`value` as a status of `allowed` (aliases resolved), or None when it is not one."""
    status = STATUS_ALIASES.get(value, value) if isinstance(value, str) else None
    return status if status in allowed else None


ReportStatus = Literal["open", "resolved", "dismissed"]
ComponentType = Literal["button", "select"]  # message components a bot can be told were used
SignalKind = Literal["offer", "answer", "ice"]  # a WebRTC signal between two peers of a mesh call
VoiceMedia = Literal["livekit", "mesh"]  # how a voice channel's media flows
# Who may change an activity session's shared state.
ActivityStateUpdates = Literal["host", "participants"]
PresenceActivityType = Literal["playing", "listening", "watching", "streaming", "custom", "competing"]
RegistrationMode = Literal["open", "invite_only", "closed"]  # who may sign up
NotificationLevel = Literal["all", "mentions", "none"]  # what of a channel notifies a user


class Payload(BaseModel):
    """Base of every wire object: unknown fields are a validation error."""

    model_config = ConfigDict(extra="forbid")


# --- wire objects (docs/protocol.md#objects) ------------------------------------------


class User(Payload):
    id: ID
    username: str
    display_name: str | None = None
    avatar_id: ID | None = None
    status_text: str | None = None
    status_presence: PresenceStatus
    bio: str | None = None
    bot_owner_id: ID | None = None
    avatar_url: str | None = None  # only a webhook message's author: the avatar it was sent with
    flags: int
    created_at: Timestamp


class SelfUser(User):
    """The user as seen by themself. Kept apart from User so e-mail cannot leak to others."""

    email: str | None = None
    email_verified: bool | None = None  # with `email`: whether its owner opened a link mailed there


class Login(Payload):
    """A finished sign-in (REST only: register, login, its two-factor step, passkeys)."""

    user: SelfUser
    token: str  # the session's bearer token, shown only here
    deletion_cancelled: bool | None = None  # true when signing in called off the account's deletion


class MfaChallenge(Payload):
    """POST /auth/login for an account with two-factor authentication: the ticket for the second step."""

    mfa_required: Literal[True]
    ticket: str
    methods: list[Literal["totp", "backup_code"]]


class TwoFactorStatus(Payload):
    enabled: bool
    backup_codes_left: int


class TotpSecret(Payload):
    """The secret of a two-factor setup in progress, to be confirmed with a code."""

    secret: str
    qr_code_uri: str


class TotpConfirmed(Payload):
    verified: bool
    backup_codes: list[str]  # shown once


class BackupCodes(Payload):
    codes: list[str]  # shown once; the earlier ones no longer work


class Passkey(Payload):
    id: ID
    name: str
    created_at: Timestamp
    last_used_at: Timestamp | None = None


class LoginSession(Payload):
    """One of the user's signed-in sessions (GET /users/@me/sessions)."""

    id: ID
    user_agent: str | None = None
    address: str | None = None
    created_at: Timestamp
    last_seen_at: Timestamp | None = None
    expires_at: Timestamp
    current: bool  # the session asking


class AccountDeletion(Payload):
    """A scheduled account deletion: signing in before `erase_at` calls it off."""

    erase_at: Timestamp
    grace_days: int


class PendingEmail(Payload):
    pending_email: str  # replaces the current address once the link mailed to it is opened


class DataExport(Payload):
    id: ID
    status: Literal["pending", "running", "ready", "failed", "expired"]
    created_at: Timestamp
    finished_at: Timestamp | None = None
    expires_at: Timestamp | None = None  # ready ones: downloadable until then
    size_bytes: int | None = None


class AdminUser(User):
    """A user as instance administrators see it (REST only: /admin/users)."""

    is_admin: bool
    suspended: bool
    email: str | None = None
    suspended_at: Timestamp | None = None
    deleted_at: Timestamp | None = None


class AdminUserGuild(Payload):
    id: ID
    name: str
    owner: bool  # the user owns it


class AdminUserDetail(AdminUser):
    """GET /admin/users/{u}: the account, its guilds, its sessions and two-factor state."""

    guilds: list[AdminUserGuild]
    sessions: int  # unexpired login sessions
    two_factor: bool
    erase_at: Timestamp | None = None  # when its owner asked for its deletion


class Guild(Payload):
    id: ID
    owner_id: ID
    name: str
    description: str | None = None
    icon_id: ID | None = None
    banner_id: ID | None = None
    system_channel_id: ID | None = None  # the text channel where join messages are posted
    default_permissions: Bits
    flags: int
    nsfw: bool
    discoverable: bool
    member_count: int
    created_at: Timestamp


class AdminGuild(Guild):
    """GET /admin/guilds/{g} (REST only): the guild with its owner's account and its size."""

    owner: AdminUser
    channel_count: int


class PermissionOverwrite(Payload):
    id: ID  # role or user id; the guild's own id is the @everyone overwrite
    type: OverwriteType
    allow: Bits
    deny: Bits


class Channel(Payload):
    id: ID
    guild_id: ID | None = None
    category_id: ID | None = None
    channel_type: ChannelType
    name: str | None = None
    topic: str | None = None
    position: int
    slowmode_seconds: int
    nsfw: bool
    last_message_id: ID | None = None
    owner_id: ID | None = None
    parent_channel_id: ID | None = None
    permission_overwrites: list[PermissionOverwrite]
    locked: bool
    archived: bool
    created_at: Timestamp
    recipients: list[User] | None = None  # DM and group channels only


class ThreadChannel(Channel):
    """A thread: a Channel whose parent is required, since THREAD_CREATE routes by it."""

    parent_channel_id: ID


class Reaction(Payload):
    emoji: str
    count: int
    me: bool  # per viewer; reaction events carry user_id so each client derives it


class Thumbnail(Payload):
    """A WebP copy of an image attachment fitting in `size` x `size` pixels."""

    size: int
    width: int
    height: int
    size_bytes: int
    content_type: str
    url: str


class Attachment(Payload):
    """An uploaded file (services/media.py). `url` is signed and expires; `thumbnails` appears on
    images once the thumbnail worker is done (MESSAGE_UPDATE). Fields beyond these pass through."""

    model_config = ConfigDict(extra="allow")

    id: ID
    filename: str
    content_type: str
    size_bytes: int
    url: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    blurhash: str | None = None
    thumbnails: list[Thumbnail] | None = None


class UploadLimits(Payload):
    """What uploads the server accepts, so a client can refuse a file before sending it."""

    upload_max_bytes: int
    upload_max_message_bytes: int
    upload_max_files: int
    upload_types: list[str]
    avatar_max_bytes: int
    emoji_max_bytes: int


class EmbedField(Payload):
    name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    value: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    inline: bool = False


class EmbedFooter(Payload):
    text: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    icon_url: str | None = None


class EmbedAuthor(Payload):
    name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    url: str | None = None
    icon_url: str | None = None


class Embed(Payload):
    """A link preview produced by the embed worker, or a rich embed a poster or webhook sent
    (docs/rest.md#webhooks maps Discord's embed shape onto this one)."""

    url: str | None = None
    type: str  # website, image, video, rich
    title: str | None = None
    description: str | None = None
    image: str | None = None  # image URL
    site_name: str | None = None
    color: Annotated[int, Field(ge=0, le=0xFFFFFF)] | None = None  # 0xRRGGBB
    timestamp: Timestamp | None = None
    thumbnail: str | None = None  # image URL
    author: EmbedAuthor | None = None
    footer: EmbedFooter | None = None
    fields: Annotated[list[EmbedField], Field(max_length=25)] | None = None


class MessageInteraction(Payload):
    """On a bot's answer to a slash command: which command, used by whom."""

    id: ID  # the interaction
    name: str  # the command's name
    user_id: ID  # who used it


class Message(Payload):
    id: ID
    channel_id: ID
    guild_id: ID | None = None
    author_id: ID
    author: User
    content: str
    message_type: str
    edited_at: Timestamp | None = None
    flags: int
    reply_to_ids: list[ID] | None = None
    mention_user_ids: list[ID]
    mention_role_ids: list[ID]
    mention_here: bool
    thread_id: ID | None = None
    attachments: list[Attachment]
    embeds: list[Embed]
    reactions: list[Reaction]
    pinned: bool
    nonce: str | None = None
    webhook_id: ID | None = None  # posted through this webhook; `author` is then the webhook's
    interaction: MessageInteraction | None = None  # a bot's answer to this use of a command
    created_at: Timestamp


class MessageVersion(Payload):
    """An earlier version of an edited message (REST only: GET /channels/{c}/messages/{m}/history)."""

    content: str
    created_at: Timestamp
    replaced_at: Timestamp


class SearchSnippetPart(Payload):
    text: str
    match: bool  # a matching term, to highlight


class SearchHit(Payload):
    message: Message
    snippet: list[SearchSnippetPart]


class SearchResults(Payload):
    total_results: int
    offset: int
    limit: int
    results: list[SearchHit]  # newest first


class EphemeralMessage(Message):
    """A bot's answer only the command's user sees: a Message that always says whose use it answers."""

    interaction: MessageInteraction


class GuildMember(Payload):
    guild_id: ID
    user_id: ID
    user: User
    nickname: str | None = None
    roles: list[ID]
    joined_at: Timestamp
    timeout_until: Timestamp | None = None
    deaf: bool
    mute: bool


class MemberPermissions(Payload):
    """A member's permission bits in a guild or one of its channels (REST only)."""

    permissions: Bits


class Role(Payload):
    id: ID
    guild_id: ID
    name: str
    color: str | None = None  # "#rrggbb"
    hoist: bool
    mentionable: bool
    position: int
    permissions_allow: Bits
    permissions_deny: Bits
    created_at: Timestamp
    managed_by: ID | None = None  # the bot whose install created it: held by that bot alone


class CustomEmoji(Payload):
    id: ID
    guild_id: ID
    name: str
    creator_id: ID | None = None
    animated: bool
    created_at: Timestamp


class Invite(Payload):
    code: str
    guild_id: ID
    channel_id: ID | None = None
    inviter_id: ID
    max_uses: int
    uses: int
    expires_at: Timestamp | None = None
    created_at: Timestamp


class InviteGuild(Payload):
    """The public face of an invite's guild, shown to anyone holding the code."""

    id: ID
    name: str
    member_count: int
    description: str | None = None
    icon_id: ID | None = None


class InvitePreview(Invite):
    """GET /invites/{code} (REST only): the invite and its guild's public face. `guild_name`,
    `member_count` and `creator_id` repeat them at the top level, where the original clients read them."""

    guild: InviteGuild
    guild_name: str
    member_count: int
    creator_id: ID
    approximate_member_count: int | None = None  # with `?with_counts=true`
    approximate_presence_count: int | None = None  # with counts, where the process holds presence


class PollOption(Payload):
    id: ID
    text: str
    position: int
    vote_count: int


class Poll(Payload):
    id: ID
    channel_id: ID
    message_id: ID | None = None
    author_id: ID
    question: str
    multi_vote: bool
    anonymous: bool
    expires_at: Timestamp | None = None
    closed: bool
    options: list[PollOption]
    total_votes: int


class PollWithVotes(Poll):
    """A poll as GET /channels/{c}/polls lists it (REST only): with the caller's own choices."""

    voted_option_ids: list[ID]


class Relationship(Payload):
    user_id: ID  # whose view this is
    target_id: ID
    type: RelationshipType
    user: User  # the target's profile
    created_at: Timestamp


class ReadState(Payload):
    """One channel's read position, as GET /users/@me/read-state returns it."""

    channel_id: ID
    last_message_id: ID | None = None  # the last message the user has read
    unread_count: int
    mention_count: int


class PresenceActivity(Payload):
    """What a user says they are doing (PUT /users/@me/activity)."""

    type: PresenceActivityType
    name: str


class VoiceState(Payload):
    user_id: ID
    guild_id: ID | None = None
    channel_id: ID | None = None  # null: the user left voice
    session_id: str
    self_mute: bool
    self_deaf: bool
    mute: bool
    deaf: bool
    self_stream: bool
    self_video: bool = False  # the camera is on (absent from the original server's payloads)
    user: User


class VoiceStateUpdate(VoiceState):
    """VOICE_STATE_UPDATE: the state, plus the fields the original web client reads (derived at
    publish time by events/aliases.py): what happened, and the user and flags in its names."""

    action: Literal["join", "leave", "update"]
    muted: bool  # self_mute or mute
    deafened: bool  # self_deaf or deaf
    username: str
    display_name: str | None = None
    avatar_id: ID | None = None


class GuildEvent(Payload):
    id: ID
    guild_id: ID
    creator_id: ID
    name: str
    description: str | None = None
    location: str | None = None
    channel_id: ID | None = None
    scheduled_start: Timestamp
    scheduled_end: Timestamp | None = None
    status: str  # scheduled, active, completed, cancelled
    interested_count: int


class Announcement(Payload):
    id: ID
    title: str
    content: str
    severity: str  # info, warning, critical
    active: bool
    expires_at: Timestamp | None = None


class InstanceInfo(Payload):
    """GET /instance (REST only): what anyone may know of the instance before signing in."""

    name: str
    description: str
    registration_mode: RegistrationMode
    email: bool  # the server sends e-mail
    account_deletion_days: int  # how long a deleted account can still be recovered


class AuthRules(Payload):
    """GET /auth/rules (REST only): what sign-up accepts, so a form can say it before a refusal."""

    registration_open: bool
    registration_mode: RegistrationMode
    password_min_length: int
    password_max_length: int


class GatewayUrl(Payload):
    """GET /gateway (REST only): where clients open the gateway's WebSocket."""

    url: str


class CatalogEntry(Payload):
    """One event of GET /gateway/catalog (REST only), for clients checking their handlers."""

    name: str
    subject: str
    audience: str
    category: str
    client_visible: bool
    stores: list[str]
    aliases: list[str]


class PermissionBit(Payload):
    """One permission of GET /permissions (REST only), for settings screens."""

    name: str
    value: str  # a decimal string: bit 63 exceeds JS numbers
    scope: str  # guild or channel
    description: str


class InstanceRole(Payload):
    is_admin: bool


class InstanceSettings(Payload):
    """The instance's settings as its administrators read and change them (/admin/settings)."""

    name: str
    description: str
    registration_mode: RegistrationMode
    max_guilds_per_user: int  # 0: no limit
    max_message_length: int
    rate_limit_per_second: int  # REST requests per second per token; 0: no limit


class DailyMessages(Payload):
    date: str  # YYYY-MM-DD
    messages: int


class InstanceStats(Payload):
    users: int
    bots: int
    suspended_users: int
    guilds: int
    messages_per_day: list[DailyMessages]
    gateway_sessions: int
    events_routed: int
    events_delivered: int
    events_routed_per_second: float
    uptime_seconds: float


class InstanceReport(Payload):
    """A report addressed to the instance's administrators; `resolution` and `handled_by` are
    theirs alone."""

    id: ID
    reporter_id: ID
    user_id: ID
    guild_id: ID | None = None
    message_id: ID | None = None
    reason: str
    status: ReportStatus
    resolution: str | None = None
    handled_by: ID | None = None
    created_at: Timestamp
    updated_at: Timestamp


class Notification(Payload):
    id: ID
    user_id: ID  # the recipient
    type: str  # mention, reply, dm, reaction, friend_request, ...
    guild_id: ID | None = None
    channel_id: ID | None = None
    message_id: ID | None = None
    actor_id: ID | None = None
    content: str | None = None
    read: bool
    created_at: Timestamp


class NotificationsRead(Payload):
    updated: int  # how many notifications became read


class ChannelNotificationLevel(Payload):
    """A user's notification level for one channel, and until when it is muted."""

    user_id: ID
    channel_id: ID
    level: NotificationLevel
    muted_until: Timestamp | None = None


class ChannelGroup(Payload):
    id: ID
    guild_id: ID
    name: str
    position: int
    channel_ids: list[ID]
    created_at: Timestamp


class OnboardingOption(Payload):
    id: ID
    label: str
    description: str | None = None
    emoji: str | None = None
    role_ids: list[ID]  # granted when chosen
    channel_ids: list[ID]  # opened when chosen


class OnboardingPrompt(Payload):
    id: ID
    title: str
    required: bool
    single_select: bool
    position: int
    options: list[OnboardingOption]


class SoundboardSound(Payload):
    id: ID
    guild_id: ID
    name: str
    volume: float
    emoji: str | None = None
    creator_id: ID
    created_at: Timestamp


class KanbanCard(Payload):
    id: ID
    board_id: ID
    column_id: ID
    channel_id: ID
    title: str
    description: str | None = None
    position: int
    creator_id: ID
    created_at: Timestamp


class KanbanColumn(Payload):
    id: ID
    board_id: ID
    name: str
    position: int
    cards: list[KanbanCard]  # in position order


class KanbanBoard(Payload):
    """A kanban board (REST only); its columns only when it is read whole."""

    id: ID
    channel_id: ID
    name: str
    creator_id: ID
    created_at: Timestamp


class KanbanBoardWithColumns(KanbanBoard):
    columns: list[KanbanColumn]


class ChannelWidget(Payload):
    id: ID
    channel_id: ID
    guild_id: ID | None = None
    widget_type: str
    title: str
    config: JSONDocument
    position: int
    creator_id: ID
    created_at: Timestamp


class Activity(Payload):
    """An activity that sessions can be started of (REST only: /activities)."""

    id: ID
    name: str
    max_participants: int
    state_updates: ActivityStateUpdates
    builtin: bool  # shipped with the server
    description: str | None = None


class ActivitySession(Payload):
    id: ID
    activity_id: ID
    channel_id: ID
    guild_id: ID | None = None
    host_id: ID
    participants: list[ID]
    state: JSONDocument
    status: str  # active, ended
    started_at: Timestamp


class GameSession(Payload):
    id: ID
    channel_id: ID
    game_type: str  # trivia, tictactoe, chess, drawing, ...
    state: JSONDocument
    status: str  # waiting, active, finished


class WatchTogetherSession(Payload):
    id: ID
    channel_id: ID
    guild_id: ID | None = None
    host_id: ID
    video_url: str
    title: str | None = None
    current_time_ms: int
    playing: bool
    playback_rate: float
    started_at: Timestamp


class MusicTrack(Payload):
    url: str
    title: str
    artist: str | None = None
    duration_ms: int | None = None
    added_by: ID


class MusicPartySession(Payload):
    id: ID
    channel_id: ID
    guild_id: ID | None = None
    host_id: ID
    queue: list[MusicTrack]
    current_index: int
    playing: bool
    started_at: Timestamp


# --- gateway session events (docs/protocol.md) ----------------------------------------


class FullGuild(Guild):
    """A guild with what a member sees of it: GUILD_CREATE and READY's `guilds`."""

    channels: list[Channel]  # only those the member can view
    roles: list[Role]
    emoji: list[CustomEmoji]
    member: GuildMember  # the receiving user's own membership


class Ready(Payload):
    user: SelfUser
    session_id: str
    guild_ids: list[ID]
    guilds: list[FullGuild]
    dms: list[Channel]
    relationships: list[Relationship]
    read_state: list[ReadState]
    presences: dict[ID, VisiblePresence]  # user_id -> status, for those not offline
    voice_states: list[VoiceState]
    settings: UserSettings | None = None  # the user's own settings, as GET /users/@me/settings
    # The user's saved messages in channels they can read, newest first (without the messages).
    saved_messages: list[SavedMessage] = []


class Resumed(Payload):
    replayed: int


class GuildMembersChunk(Payload):
    guild_id: ID
    members: list[GuildMember]
    not_found: list[ID] | None = None


# --- client-local lifecycle (no wire frame) ---------------------------------------------


class GatewayDisconnected(Payload):
    code: int | None = None  # WebSocket close code, when the server sent one
    reason: str | None = None


class GatewayAuthFailed(Payload):
    code: int  # 4004: stop reconnecting and ask the user to log in again


class GatewayExhausted(Payload):
    attempts: int


# --- messages ---------------------------------------------------------------------------


class MessageDelete(Payload):
    id: ID
    channel_id: ID
    guild_id: ID | None = None


class MessageDeleteBulk(Payload):
    message_ids: list[ID]
    channel_id: ID
    guild_id: ID | None = None


class ReactionCount(Payload):
    emoji: str
    count: int


class MessageReaction(Payload):
    """MESSAGE_REACTION_ADD / _REMOVE: `count` is the new total, enough to update the message;
    `reactions` is the message's whole list after the change (without the per-viewer `me`,
    which each client derives from `user_id`), for clients that replace the list at once."""

    message_id: ID
    channel_id: ID
    guild_id: ID | None = None
    user_id: ID
    emoji: str
    count: int
    reactions: list[ReactionCount]


class MessageReactionClear(Payload):
    message_id: ID
    channel_id: ID
    guild_id: ID | None = None
    emoji: str | None = None  # absent: every emoji was cleared


class MessageEmbedUpdate(Payload):
    message_id: ID
    channel_id: ID
    guild_id: ID | None = None
    embeds: list[Embed]


# --- channels ---------------------------------------------------------------------------


class ChannelDelete(Payload):
    id: ID
    guild_id: ID | None = None


class WebhooksUpdate(Payload):
    """A channel's webhooks changed; clients that show them fetch the list again."""

    guild_id: ID
    channel_id: ID


class Webhook(Payload):
    """An incoming webhook (REST only, docs/rest.md#webhooks)."""

    id: ID
    type: int  # 1: incoming
    guild_id: ID
    channel_id: ID
    name: str
    avatar_url: str | None = None
    creator_id: ID | None = None
    created_at: Timestamp


class EventWebhook(Payload):
    """An endpoint that receives a guild's events as signed HTTP posts (REST only)."""

    id: ID
    guild_id: ID
    creator_id: ID
    url: str
    events: list[str]
    enabled: bool
    created_at: Timestamp
    secret: str | None = None  # only in the answer that created it: it signs every delivery


class EventDelivery(Payload):
    """One event sent, or to be sent, to an event webhook."""

    id: ID
    event: str
    event_id: str
    status: str  # pending, delivered, failed
    attempts: int
    response_status: int | None = None
    error: str | None = None
    next_attempt_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    created_at: Timestamp


class CreatedWebhook(Webhook):
    """The answer that creates a webhook: the only one that ever holds its token."""

    token: str
    url: str  # where to execute it


class ChannelPinsUpdate(Payload):
    channel_id: ID
    guild_id: ID | None = None
    message_id: ID
    pinned: bool
    last_pin_at: Timestamp | None = None


class TypingStart(Payload):
    channel_id: ID
    guild_id: ID | None = None
    user_id: ID
    timestamp: Timestamp


class ChannelAck(Payload):
    channel_id: ID
    message_id: ID
    user_id: ID


# --- guilds, members, roles, emoji -------------------------------------------------------


class GuildDelete(Payload):
    id: ID


class GuildMemberRemove(Payload):
    guild_id: ID
    user_id: ID


class GuildMembersPrune(Payload):
    guild_id: ID
    pruned: int
    user_ids: list[ID]


class PruneCount(Payload):
    """How many members a prune of `days` would remove (REST only: GET /guilds/{g}/prune)."""

    guild_id: ID
    days: int
    pruned: int


class GuildRoleDelete(Payload):
    guild_id: ID
    role_id: ID


class GuildEmojiDelete(Payload):
    id: ID
    guild_id: ID


class GuildOnboardingUpdate(Payload):
    guild_id: ID
    enabled: bool
    welcome_message: str
    rules: list[str]
    default_channel_ids: list[ID]
    prompts: list[OnboardingPrompt]
    updated_at: Timestamp


class OnboardingStatus(Payload):
    """Whether the caller completed a guild's onboarding (REST only)."""

    guild_id: ID
    completed: bool


class GuildEventDelete(Payload):
    id: ID
    guild_id: ID


# --- moderation -------------------------------------------------------------------------


class AuditLogChange(Payload):
    """One field an audited action changed: its value before (null when created) and after
    (null when deleted), in the shape the field has in the object's events."""

    key: str
    old: Any  # always present, null when there was no value
    new: Any


class AuditLogEntry(Payload):
    """GUILD_AUDIT_LOG_ENTRY_CREATE, and an entry of GET /guilds/{g}/audit-log."""

    id: ID
    guild_id: ID
    actor_id: ID
    action: str  # GUILD_UPDATE, CHANNEL_CREATE, MEMBER_BAN_ADD, ... (services/audit_log.py)
    target_type: str | None = None  # guild, channel, role, user, invite, emoji, automod_rule, onboarding
    target_id: str | None = None  # an id, or an invite's code
    changes: list[AuditLogChange]
    reason: str | None = None  # the X-Audit-Log-Reason header of the request
    created_at: Timestamp


class AuditLogPage(Payload):
    """GET /guilds/{g}/audit-log (REST only): entries, newest first, with every user they name."""

    audit_log_entries: list[AuditLogEntry]
    users: list[User]


class InstanceAuditEntry(Payload):
    """An entry of the instance's own audit log (GET /admin/audit-log): administrators' actions."""

    id: ID
    actor_id: ID | None = None  # absent: done from the command line
    action: str
    target_type: str | None = None
    target_id: str | None = None
    changes: list[AuditLogChange]
    reason: str | None = None
    created_at: Timestamp


class Report(Payload):
    """GUILD_REPORT_CREATE / _UPDATE (moderators), and a report of GET /guilds/{g}/reports. The
    reporter's own view (POST, GET /reports/{id}) leaves out `resolution` and `handled_by`."""

    id: ID
    guild_id: ID
    reporter_id: ID
    user_id: ID  # the member reported; for a message, its author
    message_id: ID | None = None
    channel_id: ID | None = None
    reason: str
    status: ReportStatus
    resolution: str | None = None
    handled_by: ID | None = None  # the moderator who last set the status
    created_at: Timestamp
    updated_at: Timestamp


class MemberWarning(Payload):
    """GUILD_MEMBER_WARNING_CREATE, to moderators and the member warned (who is not told by whom)."""

    id: ID
    guild_id: ID
    user_id: ID
    reason: str
    created_at: Timestamp


class GuildWarning(MemberWarning):
    """A warning as REST answers it: moderators also see who gave it."""

    moderator_id: ID | None = None  # to moderators only


class GuildBan(Payload):
    """GUILD_BAN_ADD / _REMOVE."""

    guild_id: ID
    user_id: ID
    reason: str | None = None


class Ban(GuildBan):
    """A ban as REST answers it: the banned user, who banned them, and until when."""

    user: User
    banned_by: ID | None = None
    expires_at: Timestamp | None = None  # absent: until lifted
    created_at: Timestamp


class RaidLockdown(Payload):
    guild_id: ID
    active: bool
    reason: str
    triggered_by: ID | None = None  # the moderator; absent when the join-rate threshold tripped
    started_at: Timestamp | None = None


class RaidConfig(Payload):
    """A guild's raid protection (REST only: /guilds/{g}/raid-config); the lockdown fields while one is on."""

    guild_id: ID
    join_threshold: int  # joins within `window_seconds` that start a lockdown; 0: off
    window_seconds: int
    lockdown_active: bool
    lockdown_duration_seconds: int
    lockdown_started_at: Timestamp | None = None
    lockdown_ends_at: Timestamp | None = None
    lockdown_reason: str | None = None
    lockdown_triggered_by: ID | None = None


class AutomodAction(Payload):
    guild_id: ID
    channel_id: ID
    message_id: ID
    user_id: ID  # the author of the matching message
    rule_id: ID
    rule_name: str
    action: str  # delete, warn, timeout, ...
    reason: str


class AutomodRule(Payload):
    """A guild's automod rule (REST only: /guilds/{g}/automod/rules)."""

    id: ID
    guild_id: ID
    name: str
    rule_type: str  # word, regex, spam, mention, link, ... (services/automod.py)
    config: JSONDocument  # what the rule type reads
    actions: list[str]  # delete, warn, timeout, ...
    exempt_role_ids: list[ID]
    exempt_channel_ids: list[ID]
    enabled: bool
    timeout_seconds: int | None = None  # with the timeout action
    creator_id: ID | None = None
    created_at: Timestamp


class AutomodActionLogged(AutomodAction):
    """An automod action as GET /guilds/{g}/automod/actions lists it (REST only)."""

    id: ID
    created_at: Timestamp


# --- polls ------------------------------------------------------------------------------


class PollOptionCount(Payload):
    id: ID
    vote_count: int


class PollVote(Payload):
    poll_id: ID
    channel_id: ID
    user_id: ID | None = None  # omitted for anonymous polls
    option_ids: list[ID]
    options: list[PollOptionCount]
    total_votes: int


class PollClose(Payload):
    poll_id: ID
    channel_id: ID
    closed_by: ID | None = None  # absent when the poll expired


# --- presence and relationships -----------------------------------------------------------


class PresenceUpdate(Payload):
    user_id: ID
    status: VisiblePresence
    activity: PresenceActivity | None = None


class RelationshipRemove(Payload):
    user_id: ID  # whose view this is
    target_id: ID


# --- voice ------------------------------------------------------------------------------


class IceServer(Payload):
    """One entry of RTCConfiguration.iceServers (the `[voice] ice_servers` setting)."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class VoiceServerUpdate(Payload):
    user_id: ID  # added to the documented shape: the joiner, whom the event is routed to
    guild_id: ID | None = None
    channel_id: ID
    endpoint: str
    token: str  # LiveKit access token
    # What the web client connects with: "livekit" (endpoint and token) or "mesh" (peer to peer).
    media: VoiceMedia = "mesh"
    # For clients that connect peer to peer (the web client): its RTCPeerConnection settings.
    ice_servers: list[IceServer] = []
    max_peers: int = 6


class VoiceConnection(Payload):
    """POST /voice/{c}/join (REST only): the caller's voice state and how to reach the media."""

    voice_state: VoiceState
    endpoint: str
    token: str
    media: VoiceMedia
    ice_servers: list[IceServer]
    max_peers: int


# Bounds a signal must fit (docs/protocol.md#voice-signalling); an audio-only offer is about 1.3 KB.
MAX_SDP = 12_000
MAX_CANDIDATE = 1_000


class IceCandidate(Payload):
    """RTCIceCandidateInit, as the browser hands it over."""

    candidate: Annotated[str, StringConstraints(max_length=MAX_CANDIDATE)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None  # the browser's names
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None
    usernameFragment: Annotated[str, StringConstraints(max_length=256)] | None = None


class VoiceSignal(Payload):
    """WebRTC signalling between two people in the same voice channel or call, relayed as is."""

    channel_id: ID
    from_user_id: ID
    to_user_id: ID  # the only user it is routed to
    kind: SignalKind
    sdp: Annotated[str, StringConstraints(max_length=MAX_SDP)] | None = None  # offer, answer
    candidate: IceCandidate | None = None  # ice (absent: that peer's candidates are complete)


class CallRing(Payload):
    channel_id: ID
    caller_id: ID
    caller: User
    channel_type: ChannelType
    # The caller again, in the original web client's names (derived by events/aliases.py).
    caller_name: str
    caller_display_name: str | None = None
    caller_avatar_id: ID | None = None


class SoundboardSoundCreate(Payload):
    guild_id: ID
    sound: SoundboardSound


class SoundboardSoundDelete(Payload):
    guild_id: ID
    sound_id: ID


class SoundboardPlay(Payload):
    guild_id: ID | None = None
    channel_id: ID
    sound_id: ID
    user_id: ID
    volume: float


class VoiceBroadcast(Payload):
    """VOICE_BROADCAST_START / _END."""

    broadcast_id: ID
    channel_id: ID
    guild_id: ID | None = None
    broadcaster_id: ID
    title: str | None = None


class ScreenShare(Payload):
    """SCREEN_SHARE_START / _UPDATE / _END."""

    session_id: str
    channel_id: ID
    guild_id: ID | None = None
    user_id: ID
    resolution: str | None = None  # "1920x1080"
    framerate: int | None = None
    audio_enabled: bool | None = None


# --- announcements and notifications -----------------------------------------------------


class AnnouncementDelete(Payload):
    id: ID


class NotificationDelete(Payload):
    id: ID
    user_id: ID  # added to the documented shape: the owner, whom the event is routed to


class NotificationMarkAllRead(Payload):
    updated: int  # how many notifications became read
    user_id: ID  # added to the documented shape: the owner, whom the event is routed to


class NotificationClearAll(Payload):
    user_id: ID  # added to the documented shape (`{}`): the owner, whom the event is routed to


# --- user settings ----------------------------------------------------------------------

Hour = Annotated[int, Field(ge=0, le=23)]
Minute = Annotated[int, Field(ge=0, le=59)]


class DndSchedule(Payload):
    """Quiet hours in the user's local time (camelCase keys, as the original client sends them)."""

    enabled: bool
    startHour: Hour
    startMinute: Minute
    endHour: Hour
    endMinute: Minute


class CustomTheme(Payload):
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    colors: Annotated[
        dict[Annotated[str, StringConstraints(max_length=32)], Annotated[str, StringConstraints(max_length=64)]],
        Field(max_length=64),
    ]
    createdAt: Annotated[str, StringConstraints(max_length=40)]  # the original client's key


class SettingsValues(Payload):
    """A user's own settings; every field has its default, and null sets a field back to it.

    The privacy fields are enforced by the server (who may open a DM, who may send a friend
    request); the rest are kept for the user's clients, which apply them."""

    theme: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")] = "dark"
    locale: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")] | None = None
    desktop_notifications: bool = True
    notification_sounds: bool = True
    notification_sound_preset: Literal["default", "chime", "bell", "pop", "none"] = "default"
    notification_volume: Annotated[int, Field(ge=0, le=100)] = 80
    dm_privacy: Literal["everyone", "friends", "nobody"] = "everyone"
    friend_request_privacy: Literal["everyone", "mutual_guilds", "nobody"] = "everyone"
    nsfw_content_filter: Literal["blur_all", "blur_suspicious", "show_all"] = "blur_suspicious"
    dnd_schedule: DndSchedule | None = None
    custom_themes: Annotated[list[CustomTheme], Field(max_length=20)] = []
    active_custom_theme: Annotated[str, StringConstraints(max_length=64)] | None = None
    custom_css: Annotated[str, StringConstraints(max_length=10000)] = ""


class UserSettings(SettingsValues):
    """USER_SETTINGS_UPDATE and GET /users/@me/settings: the whole document after a change."""

    user_id: ID  # the owner, whom the event is routed to


# --- saved messages ---------------------------------------------------------------------


class SavedMessage(Payload):
    """A message a user saved for later (SAVED_MESSAGE_ADD, READY's `saved_messages`): where it
    is and the user's note; the message itself comes from GET /users/@me/saved-messages."""

    user_id: ID  # the owner, whom the event is routed to
    message_id: ID
    channel_id: ID
    guild_id: ID | None = None
    note: str | None = None
    created_at: Timestamp  # when it was saved


class SavedMessageWithMessage(SavedMessage):
    """A saved message as GET /users/@me/saved-messages lists it: with the message itself."""

    message: Message


class SavedMessageRemove(Payload):
    user_id: ID
    message_id: ID
    channel_id: ID


# --- channel groups ---------------------------------------------------------------------


class ChannelGroupDelete(Payload):
    id: ID
    guild_id: ID


class ChannelGroupItemsUpdate(Payload):
    group_id: ID
    guild_id: ID
    channel_ids: list[ID]


# --- experimental channel features -------------------------------------------------------


class LocationShare(Payload):
    """LOCATION_SHARE_CREATE / _UPDATE."""

    id: ID
    user_id: ID
    channel_id: ID
    latitude: float
    longitude: float
    accuracy: float | None = None  # metres
    label: str | None = None
    live: bool
    expires_at: Timestamp | None = None


class LocationShareStop(Payload):
    id: ID
    user_id: ID
    channel_id: ID


class MessageEffect(Payload):
    id: ID
    message_id: ID
    channel_id: ID
    user_id: ID
    effect_type: str
    config: JSONDocument


class SuperReaction(Payload):
    id: ID
    message_id: ID
    channel_id: ID
    user_id: ID
    emoji: str
    intensity: int


class WhiteboardUpdate(Payload):
    whiteboard_id: ID
    channel_id: ID
    user_id: ID
    state: JSONDocument
    version: int  # increases with every update, so clients can drop stale ones


class WhiteboardSummary(Payload):
    """A whiteboard without its state (REST only: lists)."""

    id: ID
    channel_id: ID
    name: str
    version: int
    creator_id: ID
    updated_by: ID | None = None
    created_at: Timestamp
    updated_at: Timestamp


class Whiteboard(WhiteboardSummary):
    state: JSONDocument


class CodeSnippet(Payload):
    id: ID
    channel_id: ID
    author_id: ID
    title: str
    language: str
    code: str


class KanbanCardMove(Payload):
    card_id: ID
    board_id: ID
    column_id: ID
    position: int
    channel_id: ID


class ChannelWidgetDelete(Payload):
    widget_id: ID
    channel_id: ID


# --- activities and games ---------------------------------------------------------------


class ActivityParticipant(Payload):
    """ACTIVITY_PARTICIPANT_JOIN / _LEAVE."""

    session_id: ID
    user_id: ID
    channel_id: ID  # added to the documented shape: the session's channel, which routes the event


class ActivityStateUpdate(Payload):
    session_id: ID
    state: JSONDocument
    channel_id: ID  # added to the documented shape: the session's channel, which routes the event


class GamePlayerJoin(Payload):
    game_id: ID
    user_id: ID
    player_index: int
    channel_id: ID  # added to the documented shape: the game's channel, which routes the event


class GameMove(Payload):
    game_id: ID
    user_id: ID
    move: JSONDocument
    state: JSONDocument
    status: str
    next_turn: ID | None = None  # the player to move; absent once the game is over
    channel_id: ID  # added to the documented shape: the game's channel, which routes the event


class WatchTogetherSync(Payload):
    session_id: ID
    current_time_ms: int
    playing: bool
    playback_rate: float
    channel_id: ID  # added to the documented shape: the session's channel, which routes the event


class QueuedTrack(Payload):
    """A track added to a music party's queue, as the REST answer gives it."""

    session_id: ID
    track: MusicTrack
    queue_size: int


class MusicPartyQueueAdd(QueuedTrack):
    channel_id: ID  # added to the documented shape: the session's channel, which routes the event


# --- bots and federation ----------------------------------------------------------------


class ComponentInteraction(Payload):
    message_id: ID
    channel_id: ID
    user_id: ID  # who clicked
    custom_id: str
    component_type: ComponentType
    values: list[str]
    bot_id: ID  # the bot that owns the message: the only recipient


class InteractionOption(Payload):
    name: str
    type: int  # the declared option type (services/commands.py)
    value: str | int | float | bool
    focused: bool | None = None  # autocomplete: the option being typed


class InteractionData(Payload):
    id: ID  # the command
    name: str
    type: int
    options: list[InteractionOption]
    # The users, members, channels and roles named by options, by id (Discord's `resolved`).
    resolved: dict[str, dict[str, JSONDocument]] | None = None


class TextInput(Payload):
    """A modal's text field (component type 4), as the bot declared it (docs/bots.md#modals)."""

    type: int  # 4
    custom_id: str
    style: int  # 1 one line, 2 a paragraph
    label: str
    min_length: int | None = None
    max_length: int | None = None
    required: bool
    value: str | None = None  # filled in beforehand
    placeholder: str | None = None


class ModalRow(Payload):
    type: int  # 1: an action row, holding one text input
    components: list[TextInput]


class SubmittedInput(Payload):
    type: int  # 4
    custom_id: str
    value: str


class SubmittedRow(Payload):
    type: int  # 1
    components: list[SubmittedInput]


class ModalSubmitData(Payload):
    """What a member typed in a bot's modal: each text input's value, by its custom_id."""

    custom_id: str  # the modal's
    components: list[SubmittedRow]


class InteractionCreate(Payload):
    id: ID
    application_id: ID  # the bot whose command was used: the only recipient
    type: int  # 2 a command used, 4 an option being completed, 5 a modal submitted
    token: str  # answers through /interactions/{id}/{token}/callback and /webhooks/{application_id}/{token}
    guild_id: ID
    channel_id: ID
    user_id: ID
    user: User
    data: InteractionData | ModalSubmitData
    created_at: Timestamp


class InteractionModal(Payload):
    """A bot answers a command with a modal (callback 9): the form the member fills in."""

    id: ID  # the interaction it answers; a submission names it as `data.id`
    application_id: ID
    user_id: ID  # who used the command: the only recipient
    guild_id: ID
    channel_id: ID
    name: str  # the command's
    custom_id: str
    title: str
    components: list[ModalRow]


class InteractionTimeout(Payload):
    """A bot did not answer a use of its command (or a modal submission) in time."""

    interaction_id: ID
    application_id: ID
    user_id: ID  # who used the command: the only recipient
    channel_id: ID
    name: str  # the command's


class AutocompleteChoice(Payload):
    name: str
    value: str | int | float


class AutocompleteResponse(Payload):
    interaction_id: ID
    user_id: ID  # who is typing: the only recipient
    choices: list[AutocompleteChoice]


class CommandOption(Payload):
    """One option of an application command, as declared (docs/bots.md#application-commands)."""

    type: int  # 3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 10 number
    name: str
    description: str
    required: bool | None = None
    autocomplete: bool | None = None
    choices: list[AutocompleteChoice] | None = None
    min_value: int | float | None = None
    max_value: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None


class ApplicationCommand(Payload):
    """A bot's slash command in Discord's shape; `guild_id` only on a command of one guild."""

    id: ID
    type: int  # 1: chat input, typed after `/`
    application_id: ID  # the bot that answers it
    guild_id: ID | None = None
    name: str
    description: str
    options: list[CommandOption]
    default_member_permissions: Bits | None = None  # None: every member may use it
    version: ID  # changes whenever the declaration does


class ApplicationCommandChange(Payload):
    """A command usable in `guild_id` was created, changed or deleted. A global command's change
    comes once per guild its bot is a member of, to that guild's members."""

    guild_id: ID
    command: ApplicationCommand


class UsableCommands(Payload):
    """GET /channels/{c}/commands (REST only): the commands the caller may use there, and their bots."""

    applications: list[User]
    application_commands: list[ApplicationCommand]


class InteractionStarted(Payload):
    """POST /interactions (REST only): the interaction sent to the command's bot."""

    id: ID
    application_id: ID
    name: str  # the command's name
    type: int


class BotPresenceUpdate(Payload):
    bot_id: ID
    status: VisiblePresence
    activity: PresenceActivity | None = None


class Bot(Payload):
    """One of the caller's bots (REST only: /users/@me/bots)."""

    user: User
    presence: BotPresenceUpdate


class BotToken(Payload):
    """A bot's new token, shown only in this answer."""

    user: User
    token: str


class InstallGuild(Guild):
    """A guild the caller could install a bot in, and whether the bot is already a member (or
    its commands installed there without it)."""

    bot_member: bool
    commands_installed: bool


class BotInstallPrompt(Payload):
    """GET /oauth2/authorize (REST only): what installing the bot asks for, and where it could go."""

    bot: User
    scopes: list[str]
    permissions: Bits
    permission_names: list[str]
    guilds: list[InstallGuild]


class BotInstalled(Payload):
    """POST /oauth2/authorize (REST only): the bot's membership and managed role in the guild
    (both null when only its commands were installed)."""

    guild_id: ID
    bot: User
    role: Role | None
    member: GuildMember | None


class GuildIntegration(Payload):
    """GET /guilds/{g}/integrations (REST only): a bot installed in the guild, as a member or for
    its commands alone (`installed_by` names who installed those), with the commands it offers."""

    bot: User
    scopes: list[str]
    bot_member: bool
    commands_installed: bool
    installed_by: ID | None
    commands: list[ApplicationCommand]


class FederationRetry(Payload):
    domain: str
    attempts: int


class SessionsRevoke(Payload):
    """Which of a user's gateway sessions end: those that identified with one of `token_hashes`,
    or (without them) all of them but the ones using `all_but`."""

    user_id: ID
    token_hashes: list[str] | None = None
    all_but: str | None = None


class Health(Payload):
    """GET /health and /health/deep (REST only): `checks` (deep only) per dependency."""

    status: str
    checks: dict[str, JSONDocument] | None = None
