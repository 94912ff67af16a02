// @ts-check
// Your bots (a side panel opened from one's own profile): the bots you own (GET /users/@me/bots),
// a form to make one, and for each an invite link generator: tick the permissions its role
// should have and copy the /oauth2/authorize link a server manager opens to add it
// (docs/bots.md). Tokens are issued over the API (POST /bots/{id}/tokens).

import { avatar, h } from "./dom.js";
import { bits, permName } from "./roles.js";

const SCOPE = "bot applications.commands";

export function onOpen(app, panel) {
  if (panel === "bots") app.loadList("bots", "bots", "/users/@me/bots");
}

function chosen(app, botId) {
  app.ui.botPerms ??= {};
  return BigInt(app.ui.botPerms[botId] ?? "0");
}

/** The install link of `botId` with the permission bits `perms`. */
export function inviteUrl(origin, botId, perms) {
  const q = new URLSearchParams({ client_id: botId, scope: SCOPE, permissions: String(perms) });
  return `${origin}/oauth2/authorize?${q.toString().replaceAll("+", "%20")}`;
}

function generator(app, bot) {
  const id = bot.user.id;
  const perms = chosen(app, id);
  const known = bits(app);
  const url = inviteUrl(app.doc.location.origin, id, perms);
  if (app.ui.botInvite !== id) {
    return h("button", { type: "button", "data-action": "bot-invite-open", "data-bot": id, "aria-expanded": "false" }, "Invite link");
  }
  return h("div.stack", { "data-key": `invite-${id}` },
    h("button", { type: "button", "data-action": "bot-invite-open", "aria-expanded": "true" }, "Invite link"),
    known ? h("fieldset.perm-grid", h("legend", "Permissions for its role"), known.map((b) => h("label.check", { "data-key": b.name, title: b.description },
      h("input", { type: "checkbox", "data-change": "bot-invite-bit", "data-bot": id, "data-bit": b.value, checked: (perms & b.bit) !== 0n }),
      permName(b.name)))) : h("p.muted", "Loading the permissions…"),
    h("label", "Link", h("input", { readonly: true, value: url, "aria-label": `Invite link for ${bot.user.username}`, "data-key": `url-${perms}` })),
    h("button", { type: "button", "data-action": "bot-invite-copy", "data-url": url }, "Copy link"));
}

export function view(app) {
  const list = app.ui.lists.bots;
  return [
    h("form.stack.card", { "data-submit": "create-bot", "data-key": "create-bot" },
      h("h3", "New bot"),
      h("label", "Bot name", h("input", { name: "username", required: true, maxlength: 64, autocomplete: "off" })),
      h("button.primary", { type: "submit" }, "Create bot")),
    list == null ? h("p.muted", "Loading your bots…")
      : list.length === 0 ? h("p.muted", "You own no bots yet.")
        : h("ul.stack.bot-list", { "aria-label": "Your bots" }, list.map((bot) => h("li.card.stack", { "data-key": bot.user.id },
          h("div.row", avatar(bot.user.id, bot.user.username), h("strong", bot.user.username), h("span.muted", bot.user.id)),
          generator(app, bot)))),
  ];
}

export const actions = {
  "bot-invite-open"(app, data) {
    app.ui.botInvite = data.bot ?? null;
    app.render();
  },
  "bot-invite-bit"(app, data, el) {
    if (!data.bot || !data.bit || !(el instanceof HTMLInputElement)) return;
    const bit = BigInt(data.bit);
    const perms = chosen(app, data.bot);
    app.ui.botPerms[data.bot] = String(el.checked ? perms | bit : perms & ~bit);
    app.render();
  },
  async "bot-invite-copy"(app, data) {
    try {
      await navigator.clipboard.writeText(data.url ?? "");
      app.toast("Invite link copied.", "info");
    } catch {
      app.toast(`Invite link: ${data.url}`, "info");
    }
  },
};

export const forms = {
  async "create-bot"(app, f, form) {
    const made = await app.call(null, () => app.api.post("/users/@me/bots", { username: String(f.username ?? "").trim() }), "Creating the bot failed");
    if (!made) return;
    form.reset();
    app.loadList("bots", "bots", "/users/@me/bots");
  },
};
