// @ts-check
// The colour theme: the user's `theme` setting (dark, light or system), kept by the server
// (PATCH /users/@me/settings → USER_SETTINGS_UPDATE to every session of the user), so each
// signed-in tab and device follows a change at once. "system" follows the device's light or
// dark preference, live. The last choice is remembered in localStorage so the page (and the
// login screen) starts in it before the settings arrive.

import { h } from "./dom.js";

export const THEMES = [["dark", "Dark"], ["light", "Light"], ["system", "Sync with device"]];
const STORED = "amityvox.theme";

function chosen(app) {
  return app.state.user_settings?.theme ?? app.read(STORED) ?? "dark";
}

/** Set `data-theme` on the document to the theme shown (called on every draw; cheap). */
export function apply(app) {
  const theme = chosen(app);
  const light = theme === "light" || (theme === "system" && globalThis.matchMedia?.("(prefers-color-scheme: light)").matches);
  const shown = light ? "light" : "dark";
  const root = app.doc.documentElement;
  if (root.dataset.theme !== shown) {
    root.dataset.theme = shown;
    app.doc.querySelector('meta[name="color-scheme"]')?.setAttribute("content", shown);
  }
  if (app.state.user_settings?.theme && app.read(STORED) !== theme) app.write(STORED, theme);
}

/** The theme picker for one's own settings. */
export function picker(app) {
  const theme = chosen(app);
  return h("section.card", { "data-key": "appearance" }, h("h3", "Appearance"),
    h("label", "Theme", h("select#theme-select", { "data-change": "set-theme" },
      THEMES.map(([value, label]) => h("option", { value, selected: value === theme }, label)))));
}

export function bind(app) {
  globalThis.matchMedia?.("(prefers-color-scheme: light)").addEventListener?.("change", () => app.render());
}

export const actions = {
  async "set-theme"(app, _data, el) {
    const settings = await app.call(null, () => app.api.patch("/users/@me/settings", { theme: el.value }), "Changing the theme failed");
    if (settings) app.state.user_settings = settings;
    app.render();
  },
};
