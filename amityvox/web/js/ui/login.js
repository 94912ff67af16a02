// @ts-check
// Sign in (with a password, or a passkey and no username), create an account, and get back in
// with a forgotten password (a mailed link opens /reset-password, where the form for the new
// password is drawn here; see account.js).

import { afterSignIn } from "./account.js";
import { h } from "./dom.js";
import { card as inviteCard } from "./invite.js";
import { inviteCode } from "../api.js";
import { getPasskey, passkeysAvailable } from "../webauthn.js";

function card(app, title, ...body) {
  return h("section.auth", { "aria-labelledby": "auth-title" },
    h("div.auth-card",
      h("div.brand", h("span.logo", { "aria-hidden": "true" }, "A"), "AmityVox"),
      h("h1#auth-title", title),
      ...body));
}

function forgotView(app) {
  const { authError, busy } = app.ui;
  return card(app, "Reset your password",
    h("p.muted", "Enter your account's e-mail address: we mail it a link to choose a new password."),
    h("form.stack", { "data-submit": "forgot-password", "aria-describedby": authError ? "auth-error" : null },
      h("label", "E-mail", h("input", { name: "email", type: "email", required: true, maxlength: 254, autocomplete: "email", autofocus: true })),
      authError ? h("p.error#auth-error", { role: "alert" }, authError) : null,
      h("button.primary", { type: "submit", disabled: busy }, busy ? "Please wait…" : "Send reset link")),
    h("p.switch", h("button.link", { type: "button", "data-action": "auth-mode", "data-mode": "login" }, "Back to sign in")));
}

function resetView(app) {
  const { authError, busy } = app.ui;
  const min = app.ui.authRules?.password_min_length ?? 8;
  return card(app, "Choose a new password",
    h("form.stack", { "data-submit": "reset-password", "aria-describedby": authError ? "auth-error" : null },
      h("label", "New password", h("input", {
        name: "password", type: "password", required: true, minlength: min, maxlength: 256, autocomplete: "new-password", autofocus: true,
      })),
      h("p.hint", `At least ${min} characters. Setting it signs you out everywhere.`),
      authError ? h("p.error#auth-error", { role: "alert" }, authError) : null,
      h("button.primary", { type: "submit", disabled: busy }, busy ? "Please wait…" : "Set new password")),
    h("p.switch", h("button.link", { type: "button", "data-action": "auth-mode", "data-mode": "login" }, "Back to sign in")));
}

function secondStep(app) {
  const { authError, busy } = app.ui;
  return h("section.auth", { "aria-labelledby": "auth-title" },
    h("div.auth-card",
      h("div.brand", h("span.logo", { "aria-hidden": "true" }, "A"), "AmityVox"),
      h("h1#auth-title", "Two-factor authentication"),
      h("form.stack", { "data-submit": "login-totp", "aria-describedby": authError ? "auth-error" : null },
        h("label", "Code from your authenticator app, or a backup code", h("input", {
          name: "code", required: true, maxlength: 32, autocomplete: "one-time-code", autofocus: true, id: "auth-code",
        })),
        authError ? h("p.error#auth-error", { role: "alert" }, authError) : null,
        h("button.primary", { type: "submit", disabled: busy }, busy ? "Please wait…" : "Verify")),
      h("p.switch", h("button.link", { type: "button", "data-action": "auth-mode", "data-mode": "login" }, "Back to sign in"))));
}

export function view(app) {
  if (app.ui.authTicket) return secondStep(app);
  if (app.ui.authMode === "forgot") return forgotView(app);
  if (app.ui.authMode === "reset") return resetView(app);
  const { authMode, authError, authNotice, busy } = app.ui;
  const register = authMode === "register";
  const min = app.ui.authRules?.password_min_length ?? 8;
  const mode = register ? app.ui.authRules?.registration_mode : null; // unknown until /auth/rules answers
  return h("section.auth", { "aria-labelledby": "auth-title" },
    h("div.auth-card",
      h("div.brand", h("span.logo", { "aria-hidden": "true" }, "A"), "AmityVox"),
      app.ui.invite ? inviteCard(app, false) : null,
      h("h1#auth-title", register ? "Create an account" : "Welcome back"),
      authNotice ? h("p.notice", { role: "status" }, authNotice) : null,
      mode === "closed" ? h("p.notice#sign-up-closed", { role: "status" }, "Sign-up is closed on this server: its administrators create accounts.") : null,
      h("form.stack", { "data-submit": register ? "register" : "login", "aria-describedby": authError ? "auth-error" : null },
        h("label", "Username", h("input", { name: "username", autocomplete: "username", required: true, maxlength: 64, autofocus: true, id: "auth-username" })),
        register ? h("label", "E-mail (optional)", h("input", { name: "email", type: "email", autocomplete: "email", maxlength: 254 })) : null,
        mode === "invite_only" ? [
          h("label", "Invite code or link", h("input", {
            name: "invite", required: true, maxlength: 300, autocomplete: "off", value: app.ui.invite?.code ?? "", "aria-describedby": "invite-rule",
          })),
          h("p.hint#invite-rule", "This server is invite-only: sign up with an invite to one of its servers."),
        ] : null,
        h("label", "Password", h("input", {
          name: "password", type: "password", required: true, maxlength: 256,
          autocomplete: register ? "new-password" : "current-password",
          minlength: register ? min : null, "aria-describedby": register ? "password-rule" : null,
        })),
        register ? h("p.hint#password-rule", `At least ${min} characters.`) : null,
        !register && app.ui.instance?.email !== false
          ? h("button.link.forgot", { type: "button", "data-action": "auth-mode", "data-mode": "forgot" }, "Forgot password?") : null,
        authError ? h("p.error#auth-error", { role: "alert" }, authError) : null,
        h("button.primary", { type: "submit", disabled: busy }, busy ? "Please wait…" : register ? "Create account" : "Sign in"),
      ),
      !register && passkeysAvailable()
        ? h("button.passkey-sign-in", { type: "button", "data-action": "login-passkey", disabled: busy }, "Sign in with a passkey") : null,
      h("p.switch",
        register ? "Already have an account? " : "New here? ",
        h("button.link", { type: "button", "data-action": "auth-mode", "data-mode": register ? "login" : "register" },
          register ? "Sign in" : "Create an account")),
    ));
}

async function authenticate(app, fields, form, doIt) {
  app.ui.busy = true;
  app.ui.authError = null;
  app.draw();
  try {
    const out = await doIt();
    form?.reset();
    if (out?.mfa_required) {
      app.ui.authTicket = out.ticket; // the second step asks for a code
      return;
    }
    app.ui.authTicket = null;
    app.ui.authNotice = null;
    app.connect();
    if (out?.deletion_cancelled) app.toast("Welcome back: signing in cancelled the deletion of your account.", "info", { sticky: true });
    afterSignIn(app);
  } catch (err) {
    if (err.code === "invalid_ticket") app.ui.authTicket = null; // expired: sign in again
    app.ui.authError = err.message || "That did not work.";
  } finally {
    app.ui.busy = false;
    app.draw();
  }
}

export const forms = {
  login(app, f, form) {
    return authenticate(app, f, form, () => app.api.login(f.username.trim(), f.password));
  },
  "login-totp"(app, f, form) {
    return authenticate(app, f, form, () => app.api.loginTotp(app.ui.authTicket, f.code.trim()));
  },
  register(app, f, form) {
    // An invite link being followed counts as the invite an invite-only server asks for.
    const invite = inviteCode(f.invite ?? "") || app.ui.invite?.code || null;
    return authenticate(app, f, form, () => app.api.register(f.username.trim(), f.password, f.email?.trim(), invite));
  },
  async "forgot-password"(app, f) {
    app.ui.busy = true;
    app.ui.authError = null;
    app.draw();
    try {
      await app.api.request("POST", "/auth/password-reset", { body: { email: f.email.trim() }, auth: false });
      Object.assign(app.ui, {
        authMode: "login",
        authNotice: `If an account has the address ${f.email.trim()}, a link to reset its password is on its way; it works for an hour.`,
      });
    } catch (err) {
      app.ui.authError = err.message || "That did not work.";
    } finally {
      app.ui.busy = false;
      app.draw();
    }
  },
  async "reset-password"(app, f) {
    app.ui.busy = true;
    app.ui.authError = null;
    app.draw();
    try {
      const body = { token: app.ui.resetToken ?? "", password: f.password };
      await app.api.request("POST", "/auth/password-reset/confirm", { body, auth: false });
      history.replaceState(null, "", "/");
      app.ui.resetToken = null;
      app.signedOut("Your new password is set. Sign in with it.");
    } catch (err) {
      app.ui.authError = err.message || "That did not work.";
    } finally {
      app.ui.busy = false;
      app.draw();
    }
  },
};

/** A passkey sign-in ends without a code step: the authenticator verified its user. */
async function passkeySignIn(app) {
  const options = await app.api.request("POST", "/auth/passkey/options", { body: {}, auth: false });
  let credential;
  try {
    credential = await getPasskey(options);
  } catch (err) {
    // Cancelled or timed out in the browser's own dialog: nothing was sent.
    throw Object.assign(new Error(err?.name === "NotAllowedError" ? "Signing in with a passkey was cancelled." : err?.message), { code: "passkey" });
  }
  return app.api.loginPasskey(credential);
}

export const actions = {
  "login-passkey"(app) {
    return authenticate(app, null, null, () => passkeySignIn(app));
  },
  "auth-mode"(app, data) {
    if (app.ui.authMode === "reset") history.replaceState(null, "", "/"); // leaving the mailed link's page
    app.ui.authMode = data.mode;
    if (data.mode === "register") {
      // The server's own rules (the password length, the registration mode set by its
      // administrators); until they answer the form shows the defaults.
      app.api.get("/auth/rules").then((rules) => {
        app.ui.authRules = rules;
        app.draw();
      }, () => {});
    }
    app.ui.authTicket = null;
    app.ui.authError = null;
    app.draw();
    app.doc.getElementById("auth-username")?.focus();
  },
  async logout(app) {
    try {
      await app.api.logout();
    } catch {
      // signed out locally either way
    }
    app.readyOnce = false;
    app.signedOut("You have signed out.");
  },
};
