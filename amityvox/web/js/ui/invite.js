// @ts-check
// The invite page: /invite/{code} shows the server's icon, name, description and how many are
// online and members (GET /invites/{code}?with_counts=true, public) with a Join button, before
// joining. Signed out, the same card sits above the sign-in and sign-up forms; once signed in
// (either way) the page comes back to the invite.

import { h, hue, initials } from "./dom.js";
import { pictureUrl } from "./avatar.js";
import { enc } from "../api.js";

/** Start showing the invite `code` (from the address) and fetch its preview. */
export async function open(app, code) {
  app.ui.invite = { code, preview: null, error: null };
  app.render();
  try {
    const preview = await app.api.get(`/invites/${enc(code)}`, { with_counts: true });
    if (app.ui.invite?.code === code) app.ui.invite.preview = preview;
  } catch (err) {
    if (app.ui.invite?.code === code) app.ui.invite.error = err.status === 404 ? "This invite is invalid or has expired." : `The invite could not be loaded: ${err.message}`;
  }
  app.render();
}

function close(app, guildId = null) {
  app.ui.invite = null;
  globalThis.history?.replaceState(null, "", "/");
  if (guildId) {
    if (app.state.guilds[guildId]) app.select(guildId);
    else app.pendingGuild = guildId; // GUILD_CREATE selects it when it arrives
  }
  app.render();
}

function count(n, word) {
  return `${n.toLocaleString()} ${word}`;
}

/** The card: who invites where, with the counts; `signedIn` decides the buttons. */
export function card(app, signedIn) {
  const { preview, error } = app.ui.invite;
  if (error) {
    return h("div.invite-card", { role: "group", "aria-label": "Invite" },
      h("h2", "Invite not found"), h("p.muted", error),
      signedIn ? h("button.primary", { "data-action": "invite-dismiss" }, "Continue to AmityVox") : null);
  }
  if (!preview) return h("div.invite-card", { "aria-busy": "true" }, h("p.muted", "Loading the invite…"));
  const guild = preview.guild ?? { id: preview.guild_id, name: preview.guild_name };
  const member = signedIn && app.state.guilds[guild.id];
  const online = preview.approximate_presence_count;
  const total = preview.approximate_member_count ?? guild.member_count;
  return h("div.invite-card", { role: "group", "aria-labelledby": "invite-guild" },
    h("span.invite-icon", { style: { "--hue": hue(guild.id) }, "aria-hidden": "true" },
      guild.icon_id ? h("img", { src: pictureUrl(app, guild.icon_id), alt: "", decoding: "async" }) : initials(guild.name)),
    h("p.muted", "You have been invited to join"),
    h("h2#invite-guild", guild.name),
    guild.description ? h("p.invite-desc", guild.description) : null,
    h("p.invite-counts",
      online != null ? h("span.count-online", h("span.dot.online", { "aria-hidden": "true" }), count(online, "online")) : null,
      total != null ? h("span.count-members", h("span.dot", { "aria-hidden": "true" }), count(total, total === 1 ? "member" : "members")) : null),
    signedIn
      ? h("div.stack",
        member ? h("button.primary", { "data-action": "invite-dismiss", "data-guild": guild.id }, "Go to the server")
          : h("button.primary", { "data-action": "invite-accept", disabled: app.ui.invite.joining }, app.ui.invite.joining ? "Joining…" : "Join server"),
        member ? h("p.muted", "You are already a member.") : h("button.ghost", { "data-action": "invite-dismiss" }, "No thanks"))
      : h("p.muted", "Sign in or create an account to join."));
}

/** The whole page for a signed-in user: the card alone, the app behind it. */
export function page(app) {
  return h("section.auth.invite-page", { "aria-label": "Invite" }, h("div.auth-card", card(app, true)));
}

export const actions = {
  async "invite-accept"(app) {
    const invite = app.ui.invite;
    if (!invite?.code || invite.joining) return;
    invite.joining = true;
    app.render();
    const guild = await app.call(null, () => app.api.post(`/invites/${enc(invite.code)}`, {}), "Joining failed");
    invite.joining = false;
    if (guild) close(app, guild.id);
    else app.render();
  },
  "invite-dismiss"(app, data) {
    close(app, data.guild ?? null);
  },
};
