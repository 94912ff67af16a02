// @ts-check
// Channel names as the server stores them (`normalize_name` in services/channels.py): text,
// announcement and forum channels are slugs ("Random Stuff" → "random-stuff"); voice and stage
// channels and categories keep spaces and capitals. The create dialog shows the name live.

import { h } from "./dom.js";

const SLUG_TYPES = new Set(["text", "announcement", "forum"]);
const KEEP = /[\p{L}\p{N}\p{M}\p{S}_\s-]/u;

export function channelName(name, channelType) {
  const trimmed = name.trim();
  if (!SLUG_TYPES.has(channelType)) return trimmed;
  const kept = [...trimmed.toLowerCase()].filter((c) => KEEP.test(c)).join("");
  return kept.replace(/[\s-]+/gu, "-").replace(/^-+|-+$/g, "");
}

/** The line under the name field: what the channel will be called. */
export function preview(app) {
  const typed = app.ui.newChannel ?? { name: "", type: "text" };
  const name = channelName(typed.name, typed.type);
  return h("p.hint#new-channel-preview", { "aria-live": "polite" },
    !typed.name.trim() ? null
      : name ? ["Will be created as ", h("strong", SLUG_TYPES.has(typed.type) ? `#${name}` : name)]
        : "Use letters, digits, - or _.");
}

export function bind(app) {
  app.doc.addEventListener("input", (event) => {
    const form = event.target.closest?.("form[data-submit='create-channel']");
    if (!form) return;
    app.ui.newChannel = { name: form.elements.name.value, type: form.elements.channel_type.value };
    app.render();
  });
}
