// @ts-check
// The account's e-mail and data: the pages that mailed links open (/verify-email confirms the
// address, /reset-password asks for a new password — login.js draws it — and /data-export opens
// the security panel), the banner asking to confirm an unverified address, and in the security
// panel the data export (requested, watched until ready, downloaded) and account deletion.

import { h, time } from "./dom.js";
import { ask } from "./modal.js";

const EXPORT_POLL_MS = 1500; // how often a pending export's status is asked while the panel is open

/**
 * Act on a mailed link the page was opened at. True when it shows a page of its own instead
 * of the app (the password reset form), so the caller does not connect.
 * @param {any} app
 */
export function fromAddress(app) {
  const loc = app.doc.location;
  const token = new URLSearchParams(loc.search).get("token");
  if (loc.pathname === "/reset-password") {
    Object.assign(app.ui, { view: "login", authMode: "reset", resetToken: token ?? "" });
    return true;
  }
  if (loc.pathname === "/verify-email") {
    history.replaceState(null, "", "/");
    verify(app, token ?? "");
  } else if (loc.pathname === "/data-export") {
    history.replaceState(null, "", "/");
    app.ui.afterSignIn = "security";
  }
  return false;
}

/** Open what a mailed link asked for, once signed in. */
export function afterSignIn(app) {
  const panel = app.ui.afterSignIn;
  if (!panel) return;
  app.ui.afterSignIn = null;
  app.openPanel(panel);
}

function tell(app, text, kind) {
  if (app.ui.view === "app") {
    app.toast(text, kind);
    return;
  }
  if (kind === "error") app.ui.authError = text;
  else app.ui.authNotice = text;
  app.draw();
}

async function verify(app, token) {
  try {
    await app.api.request("POST", "/auth/verify-email", { body: { token }, auth: false });
    app.ui.emailVerified = true;
    tell(app, "Your e-mail address is confirmed.", "info");
  } catch (err) {
    tell(app, `That confirmation link did not work: ${err.message}`, "error");
  }
}

/** The banner asking to confirm the account's address, while it is unconfirmed. */
export function banner(app) {
  const me = app.state.self_user;
  if (app.ui.view !== "app" || !me?.email || me.email_verified !== false || app.ui.emailVerified) return null;
  if (app.ui.instance && !app.ui.instance.email) return null; // this server sends no mail
  return h("div.banner.email-banner", { role: "status", "data-key": "email" },
    `Please confirm your e-mail address ${me.email}: open the link we mailed to it. `,
    h("button.link", { "data-action": "resend-verification" }, "Send the link again"));
}

// ---- the security panel's cards ---------------------------------------------------------------

function loadExports(app) {
  clearTimeout(app.ui.exportPoll);
  app.api.get("/users/@me/data-exports").then((list) => {
    app.ui.exports = list;
    app.render();
    const latest = list[0];
    if (app.ui.panel === "security" && latest && (latest.status === "pending" || latest.status === "running")) {
      app.ui.exportPoll = setTimeout(() => loadExports(app), EXPORT_POLL_MS);
    }
  }, (err) => app.fail(err, "Loading your data exports failed"));
}

export function onOpen(app, panel) {
  if (panel !== "security") return;
  app.ui.exports = null;
  loadExports(app);
}

function size(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function exportStatus(e) {
  switch (e.status) {
    case "pending": return "Queued…";
    case "running": return "Being prepared…";
    case "ready": return `Ready · ${size(e.size_bytes)} · until ${time(e.expires_at)}`;
    case "failed": return "Failed: ask for a new one";
    default: return "Expired";
  }
}

export function exportCard(app) {
  const list = app.ui.exports;
  const latest = list?.[0];
  const preparing = latest && (latest.status === "pending" || latest.status === "running");
  return h("section.card.stack", { "data-key": "export" },
    h("h3", "Your data"),
    h("p.muted", "A zip of JSON files: your profile, settings, sessions, servers, friends, DMs and every message you wrote. "
      + "It can be downloaded for 7 days; one export a day."),
    list == null ? h("p.muted", "Loading…") : h("ul.settings-list.exports", list.map((e) => h("li", { "data-key": e.id },
      h("div.grow", h("strong", `Export of ${time(e.created_at)}`), h("div.muted.export-status", exportStatus(e))),
      e.status === "ready" ? h("button.small", { "data-action": "download-export", "data-id": e.id }, "Download") : null))),
    h("button.primary", { "data-action": "request-export", disabled: !!preparing }, preparing ? "Preparing your data…" : "Export my data"));
}

function graceDays(app) {
  return app.ui.instance?.account_deletion_days ?? 14;
}

export function deleteCard(app, twoFactorOn) {
  const days = graceDays(app);
  return h("form.stack.card.danger-zone", { "data-submit": "delete-account", "data-key": "delete-account" },
    h("h3", "Delete account"),
    h("p.muted", days === 0
      ? "Your account is deleted at once, for good."
      : `Your account is deleted ${days} days after you ask, and you are signed out everywhere at once. Signing in again before then cancels the deletion.`,
    " Your messages stay for the others, shown as from \u201cDeleted User\u201d. Hand over or delete the servers you own first."),
    h("label", "Account password", h("input", { name: "password", type: "password", required: true, maxlength: 256, autocomplete: "current-password" })),
    twoFactorOn ? h("label", "Two-factor code", h("input", { name: "code", required: true, maxlength: 32, autocomplete: "one-time-code" })) : null,
    h("button.danger", { type: "submit" }, "Delete account"));
}

export const forms = {
  async "delete-account"(app, f, form) {
    const days = graceDays(app);
    const on = new Date(Date.now() + days * 86400000).toLocaleDateString();
    const sure = await ask(app, {
      title: "Delete your account?",
      body: days === 0
        ? "It is deleted now and cannot be recovered."
        : `It will be deleted in ${days} days, on ${on}. You are signed out everywhere now; signing in again before then cancels the deletion.`,
      confirm: "Delete my account",
      danger: true,
    });
    if (!sure) return;
    const body = f.code ? { password: f.password, code: f.code.trim() } : { password: f.password };
    let out;
    try {
      out = await app.api.delete("/users/@me", body);
    } catch (err) {
      app.fail(err, "Deleting the account failed");
      return;
    }
    form.reset();
    app.signedOut(out
      ? `Your account will be deleted on ${new Date(out.erase_at).toLocaleDateString()}. Sign in before then to keep it.`
      : "Your account is deleted.");
  },
};

export const actions = {
  async "resend-verification"(app) {
    const done = await app.call(null, () => app.api.post("/users/@me/email/verify"), "Sending the link failed");
    if (done !== undefined) app.toast(`We sent a new link to ${app.state.self_user?.email}.`, "info");
  },
  async "request-export"(app) {
    const queued = await app.call(null, () => app.api.post("/users/@me/data-exports"), "Asking for an export failed");
    if (!queued) return;
    app.toast("Your data is being prepared: it shows here when ready.", "info");
    loadExports(app);
  },
  async "download-export"(app, data) {
    const got = await app.call(null, () => app.api.download(`/users/@me/data-exports/${data.id}/download`), "Downloading failed");
    if (!got) return;
    const url = URL.createObjectURL(got.blob);
    const link = h("a", { href: url, download: got.filename, hidden: true });
    app.doc.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  },
};
