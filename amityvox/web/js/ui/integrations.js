// @ts-check
// Server settings → Integrations (Manage Server): the bots installed in the server, as members or
// for their commands alone (GET /guilds/{g}/integrations, docs/bots.md), each with its scopes and
// the commands it offers, and Remove: a modal asks, then a member bot is kicked and a commands-only
// install ended. Removals made elsewhere arrive as GUILD_MEMBER_REMOVE or APPLICATION_COMMAND_DELETE,
// which reload the open list (effects.js), as joins and new commands do; an install of a bot with no
// commands announces nothing but its audit log entry, which reloads it for those who read the log.

import { avatar, h } from "./dom.js";
import { confirmAction } from "./modal.js";

/** Load the integrations of the server whose settings are open. */
export function load(app) {
  const g = app.ui.guildId;
  if (g) app.loadList(`integrations:${g}`, "integrations", `/guilds/${g}/integrations`);
}

/** Reload the list when it is open on `guildId` (its bots, or their commands, changed). */
export function refresh(app, guildId) {
  if (app.ui.panel === "settings" && app.ui.settingsTab === "integrations" && app.ui.guildId === guildId) load(app);
}

/** Whether `userId` is one of the bots the open list of `guildId` shows. */
export function lists(app, guildId, userId) {
  return (app.ui.lists[`integrations:${guildId}`] ?? []).some((i) => i.bot.id === userId);
}

const nameOf = (i) => i.bot.display_name ?? i.bot.username;

function commandList(i) {
  if (!i.commands.length) return h("small.muted", "No commands.");
  return h("ul.integration-commands", { "aria-label": `Commands of ${nameOf(i)}` }, i.commands.map((c) => h("li", { "data-key": c.id },
    h("code", `/${c.name}`), h("small.muted", ` ${c.description}`))));
}

export function view(app, guildId) {
  const list = app.ui.lists[`integrations:${guildId}`];
  if (list == null) return h("p.muted", "Loading…");
  if (!list.length) return h("p.muted", "No bots are installed in this server.");
  return h("ul.settings-list.integration-list", { "aria-label": "Integrations" }, list.map((i) => h("li.stack", { "data-key": i.bot.id },
    h("div.row",
      avatar(i.bot.id, i.bot.username),
      h("strong.grow", nameOf(i)),
      h("button.small.danger", { "data-action": "remove-integration", "data-bot": i.bot.id, "aria-label": `Remove ${nameOf(i)}` }, "Remove")),
    h("div.row.wrap.integration-scopes", i.scopes.map((s) => h("span.tag", { "data-key": s }, s))),
    commandList(i))));
}

export const actions = {
  async "remove-integration"(app, data) {
    const g = app.ui.guildId;
    const i = (app.ui.lists[`integrations:${g}`] ?? []).find((x) => x.bot.id === data.bot);
    if (!i) return;
    const name = nameOf(i);
    const confirmed = await confirmAction(app, {
      title: `Remove ${name}?`, confirm: "Remove", danger: true, cancelled: `${name} stays.`,
      body: i.bot_member
        ? `${name} leaves the server and its commands are no longer offered here. Its role stays, for when it is added again.`
        : `Its commands are no longer offered here.`,
    });
    if (!confirmed) return;
    if (i.commands_installed) {
      await app.call("integrations", () => app.api.delete(`/guilds/${g}/integrations/${i.bot.id}`), "Removing the bot's commands failed");
    }
    if (i.bot_member) await app.call(null, () => app.api.delete(`/guilds/${g}/members/${i.bot.id}`), "Removing the bot failed");
    load(app);
  },
};
