// Sign in and create an account.

import { h } from "./dom.js";

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
  const { authMode, authError, authNotice, busy } = app.ui;
  const register = authMode === "register";
  const min = app.ui.authRules?.password_min_length ?? 8;
  return h("section.auth", { "aria-labelledby": "auth-title" },
    h("div.auth-card",
      h("div.brand", h("span.logo", { "aria-hidden": "true" }, "A"), "AmityVox"),
      h("h1#auth-title", register ? "Create an account" : "Welcome back"),
      authNotice ? h("p.notice", { role: "status" }, authNotice) : null,
      h("form.stack", { "data-submit": register ? "register" : "login", "aria-describedby": authError ? "auth-error" : null },
        h("label", "Username", h("input", { name: "username", autocomplete: "username", required: true, maxlength: 64, autofocus: true, id: "auth-username" })),
        register ? h("label", "E-mail (optional)", h("input", { name: "email", type: "email", autocomplete: "email", maxlength: 254 })) : null,
        h("label", "Password", h("input", {
          name: "password", type: "password", required: true, maxlength: 256,
          autocomplete: register ? "new-password" : "current-password",
          minlength: register ? min : null, "aria-describedby": register ? "password-rule" : null,
        })),
        register ? h("p.hint#password-rule", `At least ${min} characters.`) : null,
        authError ? h("p.error#auth-error", { role: "alert" }, authError) : null,
        h("button.primary", { type: "submit", disabled: busy }, busy ? "Please wait…" : register ? "Create account" : "Sign in"),
      ),
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
    form.reset();
    if (out?.mfa_required) {
      app.ui.authTicket = out.ticket; // the second step asks for a code
      return;
    }
    app.ui.authTicket = null;
    app.ui.authNotice = null;
    app.connect();
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
    return authenticate(app, f, form, () => app.api.register(f.username.trim(), f.password, f.email?.trim()));
  },
};

export const actions = {
  "auth-mode"(app, data) {
    app.ui.authMode = data.mode;
    if (data.mode === "register" && !app.ui.authRules) {
      // The server's own rule (configurable); until it answers the form shows the default.
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
