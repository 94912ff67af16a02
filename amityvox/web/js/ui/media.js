// @ts-check
// Files in the chat: the composer's uploads (attach button, drag and drop, paste; progress,
// cancel, size errors before sending) and how attachments show in messages (images with a
// BlurHash placeholder then their thumbnail, a lightbox, players for audio and video (with
// the poster frame the server makes when it can), file cards for the rest). The server's flow is in docs/media.md.

import { h } from "./dom.js";
import { placeholderUrl } from "../blurhash.js";

const DEFAULT_LIMITS = { upload_max_bytes: 25 * 1024 * 1024, upload_max_files: 10, upload_types: [] };
const BOX = { width: 400, height: 300 }; // the largest an inline image is drawn
let seq = 0;

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

function queue(app) {
  app.ui.uploads ??= [];
  return app.ui.uploads;
}

/** The uploads of the composer for `channelId`. */
export function uploadsFor(app, channelId) {
  return queue(app).filter((u) => u.channelId === channelId);
}

/** Ids of the finished uploads to send with the next message. */
export function readyIds(app, channelId) {
  return uploadsFor(app, channelId).filter((u) => u.status === "done").map((u) => u.attachment.id);
}

export function busy(app, channelId) {
  return uploadsFor(app, channelId).some((u) => u.status === "uploading");
}

/** Forget the uploads a sent message took. */
export function clearSent(app, channelId, ids) {
  app.ui.uploads = queue(app).filter((u) => u.channelId !== channelId || !ids.includes(u.attachment?.id));
}

async function limits(app) {
  if (!app.ui.uploadLimits) {
    try {
      app.ui.uploadLimits = await app.api.get("/files/limits");
    } catch {
      return DEFAULT_LIMITS;
    }
  }
  return app.ui.uploadLimits;
}

/** Queue files for the open channel; those over the limit are refused here, before any byte goes. */
export async function addFiles(app, files) {
  const channelId = app.ui.channelId;
  if (!channelId || !files.length) return;
  const lim = await limits(app);
  for (const file of files) {
    const name = file.name || `pasted-${Date.now()}.${(file.type.split("/")[1] || "bin").replace(/[^a-z0-9]/g, "")}`;
    const item = { key: `up${++seq}`, channelId, name, size: file.size, sent: 0, status: "uploading", error: null, attachment: null, xhr: null };
    if (uploadsFor(app, channelId).length >= lim.upload_max_files) {
      item.status = "error";
      item.error = `at most ${lim.upload_max_files} files per message`;
    } else if (file.size > lim.upload_max_bytes) {
      item.status = "error";
      item.error = `too large (${formatSize(file.size)}; the limit is ${formatSize(lim.upload_max_bytes)})`;
    } else if (file.size === 0) {
      item.status = "error";
      item.error = "the file is empty";
    }
    queue(app).push(item);
    if (item.status === "uploading") send(app, item, file);
  }
  app.render();
}

function send(app, item, file) {
  const xhr = new XMLHttpRequest(); // fetch cannot report upload progress
  item.xhr = xhr;
  xhr.open("POST", `${app.api.base}/api/v1/channels/${item.channelId}/attachments`);
  const token = app.api.token;
  if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
  xhr.upload.onprogress = (event) => {
    item.sent = event.loaded;
    item.total = event.total;
    app.render();
  };
  xhr.onload = () => {
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      body = null;
    }
    if (xhr.status === 201 && body?.data) {
      item.status = "done";
      item.attachment = body.data;
    } else {
      item.status = "error";
      item.error = body?.error?.message ?? `the upload failed (${xhr.status})`;
    }
    item.xhr = null;
    app.render();
  };
  xhr.onerror = () => {
    item.status = "error";
    item.error = "the server cannot be reached";
    app.render();
  };
  const form = new FormData();
  form.append("file", file, item.name);
  xhr.send(form);
}

/** The tray above the composer: one row per upload with its progress, error and a remove button. */
export function tray(app) {
  const items = uploadsFor(app, app.ui.channelId);
  if (!items.length) return [];
  return h("ul.upload-tray", { "aria-label": "Files to send" }, items.map((u) => {
    const pct = u.status === "done" ? 100 : u.total ? Math.round((100 * u.sent) / u.total) : 0;
    return h("li.upload", { "data-key": u.key, class: u.status },
      h("span.upload-name", u.name),
      h("span.upload-size", formatSize(u.size)),
      u.status === "uploading" ? h("progress", { max: 100, value: pct, "aria-label": `Uploading ${u.name}` }) : null,
      u.status === "error" ? h("span.upload-error", { role: "alert" }, `${u.name}: ${u.error}`) : null,
      u.status === "done" ? h("span.upload-ok", "ready") : null,
      h("button.icon.small", {
        "data-action": "remove-upload", "data-key": u.key,
        "aria-label": u.status === "uploading" ? `Cancel upload of ${u.name}` : `Remove ${u.name}`,
        title: u.status === "uploading" ? "Cancel" : "Remove",
      }, "✕"));
  }));
}

// ---- attachments in messages -----------------------------------------------------------------

function fit(a) {
  if (!a.width || !a.height) return null;
  const scale = Math.min(1, BOX.width / a.width, BOX.height / a.height);
  return { width: `${Math.round(a.width * scale)}px`, height: `${Math.round(a.height * scale)}px` };
}

function thumbnailUrl(a) {
  if (!a.thumbnails) return null; // not made yet: the placeholder shows
  const size = fit(a);
  const wanted = size && parseInt(size.width, 10) > 256 ? 1024 : 256;
  const best = a.thumbnails.find((t) => t.size === wanted) ?? a.thumbnails.at(-1);
  return best ? best.url : a.url; // no thumbnail: the image is small enough as it is
}

function imageView(app, a) {
  const src = thumbnailUrl(a) ?? (a.blurhash ? placeholderUrl(app.doc, a.blurhash) : null);
  return h("button.attachment-image", {
    "data-action": "open-lightbox", "data-url": a.url, "data-name": a.filename,
    "aria-label": `Open ${a.filename}`, style: fit(a),
  }, src ? h("img.attachment-img", {
    src, alt: a.filename, loading: "lazy", width: a.width, height: a.height,
    class: a.thumbnails ? "loaded" : "placeholder", style: fit(a),
  }) : h("span", a.filename));
}

function fileCard(a) {
  return h("div.file-card",
    h("span.file-icon", { "aria-hidden": "true" }, (a.filename.includes(".") ? a.filename.split(".").pop() : "file").slice(0, 4).toUpperCase()),
    h("div.file-meta",
      h("a.file-name", { href: a.url, download: a.filename, rel: "noopener" }, a.filename),
      h("span.file-size", formatSize(a.size_bytes ?? 0))),
    h("a.file-download", { href: a.url, download: a.filename, "aria-label": `Download ${a.filename}` }, "Download"));
}

export function attachmentsView(app, message) {
  if (!message.attachments?.length) return null;
  return h("ul.attachments", message.attachments.map((a) => {
    const type = a.content_type ?? "";
    let body;
    if (type.startsWith("image/") && (a.blurhash || a.width)) body = imageView(app, a);
    else if (type.startsWith("video/")) body = h("video.attachment-video", { src: a.url, controls: true, preload: "metadata", poster: a.thumbnails?.length ? thumbnailUrl(a) : null, "aria-label": a.filename });
    else if (type.startsWith("audio/")) body = [h("audio.attachment-audio", { src: a.url, controls: true, preload: "metadata", "aria-label": a.filename }), fileCard(a)];
    else body = fileCard(a);
    return h("li", { "data-key": a.id }, body);
  }));
}

/** The lightbox: one image at its full size over everything, closed with Esc or a click. */
export function lightbox(app) {
  const open = app.ui.lightbox;
  if (!open) return [];
  return h("div.lightbox", { role: "dialog", "aria-modal": "true", "aria-label": open.name },
    h("div.lightbox-backdrop", { "data-action": "close-lightbox", "aria-hidden": "true" }),
    h("img.lightbox-img", { src: open.url, alt: open.name }),
    h("div.lightbox-bar",
      h("a", { href: open.url, download: open.name }, "Download"),
      h("button.icon.small", { "data-action": "close-lightbox", "aria-label": "Close" }, "✕")));
}

// ---- wiring ----------------------------------------------------------------------------------

export const actions = {
  attach(app) {
    app.doc.getElementById("file-input")?.click();
  },
  "files-chosen"(app, _data, el) {
    const files = [...(el.files ?? [])];
    el.value = "";
    addFiles(app, files);
  },
  "remove-upload"(app, data) {
    const item = queue(app).find((u) => u.key === data.key);
    if (!item) return;
    item.xhr?.abort();
    app.ui.uploads = queue(app).filter((u) => u !== item);
    app.render();
  },
  "open-lightbox"(app, data) {
    app.ui.lightbox = { url: data.url, name: data.name };
    app.render();
  },
  "close-lightbox"(app) {
    app.ui.lightbox = null;
    app.render();
  },
};

/** Drops onto the chat and pastes into the composer become uploads. */
export function bind(app) {
  const chat = app.doc.getElementById("chat");
  chat?.addEventListener("dragover", (event) => {
    if ([...(event.dataTransfer?.types ?? [])].includes("Files")) {
      event.preventDefault();
      chat.classList.add("dropping");
    }
  });
  chat?.addEventListener("dragleave", () => chat.classList.remove("dropping"));
  chat?.addEventListener("drop", (event) => {
    chat.classList.remove("dropping");
    const files = [...(event.dataTransfer?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    addFiles(app, files);
  });
  app.doc.getElementById("composer-input")?.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    addFiles(app, files);
  });
}
