// @ts-check
// Choosing a picture: the user's avatar, a guild's icon and banner, a custom emoji's image.
// A chosen file is checked here first (an image type, within its kind's size limit, one the
// browser can decode) and previewed; saving uploads it with its `kind` (POST /files/upload)
// and then names it where it belongs (docs/media.md). What the others see follows by events.

import { h } from "./dom.js";
import { pictureUrl } from "./avatar.js";
import { formatSize } from "./media.js";
import { ApiError } from "../api.js";

const TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const FALLBACK_LIMITS = { avatar_max_bytes: 8 * 1024 * 1024, emoji_max_bytes: 512 * 1024 };

// What each picture is: its upload kind, size limit, label, and how a saved upload is used.
export const TARGETS = {
  avatar: {
    kind: "avatar", limit: "avatar_max_bytes", label: "avatar",
    current: (app) => app.state.self_user?.avatar_id ?? null,
    save: (app, id) => app.api.patch("/users/@me", { avatar_id: id }),
  },
  icon: {
    kind: "icon", limit: "avatar_max_bytes", label: "server icon",
    current: (app, guildId) => app.state.guilds[guildId]?.icon_id ?? null,
    save: (app, id, guildId) => app.api.patch(`/guilds/${guildId}`, { icon_id: id }),
  },
  banner: {
    kind: "banner", limit: "avatar_max_bytes", label: "banner",
    current: (app, guildId) => app.state.guilds[guildId]?.banner_id ?? null,
    save: (app, id, guildId) => app.api.patch(`/guilds/${guildId}`, { banner_id: id }),
  },
  emoji: { kind: "emoji", limit: "emoji_max_bytes", label: "emoji image", current: () => null, save: null },
};

function picks(app) {
  app.ui.picks ??= {};
  return app.ui.picks;
}

function slot(target, guildId) {
  return guildId ? `${target}:${guildId}` : target;
}

/** The picture chosen (and checked) for `target`, not yet saved. */
export function picked(app, target, guildId = null) {
  const p = picks(app)[slot(target, guildId)];
  return p?.file && !p.error ? p : null;
}

export function forget(app, target, guildId = null) {
  delete picks(app)[slot(target, guildId)];
  app.render();
}

async function limits(app) {
  if (!app.ui.uploadLimits?.avatar_max_bytes) {
    try {
      app.ui.uploadLimits = await app.api.get("/files/limits");
    } catch {
      return FALLBACK_LIMITS;
    }
  }
  return app.ui.uploadLimits;
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function decodes(url) {
  return new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve(image.naturalWidth > 0);
    image.onerror = () => resolve(false);
    image.src = url;
  });
}

/** Why `file` cannot be a picture of `target`, or null when it can (and `preview` is set). */
async function check(app, target, file, item) {
  const t = TARGETS[target];
  if (!TYPES.includes(file.type)) return `choose a PNG, JPEG, GIF or WebP image (${file.name || "this file"} is ${file.type || "of an unknown type"})`;
  const max = (await limits(app))[t.limit] ?? FALLBACK_LIMITS[t.limit];
  if (file.size > max) return `${file.name} is too large (${formatSize(file.size)}; the limit is ${formatSize(max)})`;
  if (file.size === 0) return `${file.name} is empty`;
  const url = await readAsDataUrl(file);
  if (!(await decodes(url))) return `${file.name} is not an image this browser can read`;
  item.preview = url;
  return null;
}

/** Take the file chosen in a picker's input: check it and show it, or say what is wrong. */
export async function choose(app, target, guildId, file) {
  const key = slot(target, guildId);
  const item = { file, name: file.name, preview: null, error: null, busy: false };
  picks(app)[key] = item;
  item.error = await check(app, target, file, item);
  if (picks(app)[key] === item) app.render();
}

/** Upload the chosen picture with its kind → the upload's id (null and an error shown on failure). */
export async function upload(app, target, guildId = null) {
  const item = picked(app, target, guildId);
  if (!item) return null;
  item.busy = true;
  app.render();
  const form = new FormData();
  form.append("file", item.file, item.name || "picture");
  form.append("kind", TARGETS[target].kind);
  try {
    const out = await app.api.upload("/files/upload", form);
    return out.id;
  } catch (err) {
    item.error = err instanceof ApiError ? err.message : String(err?.message ?? err);
    return null;
  } finally {
    item.busy = false;
    app.render();
  }
}

/**
 * A picker: the current picture (or the chosen one's preview), a button to choose a file,
 * the reason a file was refused, and Save / Cancel / Remove. `shape` is "round" or "wide".
 * An emoji's picker has no buttons of its own: its form saves it.
 */
export function picker(app, target, { guildId = null, shape = "round", fallback = null } = {}) {
  const t = TARGETS[target];
  const p = picks(app)[slot(target, guildId)];
  const current = t.current(app, guildId);
  const shown = p?.preview ?? (current ? pictureUrl(app, current, shape === "wide" ? 1024 : 256) : null);
  const owned = t.save != null;
  return h("div.image-pick", { "data-key": `pick-${target}` },
    h("span", { class: ["image-preview", shape] },
      shown ? h("img", { src: shown, alt: p?.preview ? `Preview of the new ${t.label}` : `Current ${t.label}` }) : fallback),
    h("div.image-pick-side",
      h("label.button", `Choose ${t.label}…`,
        h("input.sr-only", { type: "file", accept: TYPES.join(","), "data-change": "pick-image", "data-target": target, "data-guild": guildId, "aria-label": `Choose ${t.label}` })),
      p?.error ? h("p.pick-error", { role: "alert" }, p.error) : null,
      h("div.row",
        owned && p && !p.error ? h("button.primary", { type: "button", "data-action": "save-image", "data-target": target, "data-guild": guildId, disabled: p.busy }, p.busy ? "Saving…" : `Save ${t.label}`) : null,
        p ? h("button", { type: "button", "data-action": "cancel-image", "data-target": target, "data-guild": guildId }, "Cancel") : null,
        owned && !p && current ? h("button", { type: "button", "data-action": "remove-image", "data-target": target, "data-guild": guildId }, `Remove ${t.label}`) : null)));
}

export const actions = {
  "pick-image"(app, data, el) {
    const file = el.files?.[0];
    el.value = "";
    if (file) choose(app, data.target, data.guild ?? null, file);
  },
  "cancel-image"(app, data) {
    forget(app, data.target, data.guild ?? null);
  },
  async "save-image"(app, data) {
    const guildId = data.guild ?? null;
    const t = TARGETS[data.target];
    const id = await upload(app, data.target, guildId);
    if (!id) return;
    const ok = await app.call(null, () => t.save(app, id, guildId), `Saving the ${t.label} failed`);
    if (ok === undefined) return;
    forget(app, data.target, guildId);
    app.toast(`${t.label[0].toUpperCase()}${t.label.slice(1)} saved.`, "info");
  },
  async "remove-image"(app, data) {
    const guildId = data.guild ?? null;
    const t = TARGETS[data.target];
    const ok = await app.call(null, () => t.save(app, null, guildId), `Removing the ${t.label} failed`);
    if (ok !== undefined) app.toast(`${t.label[0].toUpperCase()}${t.label.slice(1)} removed.`, "info");
  },
};
