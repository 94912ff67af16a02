// @ts-check
// Account security (a side panel opened from one's own profile): change the password, see the
// signed-in sessions and end them, add and remove passkeys (webauthn.js; adding and removing
// ask for the password again), and turn two-factor authentication on or off. The secret
// and its otpauth:// URI are shown as text for authenticator apps that accept them typed or
// pasted; backup codes are shown once, right after they are made. The data export and account
// deletion cards below them are account.js's.

import { deleteCard, exportCard } from "./account.js";
import { h, time } from "./dom.js";
import { createPasskey, passkeysAvailable } from "../webauthn.js";

/** What the panel shows besides the forms: loaded when it opens, refreshed after each change. */
function state(app) {
  app.ui.security ??= { sessions: null, totp: null, setup: null, codes: null, passkeys: null, removing: null };
  return app.ui.security;
}

async function load(app) {
  const s = state(app);
  const [sessions, totp, passkeys] = await Promise.all([
    app.call(null, () => app.api.get("/users/@me/sessions"), "Loading sessions failed"),
    app.call(null, () => app.api.get("/auth/totp"), "Loading two-factor status failed"),
    app.call(null, () => app.api.get("/users/@me/passkeys"), "Loading passkeys failed"),
  ]);
  if (sessions) s.sessions = sessions;
  if (totp) s.totp = totp;
  if (passkeys) s.passkeys = passkeys;
  app.render();
}

export function onOpen(app, panel) {
  if (panel === "security") {
    app.ui.security = null;
    load(app);
  }
}

function passwordForm() {
  return h("form.stack.card", { "data-submit": "change-password", "data-key": "password" },
    h("h3", "Change password"),
    h("label", "Current password", h("input", { name: "current_password", type: "password", required: true, maxlength: 256, autocomplete: "current-password" })),
    h("label", "New password", h("input", { name: "new_password", type: "password", required: true, minlength: 8, maxlength: 256, autocomplete: "new-password" })),
    h("p.muted", "Every other session is signed out; this one stays."),
    h("button.primary", { type: "submit" }, "Change password"));
}

function sessionsList(s) {
  if (!s.sessions) return h("section.card", { "data-key": "sessions" }, h("h3", "Sessions"), h("p.muted", "Loading…"));
  const others = s.sessions.filter((x) => !x.current).length;
  return h("section.card.stack", { "data-key": "sessions" },
    h("h3", "Sessions"),
    h("ul.settings-list.sessions", s.sessions.map((x) => h("li", { "data-key": x.id },
      h("div.grow",
        h("strong", x.user_agent || "Unknown device"), x.current ? h("span.muted", " (this session)") : null,
        h("div.muted", `${x.address ?? "unknown address"} · signed in ${time(x.created_at)}`,
          x.last_seen_at ? ` · last seen ${time(x.last_seen_at)}` : "")),
      x.current ? null : h("button.danger.small", { "data-action": "revoke-session", "data-session": x.id }, "Sign out")))),
    others ? h("button.danger", { "data-action": "revoke-other-sessions" }, "Sign out everywhere else") : null);
}

const passwordInput = () =>
  h("label", "Password", h("input", { name: "password", type: "password", required: true, maxlength: 256, autocomplete: "current-password" }));

function passkeysCard(s) {
  const body = [h("h3", "Passkeys"),
    h("p.muted", "Sign in with your device's screen lock or a security key instead of a password; no code is asked for.")];
  if (!s.passkeys) {
    body.push(h("p.muted", "Loading…"));
  } else {
    body.push(s.passkeys.length
      ? h("ul.settings-list.passkeys", s.passkeys.map((p) => h("li", { "data-key": p.id },
        h("div.grow",
          h("strong", p.name),
          h("div.muted", `added ${time(p.created_at)}`, p.last_used_at ? ` · last used ${time(p.last_used_at)}` : " · never used"),
          s.removing === p.id
            ? h("form.stack", { "data-submit": "remove-passkey", "data-passkey": p.id }, passwordInput(),
              h("button.danger", { type: "submit" }, "Remove passkey"))
            : null),
        s.removing === p.id ? null : h("button.danger.small", { "data-action": "ask-remove-passkey", "data-passkey": p.id, "aria-label": `Remove ${p.name}` }, "Remove"))))
      : h("p.muted", "No passkeys yet."));
  }
  body.push(passkeysAvailable()
    ? h("form.stack", { "data-submit": "add-passkey" },
      h("label", "Passkey name", h("input", { name: "name", required: true, maxlength: 64, value: "Passkey", autocomplete: "off" })),
      passwordInput(),
      h("button.primary", { type: "submit" }, "Add a passkey"))
    : h("p.muted", "This browser cannot use passkeys on this page: they need https (or localhost)."));
  return h("section.card.stack", { "data-key": "passkeys" }, body);
}

function twoFactor(s) {
  const body = [h("h3", "Two-factor authentication")];
  if (!s.totp) {
    body.push(h("p.muted", "Loading…"));
  } else if (s.codes) {
    body.push(
      h("p", "Two-factor authentication is on. Keep these backup codes somewhere safe: each signs you in once, and they are not shown again."),
      h("ul.backup-codes", s.codes.map((c) => h("li", { "data-key": c }, h("code", c)))),
      h("button", { "data-action": "security-codes-done" }, "I have saved them"));
  } else if (s.totp.enabled) {
    body.push(
      h("p", `On. ${s.totp.backup_codes_left} backup codes left.`),
      h("form.stack", { "data-submit": "disable-totp" },
        h("label", "Password", h("input", { name: "password", type: "password", required: true, maxlength: 256, autocomplete: "current-password" })),
        h("label", "Code or backup code", h("input", { name: "code", required: true, maxlength: 32, autocomplete: "one-time-code" })),
        h("button.danger", { type: "submit" }, "Turn off")),
      h("form.stack", { "data-submit": "regenerate-backup-codes" },
        h("label", "Password", h("input", { name: "password", type: "password", required: true, maxlength: 256, autocomplete: "current-password" })),
        h("button", { type: "submit" }, "New backup codes")));
  } else if (s.setup) {
    body.push(
      h("p", "Add this key to your authenticator app (or paste the link into it), then enter the code it shows."),
      h("label", "Key", h("input#totp-secret", { readonly: true, value: s.setup.secret })),
      h("label", "Link", h("input#totp-uri", { readonly: true, value: s.setup.qr_code_uri })),
      h("form.stack", { "data-submit": "verify-totp" },
        h("label", "Code", h("input", { name: "code", required: true, maxlength: 8, inputmode: "numeric", autocomplete: "one-time-code" })),
        h("button.primary", { type: "submit" }, "Turn on")));
  } else {
    body.push(
      h("p.muted", "Off. With it on, signing in also asks for a code from an authenticator app."),
      h("form.stack", { "data-submit": "enable-totp" },
        h("label", "Password", h("input", { name: "password", type: "password", required: true, maxlength: 256, autocomplete: "current-password" })),
        h("button.primary", { type: "submit" }, "Set up two-factor")));
  }
  return h("section.card.stack", { "data-key": "totp" }, body);
}

export function view(app) {
  const s = state(app);
  return [passwordForm(), sessionsList(s), passkeysCard(s), twoFactor(s), exportCard(app), deleteCard(app, !!s.totp?.enabled)];
}

export const forms = {
  async "add-passkey"(app, f, form) {
    const options = await app.call(null, () => app.api.post("/users/@me/passkeys/options", { password: f.password }), "Adding a passkey failed");
    if (!options) return;
    let credential;
    try {
      credential = await createPasskey(options);
    } catch (err) {
      app.toast(err?.name === "NotAllowedError" ? "Adding the passkey was cancelled." : `Adding a passkey failed: ${err?.message ?? err}`, "error");
      return;
    }
    const added = await app.call(null, () => app.api.post("/users/@me/passkeys", { name: f.name.trim(), credential }), "Adding a passkey failed");
    if (!added) return;
    form.reset();
    app.toast(`Passkey “${added.name}” added.`, "info");
    await load(app);
  },
  async "remove-passkey"(app, f, form) {
    const id = form.dataset.passkey;
    const done = await app.call(null, () => app.api.delete(`/users/@me/passkeys/${id}`, { password: f.password }), "Removing the passkey failed");
    if (done === undefined) return;
    state(app).removing = null;
    app.toast("Passkey removed.", "info");
    await load(app);
  },
  async "change-password"(app, f, form) {
    const body = { current_password: f.current_password, new_password: f.new_password };
    const done = await app.call(null, () => app.api.post("/users/@me/password", body), "Changing the password failed");
    if (done === undefined) return;
    form.reset();
    app.toast("Password changed. Other sessions were signed out.", "info");
    await load(app);
  },
  async "enable-totp"(app, f, form) {
    const setup = await app.call(null, () => app.api.post("/auth/totp/enable", { password: f.password }), "Setting up two-factor failed");
    if (!setup) return;
    form.reset();
    state(app).setup = setup;
    app.render();
  },
  async "verify-totp"(app, f) {
    const out = await app.call(null, () => app.api.post("/auth/totp/verify", { code: f.code.trim() }), "Turning on two-factor failed");
    if (!out) return;
    Object.assign(state(app), { setup: null, codes: out.backup_codes });
    await load(app);
  },
  async "disable-totp"(app, f, form) {
    const body = { password: f.password, code: f.code.trim() };
    const done = await app.call(null, () => app.api.delete("/auth/totp", body), "Turning off two-factor failed");
    if (done === undefined) return;
    form.reset();
    app.toast("Two-factor authentication is off.", "info");
    await load(app);
  },
  async "regenerate-backup-codes"(app, f, form) {
    const out = await app.call(null, () => app.api.post("/auth/backup-codes", { password: f.password }), "Making new backup codes failed");
    if (!out) return;
    form.reset();
    state(app).codes = out.codes;
    await load(app);
  },
};

export const actions = {
  async "revoke-session"(app, data) {
    const done = await app.call(null, () => app.api.delete(`/users/@me/sessions/${data.session}`), "Signing out that session failed");
    if (done !== undefined) await load(app);
  },
  async "revoke-other-sessions"(app) {
    const done = await app.call(null, () => app.api.delete("/users/@me/sessions"), "Signing out other sessions failed");
    if (done !== undefined) await load(app);
  },
  "ask-remove-passkey"(app, data) {
    state(app).removing = data.passkey;
    app.render();
  },
  "security-codes-done"(app) {
    state(app).codes = null;
    app.render();
  },
};
