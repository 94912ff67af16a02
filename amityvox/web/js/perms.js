// @ts-check
// Guild- and channel-level permissions of the self user (docs/rest.md#permissions), to show only the
// controls that can work. The server still decides: a control shown by mistake gets a clear 403 toast.

export const Perm = Object.freeze({
  ManageChannels: 1n << 0n,
  ManageGuild: 1n << 1n,
  ManagePermissions: 1n << 2n,
  ManageRoles: 1n << 3n,
  ManageEmoji: 1n << 4n,
  ManageWebhooks: 1n << 5n,
  KickMembers: 1n << 6n,
  BanMembers: 1n << 7n,
  AssignRoles: 1n << 9n,
  ViewAuditLog: 1n << 14n,
  ViewChannel: 1n << 20n,
  SendMessages: 1n << 22n,
  ManageMessages: 1n << 23n,
  CreateInvites: 1n << 37n,
  Administrator: 1n << 63n,
});

const ALL = (1n << 64n) - 1n;

export function guildPermissions(state, guildId) {
  const guild = state.guilds[guildId];
  const me = state.self_user?.id;
  if (!guild || !me) return 0n;
  if (guild.owner_id === me) return ALL;
  let perms = BigInt(guild.default_permissions ?? 0);
  // Roles apply lowest first (position, then id), as the server resolves them.
  for (const role of memberRoles(state, guildId, me).reverse()) {
    perms |= BigInt(role.permissions_allow);
    perms &= ~BigInt(role.permissions_deny);
  }
  return perms & Perm.Administrator ? ALL : perms;
}

// What a timeout takes away (permissions.TIMEOUT_MASK): SendMessages, AddReactions, Connect, Speak,
// Stream, CreateThreads, CreateInvites.
const TIMEOUT_MASK = (1n << 22n) | (1n << 26n) | (1n << 28n) | (1n << 29n) | (1n << 35n) | (1n << 37n) | (1n << 39n);

/** The self user's permissions in a guild channel, resolved as the server does: guild level, then
 * the channel's overwrites (@everyone's, the roles' combined, the member's own), then a timeout;
 * nothing without ViewChannel. */
export function channelPermissions(state, channelId) {
  const channel = state.channels[channelId];
  const guildId = channel?.guild_id;
  const me = state.self_user?.id;
  if (!guildId || !me) return 0n;
  const guild = state.guilds[guildId];
  if (guild?.owner_id === me) return ALL;
  let perms = guildPermissions(state, guildId);
  if (perms !== ALL) {
    const roleIds = new Set(state.members[guildId]?.[me]?.roles ?? []);
    const layers = [[0n, 0n], [0n, 0n], [0n, 0n]]; // @everyone, roles, the member: [allow, deny]
    for (const ow of channel.permission_overwrites ?? []) {
      const layer = ow.type === "role" ? (ow.id === guildId ? 0 : roleIds.has(ow.id) ? 1 : -1) : ow.id === me ? 2 : -1;
      if (layer < 0) continue;
      layers[layer][0] |= BigInt(ow.allow);
      layers[layer][1] |= BigInt(ow.deny);
    }
    for (const [allow, deny] of layers) perms = (perms & ~deny) | allow;
  }
  const until = state.members[guildId]?.[me]?.timeout_until;
  if (until && Date.parse(until) > Date.now()) perms &= ~TIMEOUT_MASK;
  return perms & Perm.ViewChannel ? perms : 0n;
}

export function can(state, guildId, bit) {
  return (guildPermissions(state, guildId) & bit) !== 0n;
}

/** A moderator: KickMembers, BanMembers, ManageMessages, ManageGuild or Administrator. */
export function isModerator(state, guildId) {
  const p = guildPermissions(state, guildId);
  return (p & (Perm.KickMembers | Perm.BanMembers | Perm.ManageMessages | Perm.ManageGuild | Perm.Administrator)) !== 0n;
}

/** A member's roles, highest first (position, then id, descending). */
export function memberRoles(state, guildId, userId) {
  const roles = state.roles[guildId] ?? {};
  return (state.members[guildId]?.[userId]?.roles ?? []).map((id) => roles[id]).filter(Boolean).sort(byRank);
}

/** Order for role lists: highest first, the order in which they win. */
export function byRank(a, b) {
  return b.position - a.position || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The self user's highest role position (the owner outranks every role; no roles: 0). */
export function topPosition(state, guildId) {
  const me = state.self_user?.id;
  if (state.guilds[guildId]?.owner_id === me) return Infinity;
  return memberRoles(state, guildId, me)[0]?.position ?? 0;
}

/** The server's list of permission bits (GET /permissions), loaded once per page. */
let bitsPromise = null;
export function permissionBits(api) {
  bitsPromise ??= api.get("/permissions").then((list) => list.map((b) => ({ ...b, bit: BigInt(b.value) })))
    .catch((err) => {
      bitsPromise = null; // try again next time
      throw err;
    });
  return bitsPromise;
}
