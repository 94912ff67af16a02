// Guild-level permissions of the self user (SPEC §3), to show only the controls that can
// work. The server still decides: a control shown by mistake gets a clear 403 toast.

export const Perm = Object.freeze({
  ManageChannels: 1n << 0n,
  ManageGuild: 1n << 1n,
  ManageRoles: 1n << 3n,
  ManageEmoji: 1n << 4n,
  KickMembers: 1n << 6n,
  BanMembers: 1n << 7n,
  AssignRoles: 1n << 9n,
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
  const roles = state.roles[guildId] ?? {};
  for (const roleId of state.members[guildId]?.[me]?.roles ?? []) {
    const role = roles[roleId];
    if (!role) continue;
    perms |= BigInt(role.permissions_allow);
    perms &= ~BigInt(role.permissions_deny);
  }
  return perms & Perm.Administrator ? ALL : perms;
}

export function can(state, guildId, bit) {
  return (guildPermissions(state, guildId) & bit) !== 0n;
}

/** A moderator: KickMembers, BanMembers, ManageMessages, ManageGuild or Administrator. */
export function isModerator(state, guildId) {
  const p = guildPermissions(state, guildId);
  return (p & (Perm.KickMembers | Perm.BanMembers | Perm.ManageMessages | Perm.ManageGuild | Perm.Administrator)) !== 0n;
}
