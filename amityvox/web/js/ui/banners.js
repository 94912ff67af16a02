// @ts-check
// Banners across the top (the connection, an unconfirmed e-mail address, raid lockdown, instance announcements) and toasts
// in the corner (moderation, calls, errors). Both are read from the cache and the UI state.

import { banner as emailBanner } from "./account.js";
import { icon } from "./icons.js";
import { h } from "./dom.js";

function connectionBanner(app) {
  const c = app.state.connection;
  if (app.ui.view !== "app" || c.connected || c.auth_failed) return null;
  if (c.exhausted) {
    return h("div.banner.error", { role: "alert", "data-key": "conn" }, "Disconnected from the server. ",
      h("button.link", { "data-action": "retry-gateway" }, "Try again"));
  }
  const first = !app.readyOnce;
  return h("div.banner.warning#reconnecting", { role: "status", "data-key": "conn" },
    h("span.spinner", { "aria-hidden": "true" }), first ? "Connecting…" : "Reconnecting…",
    !first && app.gateway?.nextDelay ? [" ", h("button.link", { "data-action": "retry-gateway" }, "Retry now")] : null);
}

function raidBanner(app) {
  const guildId = app.ui.guildId;
  const raid = guildId ? app.state.raid[guildId] : null;
  if (!raid?.active) return null;
  return h("div.banner.error.raid", { role: "alert", "data-key": `raid-${guildId}` },
    icon("shield"), "Raid lockdown: new members cannot join right now.", raid.reason ? ` ${raid.reason}` : "");
}

function announcementBanners(app) {
  const now = Date.now();
  return Object.values(app.state.announcements)
    .filter((a) => a.active && !app.ui.dismissed.has(`${a.id}:${a.title}:${a.content}`) && (!a.expires_at || Date.parse(a.expires_at) > now))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((a) => h("div.banner", { "data-key": `ann-${a.id}`, class: `sev-${a.severity}`, role: a.severity === "critical" ? "alert" : "status" },
      h("strong", a.title), " ", a.content,
      h("button.icon.small", { "data-action": "dismiss-announcement", "data-id": a.id, "aria-label": "Dismiss announcement" }, icon("close"))));
}

export function view(app) {
  return [connectionBanner(app), emailBanner(app), raidBanner(app), ...announcementBanners(app)];
}

export function toasts(app) {
  return app.ui.toasts.map((t) => h("div.toast", { "data-key": String(t.id), class: `t-${t.kind}`, role: t.kind === "error" ? "alert" : "status" },
    h("span", t.text),
    t.call ? h("button.primary.small", { "data-action": "answer-call", "data-channel": t.call }, "Join") : null,
    h("button.icon.small", { "data-action": "dismiss-toast", "data-id": String(t.id), "aria-label": "Dismiss" }, icon("close"))));
}

export const actions = {
  "dismiss-toast"(app, data) {
    app.ui.toasts = app.ui.toasts.filter((t) => String(t.id) !== data.id);
    app.render();
  },
  "dismiss-announcement"(app, data) {
    const a = app.state.announcements[data.id];
    if (!a) return;
    app.ui.dismissed.add(`${a.id}:${a.title}:${a.content}`);
    app.write("amityvox.dismissed", JSON.stringify([...app.ui.dismissed].slice(-50)));
    app.render();
  },
  "retry-gateway"(app) {
    const g = app.gateway;
    if (g && !g.stopped && !app.state.connection.exhausted) g.retryNow();
    else app.connect();
  },
};
