// @ts-check
// Server settings → Webhooks: a channel's incoming webhooks (docs/rest.md#webhooks). Create one
// by name and copy its URL, which the server shows only in that answer; list and delete them.
// WEBHOOKS_UPDATE (effects.js) reloads the list while it is open.

import { icon } from "./icons.js";
import { h, time } from "./dom.js";
import { confirmAction } from "./modal.js";

const HOOKABLE = new Set(["text", "announcement", "forum"]);

function channelsOf(app, guildId) {
  return Object.values(app.state.channels)
    .filter((c) => c.guild_id === guildId && HOOKABLE.has(c.channel_type) && !c.parent_channel_id)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
}

function current(app, guildId) {
  const channels = channelsOf(app, guildId);
  return [channels, app.state.channels[app.ui.whChannel]?.guild_id === guildId ? app.ui.whChannel : channels[0]?.id];
}

/** Load the webhooks of the channel the tab shows. */
export function load(app) {
  const [, channelId] = current(app, app.ui.guildId);
  if (channelId) app.loadList(`webhooks:${channelId}`, "webhooks", `/channels/${channelId}/webhooks`);
}

export function view(app, guildId) {
  const [channels, channelId] = current(app, guildId);
  if (!channelId) return h("p.muted", "This server has no text channels.");
  const list = app.ui.lists[`webhooks:${channelId}`];
  const created = app.ui.whCreated?.channel_id === channelId ? app.ui.whCreated : null;
  return [
    h("label", "Channel", h("select", { "data-change": "webhook-channel", "aria-label": "Channel" },
      channels.map((c) => h("option", { value: c.id, selected: c.id === channelId }, `#${c.name}`)))),
    h("form.row.card", { "data-submit": "create-webhook" },
      h("label", "Name", h("input", { name: "name", required: true, maxlength: 80, placeholder: "Deploys" })),
      h("button.primary", { type: "submit" }, "Create webhook")),
    created ? h("div.card.stack.webhook-created", { "data-key": `created-${created.id}` },
      h("strong", `${created.name} is ready.`),
      h("p.muted", "Copy its URL now: it is shown only this once. Anyone who has it can post here."),
      h("input.webhook-url", { readonly: true, value: created.url, "aria-label": "Webhook URL", "data-sync-value": true }),
      h("div.row",
        h("button", { "data-action": "copy-webhook-url" }, "Copy URL"),
        h("button.link", { "data-action": "dismiss-webhook-url" }, "Done"))) : null,
    list == null ? h("p.muted", "Loading…") : !list.length ? h("p.muted", "No webhooks in this channel yet.")
      : h("ul.settings-list.webhook-list", list.map((w) => h("li", { "data-key": w.id },
        h("span.grow", h("strong", w.name), h("small.muted", ` created ${time(w.created_at)}`)),
        h("button.icon.small.danger", { "data-action": "delete-webhook", "data-webhook": w.id, "data-name": w.name, "aria-label": `Delete ${w.name}`, title: "Delete" }, icon("trash"))))),
  ];
}

export const actions = {
  "webhook-channel"(app, _data, el) {
    app.ui.whChannel = el.value;
    load(app);
    app.render();
  },
  async "copy-webhook-url"(app) {
    const url = app.ui.whCreated?.url;
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      app.toast("Webhook URL copied.", "info");
    } catch {
      app.toast(`Webhook URL: ${url}`, "info");
    }
  },
  "dismiss-webhook-url"(app) {
    app.ui.whCreated = null;
    app.render();
  },
  async "delete-webhook"(app, data) {
    const confirmed = await confirmAction(app, {
      title: `Delete ${data.name}?`, confirm: "Delete", danger: true,
      body: "Its URL stops working at once; the messages it posted stay.", cancelled: "The webhook was kept.",
    });
    if (!confirmed) return;
    await app.call("webhooks", () => app.api.delete(`/webhooks/${data.webhook}`), "Deleting the webhook failed");
    if (app.ui.whCreated?.id === data.webhook) app.ui.whCreated = null;
    load(app);
  },
};

export const forms = {
  async "create-webhook"(app, f, form) {
    const [, channelId] = current(app, app.ui.guildId);
    const created = await app.call("webhooks", () => app.api.post(`/channels/${channelId}/webhooks`, { name: f.name.trim() }), "Creating the webhook failed");
    if (!created) return;
    form.reset();
    app.ui.whCreated = created;
    load(app);
    app.render();
  },
};
