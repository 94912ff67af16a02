// @ts-check
// Shapes the client's own modules share (the wire objects are in payloads.js, generated
// from the server's payload models).

// Never loaded by the page: modules name these types in JSDoc only.
import * as P from "./payloads.js";

/**
 * What a ui/ module may export for the app to wire up: click actions (`data-action`),
 * form submissions (`data-form`) and a hook called when a panel opens.
 * @typedef {Object} UiModule
 * @property {Record<string, (app: any, data: DOMStringMap, el: HTMLElement, event: Event) => unknown>} [actions]
 * @property {Record<string, (app: any, fields: Record<string, any>, form: HTMLFormElement, event: Event) => unknown>} [forms]
 * @property {(app: any, panel: string, args: Record<string, unknown>) => void} [onOpen]
 * @property {(app: any, ...args: any[]) => unknown} [view] renders its part of the page
 */

/**
 * The cached stores (stores.js `emptyStores`), named as in the Python client's.
 * @typedef {Object} Stores
 * @property {P.SelfUser | null} self_user
 * @property {any} user_settings
 * @property {Record<string, any>} saved_messages
 * @property {Record<string, P.User>} users
 * @property {Record<string, P.Guild>} guilds
 * @property {Record<string, P.Channel>} channels
 * @property {Record<string, Record<string, Omit<P.GuildMember, "user">>>} members
 * @property {Record<string, Record<string, P.Role>>} roles
 * @property {Record<string, Record<string, P.CustomEmoji>>} emoji
 * @property {Record<string, any>} bans
 * @property {Record<string, Record<string, P.Message>>} messages
 * @property {Record<string, any>} last_pin_at
 * @property {Record<string, any>} webhook_changes
 * @property {Record<string, any>} typing
 * @property {Record<string, P.ReadState>} read_state
 * @property {Record<string, any>} presences
 * @property {Record<string, Omit<P.Relationship, "user">>} relationships
 * @property {Record<string, Record<string, P.VoiceState>>} voice_states
 * @property {Record<string, any>} screen_shares
 * @property {Record<string, any>} broadcasts
 * @property {any} voice_connection
 * @property {Record<string, any>} calls
 * @property {Record<string, P.Notification>} notifications
 * @property {Record<string, P.Announcement>} announcements
 * @property {Record<string, P.Poll>} polls
 * @property {Record<string, string[]>} poll_votes
 * @property {Record<string, Record<string, P.GuildEvent>>} guild_events
 * @property {Record<string, any>} onboarding
 * @property {any[]} automod
 * @property {any[]} audit_log
 * @property {Record<string, any>} reports
 * @property {any[]} warnings
 * @property {Record<string, any>} raid
 * @property {Record<string, Record<string, P.SoundboardSound>>} soundboard
 * @property {Record<string, any>} soundboard_plays
 * @property {Record<string, any>} channel_groups
 * @property {Record<string, any>} locations
 * @property {Record<string, any>} effects
 * @property {Record<string, any>} super_reactions
 * @property {Record<string, any>} whiteboards
 * @property {Record<string, any>} snippets
 * @property {Record<string, any>} kanban_cards
 * @property {Record<string, any>} widgets
 * @property {Record<string, any>} activities
 * @property {Record<string, any>} games
 * @property {Record<string, any>} game_players
 * @property {Record<string, any>} game_turns
 * @property {Record<string, any>} watch_together
 * @property {Record<string, any>} music_parties
 * @property {Record<string, any>} bot_presences
 * @property {any[]} interactions
 * @property {Record<string, any> | null} autocomplete
 * @property {Record<string, any> | null} modal
 * @property {Record<string, Record<string, any>>} timed_out
 * @property {Record<string, Record<string, any>>} ephemeral_messages
 * @property {Record<string, Record<string, any>>} application_commands
 */

/**
 * The whole cache: the stores, the clock typing expiry reads and the connection's standing.
 * @typedef {Stores & {clock: () => number, max_messages: number, connection: ReturnType<typeof import("./stores.js").emptyConnection>}} State
 */

export {};
