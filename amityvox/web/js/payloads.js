// @ts-check
// The wire objects, as JSDoc typedefs generated from amityvox/events/payloads.py by
// tests/web/make_types.py (do not edit: regenerate). Fields marked optional are omitted
// from a frame when null. IDs are ULID strings, bitfields decimal strings.

export {};

/**
 * @typedef {Object} User
 * @property {string} id
 * @property {string} username
 * @property {string | null} [display_name]
 * @property {string | null} [avatar_id]
 * @property {string | null} [status_text]
 * @property {"online" | "idle" | "focus" | "busy" | "invisible" | "offline"} status_presence
 * @property {string | null} [bio]
 * @property {string | null} [bot_owner_id]
 * @property {string | null} [avatar_url]
 * @property {number} flags
 * @property {string} created_at
 */

/**
 * The user as seen by themself. Kept apart from User so e-mail cannot leak to others.
 * @typedef {Object} SelfUser
 * @property {string} id
 * @property {string} username
 * @property {string | null} [display_name]
 * @property {string | null} [avatar_id]
 * @property {string | null} [status_text]
 * @property {"online" | "idle" | "focus" | "busy" | "invisible" | "offline"} status_presence
 * @property {string | null} [bio]
 * @property {string | null} [bot_owner_id]
 * @property {string | null} [avatar_url]
 * @property {number} flags
 * @property {string} created_at
 * @property {string | null} [email]
 * @property {boolean | null} [email_verified]
 */

/**
 * A finished sign-in (REST only: register, login, its two-factor step, passkeys).
 * @typedef {Object} Login
 * @property {SelfUser} user
 * @property {string} token
 * @property {boolean | null} [deletion_cancelled]
 */

/**
 * POST /auth/login for an account with two-factor authentication: the ticket for the second step.
 * @typedef {Object} MfaChallenge
 * @property {true} mfa_required
 * @property {string} ticket
 * @property {Array<"totp" | "backup_code">} methods
 */

/**
 * @typedef {Object} TwoFactorStatus
 * @property {boolean} enabled
 * @property {number} backup_codes_left
 */

/**
 * The secret of a two-factor setup in progress, to be confirmed with a code.
 * @typedef {Object} TotpSecret
 * @property {string} secret
 * @property {string} qr_code_uri
 */

/**
 * @typedef {Object} TotpConfirmed
 * @property {boolean} verified
 * @property {Array<string>} backup_codes
 */

/**
 * @typedef {Object} BackupCodes
 * @property {Array<string>} codes
 */

/**
 * @typedef {Object} Passkey
 * @property {string} id
 * @property {string} name
 * @property {string} created_at
 * @property {string | null} [last_used_at]
 */

/**
 * One of the user's signed-in sessions (GET /users/@me/sessions).
 * @typedef {Object} LoginSession
 * @property {string} id
 * @property {string | null} [user_agent]
 * @property {string | null} [address]
 * @property {string} created_at
 * @property {string | null} [last_seen_at]
 * @property {string} expires_at
 * @property {boolean} current
 */

/**
 * A scheduled account deletion: signing in before `erase_at` calls it off.
 * @typedef {Object} AccountDeletion
 * @property {string} erase_at
 * @property {number} grace_days
 */

/**
 * @typedef {Object} PendingEmail
 * @property {string} pending_email
 */

/**
 * @typedef {Object} DataExport
 * @property {string} id
 * @property {"pending" | "running" | "ready" | "failed" | "expired"} status
 * @property {string} created_at
 * @property {string | null} [finished_at]
 * @property {string | null} [expires_at]
 * @property {number | null} [size_bytes]
 */

/**
 * A user as instance administrators see it (REST only: /admin/users).
 * @typedef {Object} AdminUser
 * @property {string} id
 * @property {string} username
 * @property {string | null} [display_name]
 * @property {string | null} [avatar_id]
 * @property {string | null} [status_text]
 * @property {"online" | "idle" | "focus" | "busy" | "invisible" | "offline"} status_presence
 * @property {string | null} [bio]
 * @property {string | null} [bot_owner_id]
 * @property {string | null} [avatar_url]
 * @property {number} flags
 * @property {string} created_at
 * @property {boolean} is_admin
 * @property {boolean} suspended
 * @property {string | null} [email]
 * @property {string | null} [suspended_at]
 * @property {string | null} [deleted_at]
 */

/**
 * @typedef {Object} AdminUserGuild
 * @property {string} id
 * @property {string} name
 * @property {boolean} owner
 */

/**
 * GET /admin/users/{u}: the account, its guilds, its sessions and two-factor state.
 * @typedef {Object} AdminUserDetail
 * @property {string} id
 * @property {string} username
 * @property {string | null} [display_name]
 * @property {string | null} [avatar_id]
 * @property {string | null} [status_text]
 * @property {"online" | "idle" | "focus" | "busy" | "invisible" | "offline"} status_presence
 * @property {string | null} [bio]
 * @property {string | null} [bot_owner_id]
 * @property {string | null} [avatar_url]
 * @property {number} flags
 * @property {string} created_at
 * @property {boolean} is_admin
 * @property {boolean} suspended
 * @property {string | null} [email]
 * @property {string | null} [suspended_at]
 * @property {string | null} [deleted_at]
 * @property {Array<AdminUserGuild>} guilds
 * @property {number} sessions
 * @property {boolean} two_factor
 * @property {string | null} [erase_at]
 */

/**
 * @typedef {Object} Guild
 * @property {string} id
 * @property {string} owner_id
 * @property {string} name
 * @property {string | null} [description]
 * @property {string | null} [icon_id]
 * @property {string | null} [banner_id]
 * @property {string | null} [system_channel_id]
 * @property {string} default_permissions
 * @property {number} flags
 * @property {boolean} nsfw
 * @property {boolean} discoverable
 * @property {number} member_count
 * @property {string} created_at
 */

/**
 * GET /admin/guilds/{g} (REST only): the guild with its owner's account and its size.
 * @typedef {Object} AdminGuild
 * @property {string} id
 * @property {string} owner_id
 * @property {string} name
 * @property {string | null} [description]
 * @property {string | null} [icon_id]
 * @property {string | null} [banner_id]
 * @property {string | null} [system_channel_id]
 * @property {string} default_permissions
 * @property {number} flags
 * @property {boolean} nsfw
 * @property {boolean} discoverable
 * @property {number} member_count
 * @property {string} created_at
 * @property {AdminUser} owner
 * @property {number} channel_count
 */

/**
 * @typedef {Object} PermissionOverwrite
 * @property {string} id
 * @property {"role" | "user"} type
 * @property {string} allow
 * @property {string} deny
 */

/**
 * @typedef {Object} Channel
 * @property {string} id
 * @property {string | null} [guild_id]
 * @property {string | null} [category_id]
 * @property {"text" | "voice" | "dm" | "group" | "announcement" | "forum" | "stage" | "category"} channel_type
 * @property {string | null} [name]
 * @property {string | null} [topic]
 * @property {number} position
 * @property {number} slowmode_seconds
 * @property {boolean} nsfw
 * @property {string | null} [last_message_id]
 * @property {string | null} [owner_id]
 * @property {string | null} [parent_channel_id]
 * @property {Array<PermissionOverwrite>} permission_overwrites
 * @property {boolean} locked
 * @property {boolean} archived
 * @property {string} created_at
 * @property {Array<User> | null} [recipients]
 */

/**
 * A thread: a Channel whose parent is required, since THREAD_CREATE routes by it.
 * @typedef {Object} ThreadChannel
 * @property {string} id
 * @property {string | null} [guild_id]
 * @property {string | null} [category_id]
 * @property {"text" | "voice" | "dm" | "group" | "announcement" | "forum" | "stage" | "category"} channel_type
 * @property {string | null} [name]
 * @property {string | null} [topic]
 * @property {number} position
 * @property {number} slowmode_seconds
 * @property {boolean} nsfw
 * @property {string | null} [last_message_id]
 * @property {string | null} [owner_id]
 * @property {string} parent_channel_id
 * @property {Array<PermissionOverwrite>} permission_overwrites
 * @property {boolean} locked
 * @property {boolean} archived
 * @property {string} created_at
 * @property {Array<User> | null} [recipients]
 */

/**
 * @typedef {Object} Reaction
 * @property {string} emoji
 * @property {number} count
 * @property {boolean} me
 */

/**
 * A WebP copy of an image attachment fitting in `size` x `size` pixels.
 * @typedef {Object} Thumbnail
 * @property {number} size
 * @property {number} width
 * @property {number} height
 * @property {number} size_bytes
 * @property {string} content_type
 * @property {string} url
 */

/**
 * An uploaded file (services/media.py). `url` is signed and expires; `thumbnails` appears on images once the thumbnail worker is done (MESSAGE_UPDATE). Fields beyond these pass through.
 * @typedef {Object} Attachment
 * @property {string} id
 * @property {string} filename
 * @property {string} content_type
 * @property {number} size_bytes
 * @property {string} url
 * @property {number | null} [width]
 * @property {number | null} [height]
 * @property {number | null} [duration_seconds]
 * @property {string | null} [blurhash]
 * @property {Array<Thumbnail> | null} [thumbnails]
 */

/**
 * What uploads the server accepts, so a client can refuse a file before sending it.
 * @typedef {Object} UploadLimits
 * @property {number} upload_max_bytes
 * @property {number} upload_max_message_bytes
 * @property {number} upload_max_files
 * @property {Array<string>} upload_types
 * @property {number} avatar_max_bytes
 * @property {number} emoji_max_bytes
 */

/**
 * @typedef {Object} EmbedField
 * @property {string} name
 * @property {string} value
 * @property {boolean} [inline]
 */

/**
 * @typedef {Object} EmbedFooter
 * @property {string} text
 * @property {string | null} [icon_url]
 */

/**
 * @typedef {Object} EmbedAuthor
 * @property {string} name
 * @property {string | null} [url]
 * @property {string | null} [icon_url]
 */

/**
 * A link preview produced by the embed worker, or a rich embed a poster or webhook sent (docs/rest.md#webhooks maps Discord's embed shape onto this one).
 * @typedef {Object} Embed
 * @property {string | null} [url]
 * @property {string} type
 * @property {string | null} [title]
 * @property {string | null} [description]
 * @property {string | null} [image]
 * @property {string | null} [site_name]
 * @property {number | null} [color]
 * @property {string | null} [timestamp]
 * @property {string | null} [thumbnail]
 * @property {EmbedAuthor | null} [author]
 * @property {EmbedFooter | null} [footer]
 * @property {Array<EmbedField> | null} [fields]
 */

/**
 * On a bot's answer to a slash command: which command, used by whom.
 * @typedef {Object} MessageInteraction
 * @property {string} id
 * @property {string} name
 * @property {string} user_id
 */

/**
 * @typedef {Object} Message
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} author_id
 * @property {User} author
 * @property {string} content
 * @property {string} message_type
 * @property {string | null} [edited_at]
 * @property {number} flags
 * @property {Array<string> | null} [reply_to_ids]
 * @property {Array<string>} mention_user_ids
 * @property {Array<string>} mention_role_ids
 * @property {boolean} mention_here
 * @property {string | null} [thread_id]
 * @property {Array<Attachment>} attachments
 * @property {Array<Embed>} embeds
 * @property {Array<Reaction>} reactions
 * @property {boolean} pinned
 * @property {string | null} [nonce]
 * @property {string | null} [webhook_id]
 * @property {MessageInteraction | null} [interaction]
 * @property {string} created_at
 */

/**
 * An earlier version of an edited message (REST only: GET /channels/{c}/messages/{m}/history).
 * @typedef {Object} MessageVersion
 * @property {string} content
 * @property {string} created_at
 * @property {string} replaced_at
 */

/**
 * @typedef {Object} SearchSnippetPart
 * @property {string} text
 * @property {boolean} match
 */

/**
 * @typedef {Object} SearchHit
 * @property {Message} message
 * @property {Array<SearchSnippetPart>} snippet
 */

/**
 * @typedef {Object} SearchResults
 * @property {number} total_results
 * @property {number} offset
 * @property {number} limit
 * @property {Array<SearchHit>} results
 */

/**
 * A bot's answer only the command's user sees: a Message that always says whose use it answers.
 * @typedef {Object} EphemeralMessage
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} author_id
 * @property {User} author
 * @property {string} content
 * @property {string} message_type
 * @property {string | null} [edited_at]
 * @property {number} flags
 * @property {Array<string> | null} [reply_to_ids]
 * @property {Array<string>} mention_user_ids
 * @property {Array<string>} mention_role_ids
 * @property {boolean} mention_here
 * @property {string | null} [thread_id]
 * @property {Array<Attachment>} attachments
 * @property {Array<Embed>} embeds
 * @property {Array<Reaction>} reactions
 * @property {boolean} pinned
 * @property {string | null} [nonce]
 * @property {string | null} [webhook_id]
 * @property {MessageInteraction} interaction
 * @property {string} created_at
 */

/**
 * @typedef {Object} GuildMember
 * @property {string} guild_id
 * @property {string} user_id
 * @property {User} user
 * @property {string | null} [nickname]
 * @property {Array<string>} roles
 * @property {string} joined_at
 * @property {string | null} [timeout_until]
 * @property {boolean} deaf
 * @property {boolean} mute
 */

/**
 * A member's permission bits in a guild or one of its channels (REST only).
 * @typedef {Object} MemberPermissions
 * @property {string} permissions
 */

/**
 * @typedef {Object} Role
 * @property {string} id
 * @property {string} guild_id
 * @property {string} name
 * @property {string | null} [color]
 * @property {boolean} hoist
 * @property {boolean} mentionable
 * @property {number} position
 * @property {string} permissions_allow
 * @property {string} permissions_deny
 * @property {string} created_at
 * @property {string | null} [managed_by]
 */

/**
 * @typedef {Object} CustomEmoji
 * @property {string} id
 * @property {string} guild_id
 * @property {string} name
 * @property {string | null} [creator_id]
 * @property {boolean} animated
 * @property {string} created_at
 */

/**
 * @typedef {Object} Invite
 * @property {string} code
 * @property {string} guild_id
 * @property {string | null} [channel_id]
 * @property {string} inviter_id
 * @property {number} max_uses
 * @property {number} uses
 * @property {string | null} [expires_at]
 * @property {string} created_at
 */

/**
 * The public face of an invite's guild, shown to anyone holding the code.
 * @typedef {Object} InviteGuild
 * @property {string} id
 * @property {string} name
 * @property {number} member_count
 * @property {string | null} [description]
 * @property {string | null} [icon_id]
 */

/**
 * GET /invites/{code} (REST only): the invite and its guild's public face. `guild_name`, `member_count` and `creator_id` repeat them at the top level, where the original clients read them.
 * @typedef {Object} InvitePreview
 * @property {string} code
 * @property {string} guild_id
 * @property {string | null} [channel_id]
 * @property {string} inviter_id
 * @property {number} max_uses
 * @property {number} uses
 * @property {string | null} [expires_at]
 * @property {string} created_at
 * @property {InviteGuild} guild
 * @property {string} guild_name
 * @property {number} member_count
 * @property {string} creator_id
 * @property {number | null} [approximate_member_count]
 * @property {number | null} [approximate_presence_count]
 */

/**
 * @typedef {Object} PollOption
 * @property {string} id
 * @property {string} text
 * @property {number} position
 * @property {number} vote_count
 */

/**
 * @typedef {Object} Poll
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [message_id]
 * @property {string} author_id
 * @property {string} question
 * @property {boolean} multi_vote
 * @property {boolean} anonymous
 * @property {string | null} [expires_at]
 * @property {boolean} closed
 * @property {Array<PollOption>} options
 * @property {number} total_votes
 */

/**
 * A poll as GET /channels/{c}/polls lists it (REST only): with the caller's own choices.
 * @typedef {Object} PollWithVotes
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [message_id]
 * @property {string} author_id
 * @property {string} question
 * @property {boolean} multi_vote
 * @property {boolean} anonymous
 * @property {string | null} [expires_at]
 * @property {boolean} closed
 * @property {Array<PollOption>} options
 * @property {number} total_votes
 * @property {Array<string>} voted_option_ids
 */

/**
 * @typedef {Object} Relationship
 * @property {string} user_id
 * @property {string} target_id
 * @property {"friend" | "blocked" | "pending_outgoing" | "pending_incoming"} type
 * @property {User} user
 * @property {string} created_at
 */

/**
 * One channel's read position, as GET /users/@me/read-state returns it.
 * @typedef {Object} ReadState
 * @property {string} channel_id
 * @property {string | null} [last_message_id]
 * @property {number} unread_count
 * @property {number} mention_count
 */

/**
 * What a user says they are doing (PUT /users/@me/activity).
 * @typedef {Object} PresenceActivity
 * @property {"playing" | "listening" | "watching" | "streaming" | "custom" | "competing"} type
 * @property {string} name
 */

/**
 * @typedef {Object} VoiceState
 * @property {string} user_id
 * @property {string | null} [guild_id]
 * @property {string | null} [channel_id]
 * @property {string} session_id
 * @property {boolean} self_mute
 * @property {boolean} self_deaf
 * @property {boolean} mute
 * @property {boolean} deaf
 * @property {boolean} self_stream
 * @property {boolean} [self_video]
 * @property {User} user
 */

/**
 * VOICE_STATE_UPDATE: the state, plus the fields the original web client reads (derived at publish time by events/aliases.py): what happened, and the user and flags in its names.
 * @typedef {Object} VoiceStateUpdate
 * @property {string} user_id
 * @property {string | null} [guild_id]
 * @property {string | null} [channel_id]
 * @property {string} session_id
 * @property {boolean} self_mute
 * @property {boolean} self_deaf
 * @property {boolean} mute
 * @property {boolean} deaf
 * @property {boolean} self_stream
 * @property {boolean} [self_video]
 * @property {User} user
 * @property {"join" | "leave" | "update"} action
 * @property {boolean} muted
 * @property {boolean} deafened
 * @property {string} username
 * @property {string | null} [display_name]
 * @property {string | null} [avatar_id]
 */

/**
 * @typedef {Object} GuildEvent
 * @property {string} id
 * @property {string} guild_id
 * @property {string} creator_id
 * @property {string} name
 * @property {string | null} [description]
 * @property {string | null} [location]
 * @property {string | null} [channel_id]
 * @property {string} scheduled_start
 * @property {string | null} [scheduled_end]
 * @property {string} status
 * @property {number} interested_count
 */

/**
 * @typedef {Object} Announcement
 * @property {string} id
 * @property {string} title
 * @property {string} content
 * @property {string} severity
 * @property {boolean} active
 * @property {string | null} [expires_at]
 */

/**
 * GET /instance (REST only): what anyone may know of the instance before signing in.
 * @typedef {Object} InstanceInfo
 * @property {string} name
 * @property {string} description
 * @property {"open" | "invite_only" | "closed"} registration_mode
 * @property {boolean} email
 * @property {number} account_deletion_days
 */

/**
 * GET /auth/rules (REST only): what sign-up accepts, so a form can say it before a refusal.
 * @typedef {Object} AuthRules
 * @property {boolean} registration_open
 * @property {"open" | "invite_only" | "closed"} registration_mode
 * @property {number} password_min_length
 * @property {number} password_max_length
 */

/**
 * GET /gateway (REST only): where clients open the gateway's WebSocket.
 * @typedef {Object} GatewayUrl
 * @property {string} url
 */

/**
 * One event of GET /gateway/catalog (REST only), for clients checking their handlers.
 * @typedef {Object} CatalogEntry
 * @property {string} name
 * @property {string} subject
 * @property {string} audience
 * @property {string} category
 * @property {boolean} client_visible
 * @property {Array<string>} stores
 * @property {Array<string>} aliases
 */

/**
 * One permission of GET /permissions (REST only), for settings screens.
 * @typedef {Object} PermissionBit
 * @property {string} name
 * @property {string} value
 * @property {string} scope
 * @property {string} description
 */

/**
 * @typedef {Object} InstanceRole
 * @property {boolean} is_admin
 */

/**
 * The instance's settings as its administrators read and change them (/admin/settings).
 * @typedef {Object} InstanceSettings
 * @property {string} name
 * @property {string} description
 * @property {"open" | "invite_only" | "closed"} registration_mode
 * @property {number} max_guilds_per_user
 * @property {number} max_message_length
 * @property {number} rate_limit_per_second
 */

/**
 * @typedef {Object} DailyMessages
 * @property {string} date
 * @property {number} messages
 */

/**
 * @typedef {Object} InstanceStats
 * @property {number} users
 * @property {number} bots
 * @property {number} suspended_users
 * @property {number} guilds
 * @property {Array<DailyMessages>} messages_per_day
 * @property {number} gateway_sessions
 * @property {number} events_routed
 * @property {number} events_delivered
 * @property {number} events_routed_per_second
 * @property {number} uptime_seconds
 */

/**
 * A report addressed to the instance's administrators; `resolution` and `handled_by` are theirs alone.
 * @typedef {Object} InstanceReport
 * @property {string} id
 * @property {string} reporter_id
 * @property {string} user_id
 * @property {string | null} [guild_id]
 * @property {string | null} [message_id]
 * @property {string} reason
 * @property {"open" | "resolved" | "dismissed"} status
 * @property {string | null} [resolution]
 * @property {string | null} [handled_by]
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * @typedef {Object} Notification
 * @property {string} id
 * @property {string} user_id
 * @property {string} type
 * @property {string | null} [guild_id]
 * @property {string | null} [channel_id]
 * @property {string | null} [message_id]
 * @property {string | null} [actor_id]
 * @property {string | null} [content]
 * @property {boolean} read
 * @property {string} created_at
 */

/**
 * @typedef {Object} NotificationsRead
 * @property {number} updated
 */

/**
 * A user's notification level for one channel, and until when it is muted.
 * @typedef {Object} ChannelNotificationLevel
 * @property {string} user_id
 * @property {string} channel_id
 * @property {"all" | "mentions" | "none"} level
 * @property {string | null} [muted_until]
 */

/**
 * @typedef {Object} ChannelGroup
 * @property {string} id
 * @property {string} guild_id
 * @property {string} name
 * @property {number} position
 * @property {Array<string>} channel_ids
 * @property {string} created_at
 */

/**
 * @typedef {Object} OnboardingOption
 * @property {string} id
 * @property {string} label
 * @property {string | null} [description]
 * @property {string | null} [emoji]
 * @property {Array<string>} role_ids
 * @property {Array<string>} channel_ids
 */

/**
 * @typedef {Object} OnboardingPrompt
 * @property {string} id
 * @property {string} title
 * @property {boolean} required
 * @property {boolean} single_select
 * @property {number} position
 * @property {Array<OnboardingOption>} options
 */

/**
 * @typedef {Object} SoundboardSound
 * @property {string} id
 * @property {string} guild_id
 * @property {string} name
 * @property {number} volume
 * @property {string | null} [emoji]
 * @property {string} creator_id
 * @property {string} created_at
 */

/**
 * @typedef {Object} KanbanCard
 * @property {string} id
 * @property {string} board_id
 * @property {string} column_id
 * @property {string} channel_id
 * @property {string} title
 * @property {string | null} [description]
 * @property {number} position
 * @property {string} creator_id
 * @property {string} created_at
 */

/**
 * @typedef {Object} KanbanColumn
 * @property {string} id
 * @property {string} board_id
 * @property {string} name
 * @property {number} position
 * @property {Array<KanbanCard>} cards
 */

/**
 * A kanban board (REST only); its columns only when it is read whole.
 * @typedef {Object} KanbanBoard
 * @property {string} id
 * @property {string} channel_id
 * @property {string} name
 * @property {string} creator_id
 * @property {string} created_at
 */

/**
 * @typedef {Object} KanbanBoardWithColumns
 * @property {string} id
 * @property {string} channel_id
 * @property {string} name
 * @property {string} creator_id
 * @property {string} created_at
 * @property {Array<KanbanColumn>} columns
 */

/**
 * @typedef {Object} ChannelWidget
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} widget_type
 * @property {string} title
 * @property {Record<string, any>} config
 * @property {number} position
 * @property {string} creator_id
 * @property {string} created_at
 */

/**
 * An activity that sessions can be started of (REST only: /activities).
 * @typedef {Object} Activity
 * @property {string} id
 * @property {string} name
 * @property {number} max_participants
 * @property {"host" | "participants"} state_updates
 * @property {boolean} builtin
 * @property {string | null} [description]
 */

/**
 * @typedef {Object} ActivitySession
 * @property {string} id
 * @property {string} activity_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} host_id
 * @property {Array<string>} participants
 * @property {Record<string, any>} state
 * @property {string} status
 * @property {string} started_at
 */

/**
 * @typedef {Object} GameSession
 * @property {string} id
 * @property {string} channel_id
 * @property {string} game_type
 * @property {Record<string, any>} state
 * @property {string} status
 */

/**
 * @typedef {Object} WatchTogetherSession
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} host_id
 * @property {string} video_url
 * @property {string | null} [title]
 * @property {number} current_time_ms
 * @property {boolean} playing
 * @property {number} playback_rate
 * @property {string} started_at
 */

/**
 * @typedef {Object} MusicTrack
 * @property {string} url
 * @property {string} title
 * @property {string | null} [artist]
 * @property {number | null} [duration_ms]
 * @property {string} added_by
 */

/**
 * @typedef {Object} MusicPartySession
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} host_id
 * @property {Array<MusicTrack>} queue
 * @property {number} current_index
 * @property {boolean} playing
 * @property {string} started_at
 */

/**
 * A guild with what a member sees of it: GUILD_CREATE and READY's `guilds`.
 * @typedef {Object} FullGuild
 * @property {string} id
 * @property {string} owner_id
 * @property {string} name
 * @property {string | null} [description]
 * @property {string | null} [icon_id]
 * @property {string | null} [banner_id]
 * @property {string | null} [system_channel_id]
 * @property {string} default_permissions
 * @property {number} flags
 * @property {boolean} nsfw
 * @property {boolean} discoverable
 * @property {number} member_count
 * @property {string} created_at
 * @property {Array<Channel>} channels
 * @property {Array<Role>} roles
 * @property {Array<CustomEmoji>} emoji
 * @property {GuildMember} member
 */

/**
 * @typedef {Object} Ready
 * @property {SelfUser} user
 * @property {string} session_id
 * @property {Array<string>} guild_ids
 * @property {Array<FullGuild>} guilds
 * @property {Array<Channel>} dms
 * @property {Array<Relationship>} relationships
 * @property {Array<ReadState>} read_state
 * @property {Record<string, "online" | "idle" | "focus" | "busy" | "offline">} presences
 * @property {Array<VoiceState>} voice_states
 * @property {UserSettings | null} [settings]
 * @property {Array<SavedMessage>} [saved_messages]
 */

/**
 * @typedef {Object} Resumed
 * @property {number} replayed
 */

/**
 * @typedef {Object} GuildMembersChunk
 * @property {string} guild_id
 * @property {Array<GuildMember>} members
 * @property {Array<string> | null} [not_found]
 */

/**
 * @typedef {Object} GatewayDisconnected
 * @property {number | null} [code]
 * @property {string | null} [reason]
 */

/**
 * @typedef {Object} GatewayAuthFailed
 * @property {number} code
 */

/**
 * @typedef {Object} GatewayExhausted
 * @property {number} attempts
 */

/**
 * @typedef {Object} MessageDelete
 * @property {string} id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 */

/**
 * @typedef {Object} MessageDeleteBulk
 * @property {Array<string>} message_ids
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 */

/**
 * @typedef {Object} ReactionCount
 * @property {string} emoji
 * @property {number} count
 */

/**
 * MESSAGE_REACTION_ADD / _REMOVE: `count` is the new total, enough to update the message; `reactions` is the message's whole list after the change (without the per-viewer `me`, which each client derives from `user_id`), for clients that replace the list at once.
 * @typedef {Object} MessageReaction
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} user_id
 * @property {string} emoji
 * @property {number} count
 * @property {Array<ReactionCount>} reactions
 */

/**
 * @typedef {Object} MessageReactionClear
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string | null} [emoji]
 */

/**
 * @typedef {Object} MessageEmbedUpdate
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {Array<Embed>} embeds
 */

/**
 * @typedef {Object} ChannelDelete
 * @property {string} id
 * @property {string | null} [guild_id]
 */

/**
 * A channel's webhooks changed; clients that show them fetch the list again.
 * @typedef {Object} WebhooksUpdate
 * @property {string} guild_id
 * @property {string} channel_id
 */

/**
 * An incoming webhook (REST only, docs/rest.md#webhooks).
 * @typedef {Object} Webhook
 * @property {string} id
 * @property {number} type
 * @property {string} guild_id
 * @property {string} channel_id
 * @property {string} name
 * @property {string | null} [avatar_url]
 * @property {string | null} [creator_id]
 * @property {string} created_at
 */

/**
 * An endpoint that receives a guild's events as signed HTTP posts (REST only).
 * @typedef {Object} EventWebhook
 * @property {string} id
 * @property {string} guild_id
 * @property {string} creator_id
 * @property {string} url
 * @property {Array<string>} events
 * @property {boolean} enabled
 * @property {string} created_at
 * @property {string | null} [secret]
 */

/**
 * One event sent, or to be sent, to an event webhook.
 * @typedef {Object} EventDelivery
 * @property {string} id
 * @property {string} event
 * @property {string} event_id
 * @property {string} status
 * @property {number} attempts
 * @property {number | null} [response_status]
 * @property {string | null} [error]
 * @property {string | null} [next_attempt_at]
 * @property {string | null} [delivered_at]
 * @property {string} created_at
 */

/**
 * The answer that creates a webhook: the only one that ever holds its token.
 * @typedef {Object} CreatedWebhook
 * @property {string} id
 * @property {number} type
 * @property {string} guild_id
 * @property {string} channel_id
 * @property {string} name
 * @property {string | null} [avatar_url]
 * @property {string | null} [creator_id]
 * @property {string} created_at
 * @property {string} token
 * @property {string} url
 */

/**
 * @typedef {Object} ChannelPinsUpdate
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} message_id
 * @property {boolean} pinned
 * @property {string | null} [last_pin_at]
 */

/**
 * @typedef {Object} TypingStart
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} user_id
 * @property {string} timestamp
 */

/**
 * @typedef {Object} ChannelAck
 * @property {string} channel_id
 * @property {string} message_id
 * @property {string} user_id
 */

/**
 * @typedef {Object} GuildDelete
 * @property {string} id
 */

/**
 * @typedef {Object} GuildMemberRemove
 * @property {string} guild_id
 * @property {string} user_id
 */

/**
 * @typedef {Object} GuildMembersPrune
 * @property {string} guild_id
 * @property {number} pruned
 * @property {Array<string>} user_ids
 */

/**
 * How many members a prune of `days` would remove (REST only: GET /guilds/{g}/prune).
 * @typedef {Object} PruneCount
 * @property {string} guild_id
 * @property {number} days
 * @property {number} pruned
 */

/**
 * @typedef {Object} GuildRoleDelete
 * @property {string} guild_id
 * @property {string} role_id
 */

/**
 * @typedef {Object} GuildEmojiDelete
 * @property {string} id
 * @property {string} guild_id
 */

/**
 * @typedef {Object} GuildOnboardingUpdate
 * @property {string} guild_id
 * @property {boolean} enabled
 * @property {string} welcome_message
 * @property {Array<string>} rules
 * @property {Array<string>} default_channel_ids
 * @property {Array<OnboardingPrompt>} prompts
 * @property {string} updated_at
 */

/**
 * Whether the caller completed a guild's onboarding (REST only).
 * @typedef {Object} OnboardingStatus
 * @property {string} guild_id
 * @property {boolean} completed
 */

/**
 * @typedef {Object} GuildEventDelete
 * @property {string} id
 * @property {string} guild_id
 */

/**
 * One field an audited action changed: its value before (null when created) and after (null when deleted), in the shape the field has in the object's events.
 * @typedef {Object} AuditLogChange
 * @property {string} key
 * @property {any} old
 * @property {any} new
 */

/**
 * GUILD_AUDIT_LOG_ENTRY_CREATE, and an entry of GET /guilds/{g}/audit-log.
 * @typedef {Object} AuditLogEntry
 * @property {string} id
 * @property {string} guild_id
 * @property {string} actor_id
 * @property {string} action
 * @property {string | null} [target_type]
 * @property {string | null} [target_id]
 * @property {Array<AuditLogChange>} changes
 * @property {string | null} [reason]
 * @property {string} created_at
 */

/**
 * GET /guilds/{g}/audit-log (REST only): entries, newest first, with every user they name.
 * @typedef {Object} AuditLogPage
 * @property {Array<AuditLogEntry>} audit_log_entries
 * @property {Array<User>} users
 */

/**
 * An entry of the instance's own audit log (GET /admin/audit-log): administrators' actions.
 * @typedef {Object} InstanceAuditEntry
 * @property {string} id
 * @property {string | null} [actor_id]
 * @property {string} action
 * @property {string | null} [target_type]
 * @property {string | null} [target_id]
 * @property {Array<AuditLogChange>} changes
 * @property {string | null} [reason]
 * @property {string} created_at
 */

/**
 * GUILD_REPORT_CREATE / _UPDATE (moderators), and a report of GET /guilds/{g}/reports. The reporter's own view (POST, GET /reports/{id}) leaves out `resolution` and `handled_by`.
 * @typedef {Object} Report
 * @property {string} id
 * @property {string} guild_id
 * @property {string} reporter_id
 * @property {string} user_id
 * @property {string | null} [message_id]
 * @property {string | null} [channel_id]
 * @property {string} reason
 * @property {"open" | "resolved" | "dismissed"} status
 * @property {string | null} [resolution]
 * @property {string | null} [handled_by]
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * GUILD_MEMBER_WARNING_CREATE, to moderators and the member warned (who is not told by whom).
 * @typedef {Object} MemberWarning
 * @property {string} id
 * @property {string} guild_id
 * @property {string} user_id
 * @property {string} reason
 * @property {string} created_at
 */

/**
 * A warning as REST answers it: moderators also see who gave it.
 * @typedef {Object} GuildWarning
 * @property {string} id
 * @property {string} guild_id
 * @property {string} user_id
 * @property {string} reason
 * @property {string} created_at
 * @property {string | null} [moderator_id]
 */

/**
 * GUILD_BAN_ADD / _REMOVE.
 * @typedef {Object} GuildBan
 * @property {string} guild_id
 * @property {string} user_id
 * @property {string | null} [reason]
 */

/**
 * A ban as REST answers it: the banned user, who banned them, and until when.
 * @typedef {Object} Ban
 * @property {string} guild_id
 * @property {string} user_id
 * @property {string | null} [reason]
 * @property {User} user
 * @property {string | null} [banned_by]
 * @property {string | null} [expires_at]
 * @property {string} created_at
 */

/**
 * @typedef {Object} RaidLockdown
 * @property {string} guild_id
 * @property {boolean} active
 * @property {string} reason
 * @property {string | null} [triggered_by]
 * @property {string | null} [started_at]
 */

/**
 * A guild's raid protection (REST only: /guilds/{g}/raid-config); the lockdown fields while one is on.
 * @typedef {Object} RaidConfig
 * @property {string} guild_id
 * @property {number} join_threshold
 * @property {number} window_seconds
 * @property {boolean} lockdown_active
 * @property {number} lockdown_duration_seconds
 * @property {string | null} [lockdown_started_at]
 * @property {string | null} [lockdown_ends_at]
 * @property {string | null} [lockdown_reason]
 * @property {string | null} [lockdown_triggered_by]
 */

/**
 * @typedef {Object} AutomodAction
 * @property {string} guild_id
 * @property {string} channel_id
 * @property {string} message_id
 * @property {string} user_id
 * @property {string} rule_id
 * @property {string} rule_name
 * @property {string} action
 * @property {string} reason
 */

/**
 * A guild's automod rule (REST only: /guilds/{g}/automod/rules).
 * @typedef {Object} AutomodRule
 * @property {string} id
 * @property {string} guild_id
 * @property {string} name
 * @property {string} rule_type
 * @property {Record<string, any>} config
 * @property {Array<string>} actions
 * @property {Array<string>} exempt_role_ids
 * @property {Array<string>} exempt_channel_ids
 * @property {boolean} enabled
 * @property {number | null} [timeout_seconds]
 * @property {string | null} [creator_id]
 * @property {string} created_at
 */

/**
 * An automod action as GET /guilds/{g}/automod/actions lists it (REST only).
 * @typedef {Object} AutomodActionLogged
 * @property {string} guild_id
 * @property {string} channel_id
 * @property {string} message_id
 * @property {string} user_id
 * @property {string} rule_id
 * @property {string} rule_name
 * @property {string} action
 * @property {string} reason
 * @property {string} id
 * @property {string} created_at
 */

/**
 * @typedef {Object} PollOptionCount
 * @property {string} id
 * @property {number} vote_count
 */

/**
 * @typedef {Object} PollVote
 * @property {string} poll_id
 * @property {string} channel_id
 * @property {string | null} [user_id]
 * @property {Array<string>} option_ids
 * @property {Array<PollOptionCount>} options
 * @property {number} total_votes
 */

/**
 * @typedef {Object} PollClose
 * @property {string} poll_id
 * @property {string} channel_id
 * @property {string | null} [closed_by]
 */

/**
 * @typedef {Object} PresenceUpdate
 * @property {string} user_id
 * @property {"online" | "idle" | "focus" | "busy" | "offline"} status
 * @property {PresenceActivity | null} [activity]
 */

/**
 * @typedef {Object} RelationshipRemove
 * @property {string} user_id
 * @property {string} target_id
 */

/**
 * One entry of RTCConfiguration.iceServers (the `[voice] ice_servers` setting).
 * @typedef {Object} IceServer
 * @property {Array<string>} urls
 * @property {string | null} [username]
 * @property {string | null} [credential]
 */

/**
 * @typedef {Object} VoiceServerUpdate
 * @property {string} user_id
 * @property {string | null} [guild_id]
 * @property {string} channel_id
 * @property {string} endpoint
 * @property {string} token
 * @property {"livekit" | "mesh"} [media]
 * @property {Array<IceServer>} [ice_servers]
 * @property {number} [max_peers]
 */

/**
 * POST /voice/{c}/join (REST only): the caller's voice state and how to reach the media.
 * @typedef {Object} VoiceConnection
 * @property {VoiceState} voice_state
 * @property {string} endpoint
 * @property {string} token
 * @property {"livekit" | "mesh"} media
 * @property {Array<IceServer>} ice_servers
 * @property {number} max_peers
 */

/**
 * RTCIceCandidateInit, as the browser hands it over.
 * @typedef {Object} IceCandidate
 * @property {string} candidate
 * @property {string | null} [sdpMid]
 * @property {number | null} [sdpMLineIndex]
 * @property {string | null} [usernameFragment]
 */

/**
 * WebRTC signalling between two people in the same voice channel or call, relayed as is.
 * @typedef {Object} VoiceSignal
 * @property {string} channel_id
 * @property {string} from_user_id
 * @property {string} to_user_id
 * @property {"offer" | "answer" | "ice"} kind
 * @property {string | null} [sdp]
 * @property {IceCandidate | null} [candidate]
 */

/**
 * @typedef {Object} CallRing
 * @property {string} channel_id
 * @property {string} caller_id
 * @property {User} caller
 * @property {"text" | "voice" | "dm" | "group" | "announcement" | "forum" | "stage" | "category"} channel_type
 * @property {string} caller_name
 * @property {string | null} [caller_display_name]
 * @property {string | null} [caller_avatar_id]
 */

/**
 * @typedef {Object} SoundboardSoundCreate
 * @property {string} guild_id
 * @property {SoundboardSound} sound
 */

/**
 * @typedef {Object} SoundboardSoundDelete
 * @property {string} guild_id
 * @property {string} sound_id
 */

/**
 * @typedef {Object} SoundboardPlay
 * @property {string | null} [guild_id]
 * @property {string} channel_id
 * @property {string} sound_id
 * @property {string} user_id
 * @property {number} volume
 */

/**
 * VOICE_BROADCAST_START / _END.
 * @typedef {Object} VoiceBroadcast
 * @property {string} broadcast_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} broadcaster_id
 * @property {string | null} [title]
 */

/**
 * SCREEN_SHARE_START / _UPDATE / _END.
 * @typedef {Object} ScreenShare
 * @property {string} session_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string} user_id
 * @property {string | null} [resolution]
 * @property {number | null} [framerate]
 * @property {boolean | null} [audio_enabled]
 */

/**
 * @typedef {Object} AnnouncementDelete
 * @property {string} id
 */

/**
 * @typedef {Object} NotificationDelete
 * @property {string} id
 * @property {string} user_id
 */

/**
 * @typedef {Object} NotificationMarkAllRead
 * @property {number} updated
 * @property {string} user_id
 */

/**
 * @typedef {Object} NotificationClearAll
 * @property {string} user_id
 */

/**
 * Quiet hours in the user's local time (camelCase keys, as the original client sends them).
 * @typedef {Object} DndSchedule
 * @property {boolean} enabled
 * @property {number} startHour
 * @property {number} startMinute
 * @property {number} endHour
 * @property {number} endMinute
 */

/**
 * @typedef {Object} CustomTheme
 * @property {string} name
 * @property {Record<string, string>} colors
 * @property {string} createdAt
 */

/**
 * A user's own settings; every field has its default, and null sets a field back to it.
 * @typedef {Object} SettingsValues
 * @property {string} [theme]
 * @property {string | null} [locale]
 * @property {boolean} [desktop_notifications]
 * @property {boolean} [notification_sounds]
 * @property {"default" | "chime" | "bell" | "pop" | "none"} [notification_sound_preset]
 * @property {number} [notification_volume]
 * @property {"everyone" | "friends" | "nobody"} [dm_privacy]
 * @property {"everyone" | "mutual_guilds" | "nobody"} [friend_request_privacy]
 * @property {"blur_all" | "blur_suspicious" | "show_all"} [nsfw_content_filter]
 * @property {DndSchedule | null} [dnd_schedule]
 * @property {Array<CustomTheme>} [custom_themes]
 * @property {string | null} [active_custom_theme]
 * @property {string} [custom_css]
 */

/**
 * USER_SETTINGS_UPDATE and GET /users/@me/settings: the whole document after a change.
 * @typedef {Object} UserSettings
 * @property {string} [theme]
 * @property {string | null} [locale]
 * @property {boolean} [desktop_notifications]
 * @property {boolean} [notification_sounds]
 * @property {"default" | "chime" | "bell" | "pop" | "none"} [notification_sound_preset]
 * @property {number} [notification_volume]
 * @property {"everyone" | "friends" | "nobody"} [dm_privacy]
 * @property {"everyone" | "mutual_guilds" | "nobody"} [friend_request_privacy]
 * @property {"blur_all" | "blur_suspicious" | "show_all"} [nsfw_content_filter]
 * @property {DndSchedule | null} [dnd_schedule]
 * @property {Array<CustomTheme>} [custom_themes]
 * @property {string | null} [active_custom_theme]
 * @property {string} [custom_css]
 * @property {string} user_id
 */

/**
 * A message a user saved for later (SAVED_MESSAGE_ADD, READY's `saved_messages`): where it is and the user's note; the message itself comes from GET /users/@me/saved-messages.
 * @typedef {Object} SavedMessage
 * @property {string} user_id
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string | null} [note]
 * @property {string} created_at
 */

/**
 * A saved message as GET /users/@me/saved-messages lists it: with the message itself.
 * @typedef {Object} SavedMessageWithMessage
 * @property {string} user_id
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string | null} [guild_id]
 * @property {string | null} [note]
 * @property {string} created_at
 * @property {Message} message
 */

/**
 * @typedef {Object} SavedMessageRemove
 * @property {string} user_id
 * @property {string} message_id
 * @property {string} channel_id
 */

/**
 * @typedef {Object} ChannelGroupDelete
 * @property {string} id
 * @property {string} guild_id
 */

/**
 * @typedef {Object} ChannelGroupItemsUpdate
 * @property {string} group_id
 * @property {string} guild_id
 * @property {Array<string>} channel_ids
 */

/**
 * LOCATION_SHARE_CREATE / _UPDATE.
 * @typedef {Object} LocationShare
 * @property {string} id
 * @property {string} user_id
 * @property {string} channel_id
 * @property {number} latitude
 * @property {number} longitude
 * @property {number | null} [accuracy]
 * @property {string | null} [label]
 * @property {boolean} live
 * @property {string | null} [expires_at]
 */

/**
 * @typedef {Object} LocationShareStop
 * @property {string} id
 * @property {string} user_id
 * @property {string} channel_id
 */

/**
 * @typedef {Object} MessageEffect
 * @property {string} id
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string} user_id
 * @property {string} effect_type
 * @property {Record<string, any>} config
 */

/**
 * @typedef {Object} SuperReaction
 * @property {string} id
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string} user_id
 * @property {string} emoji
 * @property {number} intensity
 */

/**
 * @typedef {Object} WhiteboardUpdate
 * @property {string} whiteboard_id
 * @property {string} channel_id
 * @property {string} user_id
 * @property {Record<string, any>} state
 * @property {number} version
 */

/**
 * A whiteboard without its state (REST only: lists).
 * @typedef {Object} WhiteboardSummary
 * @property {string} id
 * @property {string} channel_id
 * @property {string} name
 * @property {number} version
 * @property {string} creator_id
 * @property {string | null} [updated_by]
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * @typedef {Object} Whiteboard
 * @property {string} id
 * @property {string} channel_id
 * @property {string} name
 * @property {number} version
 * @property {string} creator_id
 * @property {string | null} [updated_by]
 * @property {string} created_at
 * @property {string} updated_at
 * @property {Record<string, any>} state
 */

/**
 * @typedef {Object} CodeSnippet
 * @property {string} id
 * @property {string} channel_id
 * @property {string} author_id
 * @property {string} title
 * @property {string} language
 * @property {string} code
 */

/**
 * @typedef {Object} KanbanCardMove
 * @property {string} card_id
 * @property {string} board_id
 * @property {string} column_id
 * @property {number} position
 * @property {string} channel_id
 */

/**
 * @typedef {Object} ChannelWidgetDelete
 * @property {string} widget_id
 * @property {string} channel_id
 */

/**
 * ACTIVITY_PARTICIPANT_JOIN / _LEAVE.
 * @typedef {Object} ActivityParticipant
 * @property {string} session_id
 * @property {string} user_id
 * @property {string} channel_id
 */

/**
 * @typedef {Object} ActivityStateUpdate
 * @property {string} session_id
 * @property {Record<string, any>} state
 * @property {string} channel_id
 */

/**
 * @typedef {Object} GamePlayerJoin
 * @property {string} game_id
 * @property {string} user_id
 * @property {number} player_index
 * @property {string} channel_id
 */

/**
 * @typedef {Object} GameMove
 * @property {string} game_id
 * @property {string} user_id
 * @property {Record<string, any>} move
 * @property {Record<string, any>} state
 * @property {string} status
 * @property {string | null} [next_turn]
 * @property {string} channel_id
 */

/**
 * @typedef {Object} WatchTogetherSync
 * @property {string} session_id
 * @property {number} current_time_ms
 * @property {boolean} playing
 * @property {number} playback_rate
 * @property {string} channel_id
 */

/**
 * A track added to a music party's queue, as the REST answer gives it.
 * @typedef {Object} QueuedTrack
 * @property {string} session_id
 * @property {MusicTrack} track
 * @property {number} queue_size
 */

/**
 * @typedef {Object} MusicPartyQueueAdd
 * @property {string} session_id
 * @property {MusicTrack} track
 * @property {number} queue_size
 * @property {string} channel_id
 */

/**
 * @typedef {Object} ComponentInteraction
 * @property {string} message_id
 * @property {string} channel_id
 * @property {string} user_id
 * @property {string} custom_id
 * @property {"button" | "select"} component_type
 * @property {Array<string>} values
 * @property {string} bot_id
 */

/**
 * @typedef {Object} InteractionOption
 * @property {string} name
 * @property {number} type
 * @property {string | number | boolean} value
 * @property {boolean | null} [focused]
 */

/**
 * @typedef {Object} InteractionData
 * @property {string} id
 * @property {string} name
 * @property {number} type
 * @property {Array<InteractionOption>} options
 * @property {Record<string, Record<string, Record<string, any>>> | null} [resolved]
 */

/**
 * A modal's text field (component type 4), as the bot declared it (docs/bots.md#modals).
 * @typedef {Object} TextInput
 * @property {number} type
 * @property {string} custom_id
 * @property {number} style
 * @property {string} label
 * @property {number | null} [min_length]
 * @property {number | null} [max_length]
 * @property {boolean} required
 * @property {string | null} [value]
 * @property {string | null} [placeholder]
 */

/**
 * @typedef {Object} ModalRow
 * @property {number} type
 * @property {Array<TextInput>} components
 */

/**
 * @typedef {Object} SubmittedInput
 * @property {number} type
 * @property {string} custom_id
 * @property {string} value
 */

/**
 * @typedef {Object} SubmittedRow
 * @property {number} type
 * @property {Array<SubmittedInput>} components
 */

/**
 * What a member typed in a bot's modal: each text input's value, by its custom_id.
 * @typedef {Object} ModalSubmitData
 * @property {string} custom_id
 * @property {Array<SubmittedRow>} components
 */

/**
 * @typedef {Object} InteractionCreate
 * @property {string} id
 * @property {string} application_id
 * @property {number} type
 * @property {string} token
 * @property {string} guild_id
 * @property {string} channel_id
 * @property {string} user_id
 * @property {User} user
 * @property {InteractionData | ModalSubmitData} data
 * @property {string} created_at
 */

/**
 * A bot answers a command with a modal (callback 9): the form the member fills in.
 * @typedef {Object} InteractionModal
 * @property {string} id
 * @property {string} application_id
 * @property {string} user_id
 * @property {string} guild_id
 * @property {string} channel_id
 * @property {string} name
 * @property {string} custom_id
 * @property {string} title
 * @property {Array<ModalRow>} components
 */

/**
 * A bot did not answer a use of its command (or a modal submission) in time.
 * @typedef {Object} InteractionTimeout
 * @property {string} interaction_id
 * @property {string} application_id
 * @property {string} user_id
 * @property {string} channel_id
 * @property {string} name
 */

/**
 * @typedef {Object} AutocompleteChoice
 * @property {string} name
 * @property {string | number} value
 */

/**
 * @typedef {Object} AutocompleteResponse
 * @property {string} interaction_id
 * @property {string} user_id
 * @property {Array<AutocompleteChoice>} choices
 */

/**
 * One option of an application command, as declared (docs/bots.md#application-commands).
 * @typedef {Object} CommandOption
 * @property {number} type
 * @property {string} name
 * @property {string} description
 * @property {boolean | null} [required]
 * @property {boolean | null} [autocomplete]
 * @property {Array<AutocompleteChoice> | null} [choices]
 * @property {number | null} [min_value]
 * @property {number | null} [max_value]
 * @property {number | null} [min_length]
 * @property {number | null} [max_length]
 */

/**
 * A bot's slash command in Discord's shape; `guild_id` only on a command of one guild.
 * @typedef {Object} ApplicationCommand
 * @property {string} id
 * @property {number} type
 * @property {string} application_id
 * @property {string | null} [guild_id]
 * @property {string} name
 * @property {string} description
 * @property {Array<CommandOption>} options
 * @property {string | null} [default_member_permissions]
 * @property {string} version
 */

/**
 * A command usable in `guild_id` was created, changed or deleted. A global command's change comes once per guild its bot is a member of, to that guild's members.
 * @typedef {Object} ApplicationCommandChange
 * @property {string} guild_id
 * @property {ApplicationCommand} command
 */

/**
 * GET /channels/{c}/commands (REST only): the commands the caller may use there, and their bots.
 * @typedef {Object} UsableCommands
 * @property {Array<User>} applications
 * @property {Array<ApplicationCommand>} application_commands
 */

/**
 * POST /interactions (REST only): the interaction sent to the command's bot.
 * @typedef {Object} InteractionStarted
 * @property {string} id
 * @property {string} application_id
 * @property {string} name
 * @property {number} type
 */

/**
 * @typedef {Object} BotPresenceUpdate
 * @property {string} bot_id
 * @property {"online" | "idle" | "focus" | "busy" | "offline"} status
 * @property {PresenceActivity | null} [activity]
 */

/**
 * One of the caller's bots (REST only: /users/@me/bots).
 * @typedef {Object} Bot
 * @property {User} user
 * @property {BotPresenceUpdate} presence
 */

/**
 * A bot's new token, shown only in this answer.
 * @typedef {Object} BotToken
 * @property {User} user
 * @property {string} token
 */

/**
 * A guild the caller could install a bot in, and whether the bot is already a member (or its commands installed there without it).
 * @typedef {Object} InstallGuild
 * @property {string} id
 * @property {string} owner_id
 * @property {string} name
 * @property {string | null} [description]
 * @property {string | null} [icon_id]
 * @property {string | null} [banner_id]
 * @property {string | null} [system_channel_id]
 * @property {string} default_permissions
 * @property {number} flags
 * @property {boolean} nsfw
 * @property {boolean} discoverable
 * @property {number} member_count
 * @property {string} created_at
 * @property {boolean} bot_member
 * @property {boolean} commands_installed
 */

/**
 * GET /oauth2/authorize (REST only): what installing the bot asks for, and where it could go.
 * @typedef {Object} BotInstallPrompt
 * @property {User} bot
 * @property {Array<string>} scopes
 * @property {string} permissions
 * @property {Array<string>} permission_names
 * @property {Array<InstallGuild>} guilds
 */

/**
 * POST /oauth2/authorize (REST only): the bot's membership and managed role in the guild (both null when only its commands were installed).
 * @typedef {Object} BotInstalled
 * @property {string} guild_id
 * @property {User} bot
 * @property {Role | null} role
 * @property {GuildMember | null} member
 */

/**
 * GET /guilds/{g}/integrations (REST only): a bot installed in the guild, as a member or for its commands alone (`installed_by` names who installed those), with the commands it offers.
 * @typedef {Object} GuildIntegration
 * @property {User} bot
 * @property {Array<string>} scopes
 * @property {boolean} bot_member
 * @property {boolean} commands_installed
 * @property {string | null} installed_by
 * @property {Array<ApplicationCommand>} commands
 */

/**
 * @typedef {Object} FederationRetry
 * @property {string} domain
 * @property {number} attempts
 */

/**
 * Which of a user's gateway sessions end: those that identified with one of `token_hashes`, or (without them) all of them but the ones using `all_but`.
 * @typedef {Object} SessionsRevoke
 * @property {string} user_id
 * @property {Array<string> | null} [token_hashes]
 * @property {string | null} [all_but]
 */

/**
 * GET /health and /health/deep (REST only): `checks` (deep only) per dependency.
 * @typedef {Object} Health
 * @property {string} status
 * @property {Record<string, Record<string, any>> | null} [checks]
 */
