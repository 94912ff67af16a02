// @ts-check
// Server settings → Webhooks → Event webhooks: https endpoints the server POSTs the guild's events
// to, signed (docs/rest.md#event-webhooks). With Manage Server: subscribe one to some events (its
// signing secret is shown once), list them with their recent deliveries, and delete them.

import { icon } from "./icons.js";
import { h, time } from "./dom.js";
import { confirmAction } from "./modal.js";

/** Load the guild's endpoints and the events they may take. */
export function load(app) {
  const g = app.ui.guildId;
  if (!g) return;
  app.loadList(`event-webhooks:${g}`, "event-webhooks", `/guilds/${g}/event-webhooks`);
  if (!app.ui.lists["event-webhook-events"]) app.loadList("event-webhook-events", "event-webhooks", "/event-webhooks/events");
}

function deliveries(app, hook) {
  const log = app.ui.lists[`event-webhook-log:${hook.id}`];
  if (log === undefined) return null;
  if (log == null) return h("p.muted", "Loading…");
  if (!log.length) return h("p.muted", "No deliveries yet.");
  return h("ul.feed.delivery-log", { "aria-label": `Deliveries to ${hook.url}` }, log.map((d) => h("li", { "data-key": d.id },
    h("strong", d.event), ` ${d.status} after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`,
    d.response_status ? ` (HTTP ${d.response_status})` : "", d.error ? h("small.muted", ` ${d.error}`) : null,
    h("small.muted", ` · ${time(d.created_at)}`))));
}

export function view(app, guildId) {
  const list = app.ui.lists[`event-webhooks:${guildId}`];
  const events = app.ui.lists["event-webhook-events"] ?? [];
  const created = app.ui.ewCreated?.guild_id === guildId ? app.ui.ewCreated : null;
  return h("section.stack", { "data-key": "event-webhooks", "aria-labelledby": "event-webhooks-title" },
    h("h3#event-webhooks-title", "Event webhooks"),
    h("p.muted", "The server POSTs each chosen event of this server to your https endpoint, signed with its secret."),
    h("form.stack.card", { "data-submit": "create-event-webhook" },
      h("label", "Endpoint URL", h("input", { name: "url", type: "url", required: true, maxlength: 2048, placeholder: "https://example.org/amityvox" })),
      h("fieldset.event-choices", h("legend", "Events"),
        events.map((name) => h("label.check", { "data-key": name }, h("input", { type: "checkbox", name: "events", value: name }), name))),
      h("button.primary", { type: "submit" }, "Add endpoint")),
    created ? h("div.card.stack", { "data-key": `ew-created-${created.id}` },
      h("strong", "Endpoint added."),
      h("p.muted", "Copy its signing secret now: it is shown only this once."),
      h("input.webhook-url", { readonly: true, value: created.secret, "aria-label": "Signing secret", "data-sync-value": true }),
      h("button.link", { "data-action": "dismiss-event-webhook-secret" }, "Done")) : null,
    list == null ? h("p.muted", "Loading…") : !list.length ? h("p.muted", "No event webhooks yet.")
      : h("ul.settings-list.event-webhook-list", list.map((w) => h("li.stack", { "data-key": w.id },
        h("div.row",
          h("span.grow", h("strong", w.url), h("small.muted", ` ${w.events.length} event${w.events.length === 1 ? "" : "s"}${w.enabled ? "" : " (off)"}`)),
          h("button.small", { "data-action": "event-webhook-log", "data-hook": w.id }, "Deliveries"),
          h("button.icon.small.danger", { "data-action": "delete-event-webhook", "data-hook": w.id, "aria-label": `Delete the endpoint ${w.url}`, title: "Delete" }, icon("trash"))),
        deliveries(app, w)))));
}

export const actions = {
  "event-webhook-log"(app, data) {
    app.ui.lists[`event-webhook-log:${data.hook}`] = null;
    app.loadList(`event-webhook-log:${data.hook}`, "event-webhooks", `/event-webhooks/${data.hook}/deliveries`);
    app.render();
  },
  "dismiss-event-webhook-secret"(app) {
    app.ui.ewCreated = null;
    app.render();
  },
  async "delete-event-webhook"(app, data) {
    const confirmed = await confirmAction(app, {
      title: "Delete this endpoint?", confirm: "Delete", danger: true,
      body: "No more events go to it, and its delivery log goes too.", cancelled: "The endpoint was kept.",
    });
    if (!confirmed) return;
    await app.call("event-webhooks", () => app.api.delete(`/event-webhooks/${data.hook}`), "Deleting the endpoint failed");
    load(app);
  },
};

export const forms = {
  async "create-event-webhook"(app, f, form) {
    const events = new FormData(form).getAll("events");
    if (!events.length) {
      app.toast("Choose at least one event.", "info");
      return;
    }
    const created = await app.call("event-webhooks", () => app.api.post(`/guilds/${app.ui.guildId}/event-webhooks`, { url: f.url.trim(), events }), "Adding the endpoint failed");
    if (!created) return;
    form.reset();
    app.ui.ewCreated = created;
    load(app);
    app.render();
  },
};
