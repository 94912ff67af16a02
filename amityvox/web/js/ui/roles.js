// @ts-check
// Server settings → Roles: the roles in the order they win (drag, or the up/down buttons),
// and for the chosen role its name, colour, whether anyone may @mention it, and every
// permission bit as a toggle with the server's description of it. The profile panel's role
// checkboxes live here too.
//
// Only what the user may grant is offered: roles at or above their highest role are
// read-only, and bits they do not hold are locked. The server checks the same rules and
// its refusal is shown as a toast; the view then redraws from the stores.

import { h, roleColor } from "./dom.js";
import { icon } from "./icons.js";
import { confirmAction } from "./modal.js";
import { Perm, byRank, can, guildPermissions, permissionBits, topPosition } from "../perms.js";
import { displayName } from "../state.js";

/** A permission's name for people: "ManageMessages" → "Manage Messages". */
// The bits whose words are not the ones Discord's users know them by.
const DISCORD_NAMES = {
  ManageGuild: "Manage Server",
  ViewGuildInsights: "View Server Insights",
  MentionHere: "Mention @everyone and @here",
  ReadHistory: "Read Message History",
  UseVAD: "Use Voice Activity",
};

export function permName(name) {
  return DISCORD_NAMES[name] ?? name.replace(/([a-z])([A-Z])/g, "$1 $2");
}

/** The permission bits as the server describes them, or null while they load. */
export function bits(app) {
  if (app.ui.permBits) return app.ui.permBits;
  permissionBits(app.api).then((list) => {
    app.ui.permBits = list;
    app.render();
  }, (err) => app.fail(err, "Loading the permission list failed"));
  return null;
}

function sortedRoles(app, guildId) {
  return Object.values(app.state.roles[guildId] ?? {}).sort(byRank);
}

/** True when the self user may edit or hand out this role (below their highest one). */
export function outranks(app, guildId, role) {
  return role.position < topPosition(app.state, guildId);
}

function roleRow(app, guildId, r, i, list, chosen) {
  const mine = outranks(app, guildId, r);
  return h("li", { "data-key": r.id, "data-drag-role": mine ? r.id : null, draggable: mine ? "true" : null },
    h("span.role-swatch", { style: roleColor(r.color) ? { background: roleColor(r.color) } : null }),
    h("button.link.role-name", { "data-action": "pick-role", "data-role": r.id, "aria-current": String(r.id === chosen) }, r.name),
    h("button.icon.small", { "data-action": "move-role", "data-role": r.id, "data-by": "-1", disabled: !mine || i === 0, "aria-label": `Move ${r.name} up`, title: "Move up" }, "▲"),
    h("button.icon.small", { "data-action": "move-role", "data-role": r.id, "data-by": "1", disabled: !mine || i === list.length - 1, "aria-label": `Move ${r.name} down`, title: "Move down" }, "▼"),
    mine && !r.managed_by ? h("button.icon.small.danger", { "data-action": "delete-role", "data-role": r.id, "aria-label": `Delete ${r.name}`, title: "Delete" }, icon("trash")) : null);
}

function permissionToggles(app, guildId, role, editable) {
  const list = bits(app);
  if (!list) return h("p.muted", "Loading permissions…");
  const held = guildPermissions(app.state, guildId);
  const allow = BigInt(role.permissions_allow);
  const deny = BigInt(role.permissions_deny);
  const group = (scope, title) => [
    h("h4.perm-group", title),
    h("ul.perm-list", list.filter((b) => b.scope === scope || (scope === "guild" && b.name === "Administrator")).map((b) => {
      const mayGrant = editable && (held & b.bit) === b.bit;
      const id = `perm-${role.id}-${b.name}`;
      return h("li", { "data-key": b.name },
        h("span.perm-text", h("label", { for: id }, permName(b.name)),
          h("small", { id: `${id}-d` }, b.description, deny & b.bit ? " (denied by this role)" : "", mayGrant || !editable ? "" : " — you do not hold this permission")),
        h("input.switch", {
          id, type: "checkbox", role: "switch", checked: (allow & b.bit) !== 0n, disabled: !mayGrant, "aria-describedby": `${id}-d`,
          "data-change": "role-bit", "data-role": role.id, "data-bit": b.value,
        }));
    })),
  ];
  return [group("guild", "Server"), group("channel", "Channels (overwrites can change these per channel)")];
}

/** @everyone as the editor shows it: the guild's base permissions, changed with ManageGuild. */
function everyone(app, guildId) {
  const g = app.state.guilds[guildId];
  return { id: guildId, name: "@everyone", permissions_allow: g?.default_permissions ?? "0", permissions_deny: "0", everyone: true };
}

function editor(app, guildId, role) {
  if (role.everyone) {
    return h("section.card.stack", { "data-key": "edit-everyone", "aria-label": "Role @everyone" },
      h("p.muted", "What every member may do before their roles apply."),
      permissionToggles(app, guildId, role, can(app.state, guildId, Perm.ManageGuild)));
  }
  const editable = outranks(app, guildId, role);
  return h("section.card.stack", { "data-key": `edit-${role.id}`, "aria-label": `Role ${role.name}` },
    h("form.row", { "data-submit": "edit-role", "data-role": role.id },
      h("label.grow", "Role name", h("input", { name: "name", value: role.name, maxlength: 100, disabled: !editable })),
      h("label", "Colour", h("input", { name: "color", type: "color", value: roleColor(role.color) ?? "#99aab5", disabled: !editable })),
      h("button", { type: "submit", disabled: !editable }, "Save")),
    editable ? null : h("p.muted", "This role is at or above your highest role, so you cannot change it."),
    h("ul.perm-list", h("li", { "data-key": "mentionable" },
      h("span.perm-text", h("label", { for: `mentionable-${role.id}` }, "Allow anyone to @mention this role"),
        h("small", { id: `mentionable-${role.id}-d` }, "Members can pick it from the @ suggestions; a mention notifies everyone who has it.")),
      h("input.switch", {
        id: `mentionable-${role.id}`, type: "checkbox", role: "switch", checked: !!role.mentionable, disabled: !editable,
        "aria-describedby": `mentionable-${role.id}-d`, "data-change": "role-mentionable", "data-role": role.id,
      }))),
    permissionToggles(app, guildId, role, editable));
}

/** The Roles tab of server settings. */
export function view(app, guildId) {
  const list = sortedRoles(app, guildId);
  const chosen = list.some((r) => r.id === app.ui.roleId) ? app.ui.roleId : list.find((r) => outranks(app, guildId, r))?.id ?? list[0]?.id;
  const role = app.ui.roleId === guildId ? everyone(app, guildId) : list.find((r) => r.id === chosen) ?? everyone(app, guildId);
  return [
    h("p.muted", "Roles higher in the list win where they disagree. Drag a role, or use its arrows, to move it."),
    h("ol.role-order", { "aria-label": "Roles, highest first" }, list.map((r, i) => roleRow(app, guildId, r, i, list, role?.id)),
      h("li", { "data-key": "everyone" }, h("span.role-swatch"),
        h("button.link.role-name", { "data-action": "pick-role", "data-role": guildId, "aria-current": String(!!role?.everyone) }, "@everyone"))),
    h("form.row.card", { "data-submit": "create-role" },
      h("label.grow", "New role", h("input", { name: "name", required: true, maxlength: 100 })),
      h("button.primary", { type: "submit" }, "Add role")),
    role ? editor(app, guildId, role) : null,
  ];
}

/** The profile panel's role checkboxes: only roles below the viewer's highest can change. */
export function memberRoles(app, guildId, uid) {
  const s = app.state;
  const member = s.members[guildId]?.[uid];
  if (!member) return null;
  const roles = sortedRoles(app, guildId);
  const assign = can(s, guildId, Perm.ManageRoles) || can(s, guildId, Perm.AssignRoles);
  return h("section.card", { "data-key": "roles" }, h("h3", "Roles"),
    h("ul.role-toggles", roles.map((r) => h("li", { "data-key": r.id },
      h("label.check", h("input", {
        // A bot's managed role stays with its bot (docs/bots.md).
        type: "checkbox", checked: member.roles.includes(r.id), disabled: !assign || !outranks(app, guildId, r) || r.managed_by != null,
        "data-change": "toggle-role", "data-user": uid, "data-role": r.id,
      }), h("span", { style: roleColor(r.color) ? { color: roleColor(r.color) } : null }, r.name))))),
    !roles.length ? h("p.muted", "This server has no roles yet.") : null);
}

// ---- ordering -------------------------------------------------------------------------------------

/**
 * Ask the server for `order` (role ids, highest first): positions N…1 (or just the positions in
 * `only`), sent one role at a time for the roles whose position changes. The server may refuse any of them (hierarchy, bits the
 * user does not hold); the first refusal stops the rest and is shown.
 */
async function reorder(app, guildId, order, only = null) {
  const roles = app.state.roles[guildId] ?? {};
  const n = order.length;
  const moves = (only ? Object.entries(only) : order.map((id, i) => [id, n - i])).filter(([id, pos]) => roles[id] && roles[id].position !== pos);
  // Lower the roles that go down before raising the others, so no step needs a slot above the mover.
  moves.sort((a, b) => (roles[a[0]].position - a[1] > 0 ? -1 : 1) - (roles[b[0]].position - b[1] > 0 ? -1 : 1));
  for (const [id, position] of moves) {
    const ok = await app.call(null, () => app.api.patch(`/guilds/${guildId}/roles/${id}`, { position }), `Moving ${roles[id].name} failed`);
    if (ok === undefined) break;
  }
  app.render();
}

/**
 * Move one role to index `to` of the list. One PATCH when a free position lies between its new
 * neighbours (so nothing else moves and the server judges only this role); otherwise the whole
 * list is renumbered.
 */
function moveTo(app, guildId, id, to) {
  const roles = app.state.roles[guildId] ?? {};
  const order = sortedRoles(app, guildId).map((r) => r.id).filter((x) => x !== id);
  const at = Math.max(0, Math.min(to, order.length));
  order.splice(at, 0, id);
  const above = roles[order[at - 1]]?.position ?? Infinity;
  const below = roles[order[at + 1]]?.position ?? 0;
  if (above - below >= 2) return reorder(app, guildId, order, { [id]: below + 1 });
  return reorder(app, guildId, order);
}

/** Drag and drop on the role list: the dropped role takes the place of the one it lands on. */
export function bind(app) {
  const doc = app.doc;
  let dragged = null;
  doc.addEventListener("dragstart", (event) => {
    const li = event.target.closest?.("[data-drag-role]");
    if (!li) return;
    dragged = li.dataset.dragRole;
    li.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
  });
  doc.addEventListener("dragover", (event) => {
    const li = event.target.closest?.(".role-order > li");
    if (!dragged || !li) return;
    event.preventDefault();
    for (const el of doc.querySelectorAll(".role-order .drop-target")) if (el !== li) el.classList.remove("drop-target");
    li.classList.add("drop-target");
  });
  doc.addEventListener("dragend", () => {
    dragged = null;
    for (const el of doc.querySelectorAll(".role-order .dragging, .role-order .drop-target")) el.classList.remove("dragging", "drop-target");
  });
  doc.addEventListener("drop", (event) => {
    const li = event.target.closest?.(".role-order > li");
    if (!dragged || !li) return;
    event.preventDefault();
    const guildId = app.ui.guildId;
    const list = sortedRoles(app, guildId);
    const to = list.findIndex((r) => r.id === li.dataset.key);
    if (to >= 0 && li.dataset.key !== dragged) moveTo(app, guildId, dragged, to);
  });
}

// ---- actions --------------------------------------------------------------------------------------

export const actions = {
  "pick-role"(app, data) {
    app.ui.roleId = data.role;
    app.render();
  },
  "move-role"(app, data) {
    const guildId = app.ui.guildId;
    const list = sortedRoles(app, guildId);
    const at = list.findIndex((r) => r.id === data.role);
    return moveTo(app, guildId, data.role, at + Number(data.by));
  },
  async "role-bit"(app, data, el) {
    const guildId = app.ui.guildId;
    const role = data.role === guildId ? everyone(app, guildId) : app.state.roles[guildId]?.[data.role];
    if (!role) return;
    const bit = BigInt(data.bit);
    let allow = BigInt(role.permissions_allow);
    let deny = BigInt(role.permissions_deny);
    if (el.checked) {
      allow |= bit;
      deny &= ~bit; // allowing a bit lifts this role's own deny of it
    } else {
      allow &= ~bit;
    }
    // Decimal strings: Administrator is bit 63, past what a JSON number keeps exactly.
    const body = { permissions_allow: allow.toString(), permissions_deny: deny.toString() };
    const ok = await app.call(null, () => (role.everyone
      ? app.api.patch(`/guilds/${guildId}`, { default_permissions: allow.toString() })
      : app.api.patch(`/guilds/${guildId}/roles/${role.id}`, body)), "Changing the permission failed");
    if (ok === undefined) el.checked = !el.checked;
    app.render();
  },
  async "role-mentionable"(app, data, el) {
    const guildId = app.ui.guildId;
    const ok = await app.call(null, () => app.api.patch(`/guilds/${guildId}/roles/${data.role}`, { mentionable: el.checked }), "Changing the role failed");
    if (ok === undefined) el.checked = !el.checked;
    app.render();
  },
  async "toggle-role"(app, data, el) {
    const guildId = app.ui.guildId;
    const path = `/guilds/${guildId}/members/${data.user}/roles/${data.role}`;
    const role = app.state.roles[guildId]?.[data.role];
    const ok = await app.call(null, () => (el.checked ? app.api.put(path) : app.api.delete(path)),
      `${el.checked ? "Giving" : "Taking away"} ${role?.name ?? "the role"} ${el.checked ? "to" : "from"} ${displayName(app.state, data.user, guildId)} failed`);
    if (ok === undefined) el.checked = !el.checked;
    app.render();
  },
  async "delete-role"(app, data) {
    const role = app.state.roles[app.ui.guildId]?.[data.role];
    const yes = await confirmAction(app, {
      title: `Delete the role ${role?.name ?? ""}?`, body: "Members who have it lose it, and its channel overwrites go.",
      confirm: "Delete role", danger: true, cancelled: "The role was kept.",
    });
    if (yes) await app.call(null, () => app.api.delete(`/guilds/${app.ui.guildId}/roles/${data.role}`), "Deleting the role failed");
  },
};
