// @ts-check
// Pictures beside names: users' avatars, guilds' icons and banners, custom emoji. Each is a
// public upload served at /api/v1/files/{id} (docs/media.md). Without one, or when it does
// not load, a user or guild shows initials on a stable hue and an emoji its :name:. The
// views read the ids from the cache, so USER_UPDATE, GUILD_UPDATE and the member events
// change the pictures on the next draw.

import { avatar, h, hue, initials } from "./dom.js";

const SIZE = 256; // the thumbnail asked for; a smaller picture is served as it is
const failed = new Set(); // ids whose picture did not load: their owners show the fallback

/** The URL of a public picture, at a thumbnail `size` or (null) the original. */
export function pictureUrl(app, id, size = SIZE) {
  return `${app.api.base}/api/v1/files/${encodeURIComponent(id)}${size ? `?size=${size}` : ""}`;
}

function usable(id) {
  return typeof id === "string" && id !== "" && !failed.has(id);
}

function img(app, id, size, cls = null) {
  return h("img", { class: cls, src: pictureUrl(app, id, size), alt: "", decoding: "async", "data-picture": id, draggable: "false" });
}

/** A user's avatar (`extra`: "small" or "large"), or their initials. */
export function userAvatar(app, uid, name, extra = "") {
  const id = app.state.users[uid]?.avatar_id;
  if (!usable(id)) return avatar(uid, name, extra);
  return h("span", { class: ["avatar", "picture", extra], style: { "--hue": hue(uid) }, "aria-hidden": "true" }, img(app, id, SIZE));
}

/** The avatar a webhook's message was sent with (an outside image URL), or the name's initials. */
export function webhookAvatar(m, name) {
  const url = m.author?.avatar_url;
  if (typeof url !== "string" || !/^https?:\/\//i.test(url) || failed.has(url)) return avatar(m.author_id, name);
  return h("span", { class: ["avatar", "picture"], style: { "--hue": hue(m.author_id) }, "aria-hidden": "true" },
    h("img", { src: url, alt: "", decoding: "async", "data-picture": url, referrerpolicy: "no-referrer", draggable: "false" }));
}

/** A guild's icon for the server rail, or its initials. */
export function guildIcon(app, guild) {
  const picture = usable(guild.icon_id);
  return h("span.rail-icon", { class: picture ? "picture" : null, style: { "--hue": hue(guild.id) } },
    picture ? img(app, guild.icon_id, SIZE) : initials(guild.name));
}

/** The guild's banner above its channel list, when it has one. */
export function guildBanner(app, guild) {
  if (!usable(guild.banner_id)) return null;
  return h("div.guild-banner", { "data-key": "banner" }, img(app, guild.banner_id, 1024));
}

/** A custom emoji's picture (the original: emoji are small and may be animated), or :name:. */
export function emojiPicture(app, id, name) {
  if (!usable(id)) return h("span.emoji-name", `:${name}:`);
  return h("img.emoji", { src: pictureUrl(app, id, null), alt: `:${name}:`, title: `:${name}:`, decoding: "async", "data-picture": id, draggable: "false" });
}

/** A picture that fails to load (removed, swept, never an image) gives way to the fallback. */
export function bind(app) {
  app.doc.addEventListener("error", (event) => {
    const id = event.target?.dataset?.picture;
    if (!id || failed.has(id)) return;
    failed.add(id);
    app.render();
  }, true);
}
