// @ts-check
// Reports and warnings. Any member reports a message from its action bar, or a member from their
// profile (a modal asks why); moderators warn from the profile or the queue.
// The guild's moderators work the queue in Server settings → Reports: the list GET
// /guilds/{g}/reports answered for the chosen status, kept current by GUILD_REPORT_CREATE and
// GUILD_REPORT_UPDATE (the `reports` store). Resolving or dismissing asks for an optional note.

import { h, time } from "./dom.js";
import { ask } from "./modal.js";
import { displayName } from "../state.js";

const STATUSES = [["open", "Open"], ["resolved", "Resolved"], ["dismissed", "Dismissed"], ["", "All"]];

function statusOf(app) {
  return app.ui.reportStatus ?? "open";
}

/** GET the queue for the chosen status into ui.lists["reports:<guild>"]. */
export function load(app) {
  const g = app.ui.guildId;
  if (!g) return;
  const status = statusOf(app);
  app.loadList(`reports:${g}`, "reports", `/guilds/${g}/reports${status ? `?status=${status}` : ""}`);
}

/** The loaded queue with what arrived since (store entries win: they are newer), newest first. */
export function queue(app, guildId) {
  const loaded = app.ui.lists[`reports:${guildId}`];
  if (loaded == null) return null;
  const status = statusOf(app);
  const byId = new Map(loaded.map((r) => [r.id, r]));
  for (const r of Object.values(app.state.reports[guildId] ?? {})) byId.set(r.id, r);
  return [...byId.values()].filter((r) => !status || r.status === status).sort((a, b) => (a.id < b.id ? 1 : -1));
}

export function view(app, guildId) {
  const list = queue(app, guildId);
  const status = statusOf(app);
  const name = (uid) => displayName(app.state, uid, guildId);
  return [
    h("label.card", "Show", h("select", { "data-change": "report-status", "aria-label": "Report status" },
      STATUSES.map(([v, l]) => h("option", { value: v, selected: v === status }, l)))),
    list == null ? h("p.muted", "Loading…") : !list.length ? h("p.muted", status === "open" ? "No open reports." : "No reports.")
      : h("ul.settings-list.reports", { "aria-label": "Reports" }, list.map((r) => h("li.report", { "data-key": r.id, "data-status": r.status },
        h("div.row.wrap",
          h("strong", name(r.reporter_id)), h("span", r.message_id ? " reported a message by " : " reported "),
          h("strong", name(r.user_id)), h("small.muted.grow", time(r.created_at)), h("span.tag", r.status)),
        h("p.report-reason", r.reason),
        r.resolution || r.handled_by ? h("small.muted", `${r.status} by ${r.handled_by ? name(r.handled_by) : "a moderator"}${r.resolution ? `: ${r.resolution}` : ""}`) : null,
        h("div.row.wrap",
          r.message_id ? h("button.link", { "data-action": "jump-to", "data-channel": r.channel_id, "data-message": r.message_id }, "Jump to message") : null,
          r.status === "open"
            ? [h("button", { "data-action": "handle-report", "data-report": r.id, "data-status": "resolved" }, "Resolve"),
              h("button.ghost", { "data-action": "handle-report", "data-report": r.id, "data-status": "dismissed" }, "Dismiss")]
            : h("button.ghost", { "data-action": "handle-report", "data-report": r.id, "data-status": "open" }, "Reopen"),
          r.user_id !== app.state.self_user?.id
            ? h("button.ghost", { "data-action": "warn-member", "data-user": r.user_id }, `Warn ${name(r.user_id)}`) : null)))),
  ];
}

export const actions = {
  async "report-message"(app, data) {
    const guildId = app.ui.guildId;
    const reason = await ask(app, {
      title: "Report this message", confirm: "Send report",
      body: "The server's moderators will see this message and your reason. You will not be told who handles it.",
      input: { label: "Why are you reporting it?", maxlength: 512, required: true, multiline: true },
      cancelled: "Nothing was reported.",
    });
    if (!reason) return;
    const ok = await app.call("reports", () => app.api.post(`/guilds/${guildId}/reports`, { message_id: data.message, reason: reason.trim() }), "Reporting failed");
    if (ok) app.toast("Reported. The moderators will take a look.", "info");
  },
  async "report-member"(app, data) {
    const guildId = app.ui.guildId;
    const reason = await ask(app, {
      title: `Report ${displayName(app.state, data.user, guildId)}`, confirm: "Send report",
      body: "The server's moderators will see your report and your reason. You will not be told who handles it.",
      input: { label: "Why are you reporting them?", maxlength: 512, required: true, multiline: true },
      cancelled: "Nothing was reported.",
    });
    if (!reason) return;
    const ok = await app.call("reports", () => app.api.post(`/guilds/${guildId}/reports`, { user_id: data.user, reason: reason.trim() }), "Reporting failed");
    if (ok) app.toast("Reported. The moderators will take a look.", "info");
  },
  "report-status"(app, _data, el) {
    app.ui.reportStatus = el.value;
    delete app.ui.lists[`reports:${app.ui.guildId}`]; // "Loading…" until that status's list is in
    load(app);
    app.render();
  },
  async "handle-report"(app, data) {
    const closing = data.status !== "open";
    const note = closing
      ? await ask(app, {
        title: data.status === "resolved" ? "Resolve the report" : "Dismiss the report", confirm: data.status === "resolved" ? "Resolve" : "Dismiss",
        input: { label: "Note for the other moderators (optional)", maxlength: 512 }, cancelled: "The report is still open.",
      })
      : "";
    if (note == null) return;
    const body = note.trim() ? { status: data.status, resolution: note.trim() } : { status: data.status };
    await app.call("reports", () => app.api.patch(`/reports/${data.report}`, body), "Updating the report failed");
  },
  async "warn-member"(app, data) {
    const guildId = app.ui.guildId;
    const reason = await ask(app, {
      title: `Warn ${displayName(app.state, data.user, guildId)}`, confirm: "Warn",
      body: "They will see the warning and its reason, but not who gave it.",
      input: { label: "Reason", maxlength: 512, required: true }, cancelled: "No warning was given.",
    });
    if (!reason) return;
    const ok = await app.call(null, () => app.api.post(`/guilds/${guildId}/members/${data.user}/warnings`, { reason: reason.trim() }), "Warning failed");
    if (ok) app.toast("Warning given.", "info");
  },
};
