// @ts-check
// The bot install page: /oauth2/authorize?client_id=…&scope=…&permissions=… (docs/bots.md) shows
// the bot, the permissions its link asks for, a picker of the servers where the signed-in user
// may install it (ManageGuild) and Authorize. The server decides (GET and POST
// /oauth2/authorize); signed out, the sign-in form comes first and the page after it.

import { avatar, h } from "./dom.js";
import { pictureUrl } from "./avatar.js";
import { bits, permName } from "./roles.js";

/** Whether the address is an authorize link; if so, remember what it asks for. */
export function fromAddress(app) {
  const loc = app.doc.location;
  if (loc.pathname !== "/oauth2/authorize") return false;
  const q = new URLSearchParams(loc.search);
  app.ui.authorize = {
    clientId: q.get("client_id") ?? "", scope: q.get("scope") ?? "bot", permissions: q.get("permissions") ?? "0",
    info: null, error: null, busy: false, guildId: null,
  };
  return true;
}

/** Fetch what the link asks for (once signed in). */
export async function load(app) {
  const a = app.ui.authorize;
  if (!a || a.info || a.loading) return;
  a.loading = true;
  try {
    a.info = await app.api.get("/oauth2/authorize", { client_id: a.clientId, scope: a.scope, permissions: a.permissions });
    const added = a.info.scopes.includes("bot") ? "bot_member" : "commands_installed";
    a.guildId = a.info.guilds.find((g) => !g[added])?.id ?? a.info.guilds[0]?.id ?? null;
  } catch (err) {
    a.error = err.status === 404 ? "This link names no bot on this server." : `The link could not be loaded: ${err.message}`;
  }
  a.loading = false;
  app.render();
}

function close(app, guildId = null) {
  app.ui.authorize = null;
  globalThis.history?.replaceState(null, "", "/");
  if (guildId) {
    if (app.state.guilds[guildId]) app.select(guildId);
    else app.pendingGuild = guildId;
  }
  app.render();
}

function permissionList(app, requested) {
  const wanted = BigInt(requested);
  if (wanted === 0n) return h("p.muted", "It asks for no permissions beyond what everyone has.");
  const known = bits(app);
  if (!known) return h("p.muted", "Loading the permissions…");
  return h("ul.authorize-perms", { "aria-label": "Requested permissions" }, known.filter((b) => (wanted & b.bit) !== 0n)
    .map((b) => h("li", { "data-key": b.name, title: b.description }, h("span.check-mark", { "aria-hidden": "true" }, "✓ "), permName(b.name))));
}

function card(app) {
  const a = app.ui.authorize;
  if (a.error) {
    return h("div.invite-card", { role: "group", "aria-label": "Add a bot" }, h("h2", "Bot not found"), h("p.muted", a.error),
      h("button.primary", { "data-action": "authorize-cancel" }, "Continue to AmityVox"));
  }
  if (!a.info) return h("div.invite-card", { "aria-busy": "true" }, h("p.muted", "Loading…"));
  const bot = a.info.bot;
  const guilds = a.info.guilds;
  const chosen = guilds.find((g) => g.id === a.guildId);
  const joins = a.info.scopes.includes("bot"); // without it, only the commands are installed
  const added = (g) => (joins ? g.bot_member : g.commands_installed);
  return h("form.invite-card.authorize-card.stack", { role: "group", "aria-labelledby": "authorize-bot", "data-submit": "authorize-bot" },
    bot.avatar_id
      ? h("span.avatar.picture.large", { "aria-hidden": "true" }, h("img", { src: pictureUrl(app, bot.avatar_id), alt: "", decoding: "async" }))
      : avatar(bot.id, bot.username, "large"),
    h("p.muted", joins ? "An external application wants to join a server" : "An external application wants to add its commands to a server"),
    h("h2#authorize-bot", bot.display_name ?? bot.username),
    joins ? h("h3", "It will be able to") : null,
    joins ? permissionList(app, a.info.permissions) : h("p.muted", "It will not join the server: members use its commands, and it answers them."),
    a.info.scopes.includes("applications.commands") ? h("p.muted", "Its commands will be offered in the server's channels.") : null,
    guilds.length
      ? h("label", "Add to server", h("select", { name: "guild_id", "data-change": "authorize-guild" },
        guilds.map((g) => h("option", { value: g.id, selected: g.id === a.guildId }, added(g) ? `${g.name} (already added)` : g.name))))
      : h("p.muted", "You manage no server this bot could be added to: you need the Manage server permission."),
    joins && chosen?.bot_member ? h("p.muted", "Authorizing again sets its role's permissions to these.") : null,
    h("div.row",
      h("button.ghost", { type: "button", "data-action": "authorize-cancel" }, "Cancel"),
      h("button.primary", { type: "submit", disabled: !guilds.length || a.busy }, a.busy ? "Authorizing…" : "Authorize")));
}

/** The whole page for a signed-in user: the card alone, the app behind it. */
export function page(app) {
  load(app);
  return h("section.auth.invite-page", { "aria-label": "Add a bot" }, h("div.auth-card", card(app)));
}

export const actions = {
  "authorize-guild"(app, _data, el) {
    if (app.ui.authorize && el instanceof HTMLSelectElement) app.ui.authorize.guildId = el.value;
    app.render();
  },
  "authorize-cancel"(app) {
    close(app);
  },
};

export const forms = {
  async "authorize-bot"(app, f) {
    const a = app.ui.authorize;
    if (!a?.info || a.busy) return;
    const guildId = f.guild_id || a.guildId;
    a.busy = true;
    app.render();
    const done = await app.call(null, () => app.api.post("/oauth2/authorize", {
      client_id: a.clientId, guild_id: guildId, scope: a.scope, permissions: a.permissions,
    }), "Adding the bot failed");
    a.busy = false;
    if (done) {
      app.toast(`${a.info.bot.username} was added.`, "info");
      close(app, guildId);
    } else app.render();
  },
};
