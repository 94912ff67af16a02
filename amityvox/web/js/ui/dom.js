// @ts-check
// A tiny view layer: `h()` builds elements (attributes only, no listeners), `patch()` morphs
// a live container to match freshly built children. Interaction goes through delegated
// `data-action` / `data-submit` attributes, so patching never loses a listener, and
// morphing in place keeps focus, selection and scroll where the user left them.

const BOOLEAN_PROPS = new Set(["checked", "disabled", "selected", "hidden", "open", "required", "multiple"]);

/** h("button.primary#send", {type: "submit"}, "Send") → <button class="primary" id="send">. */
export function h(spec, attrs, ...children) {
  if (attrs == null || typeof attrs !== "object" || Array.isArray(attrs) || attrs instanceof Node) {
    children.unshift(attrs);
    attrs = {};
  }
  const [tag, ...rest] = spec.split(/(?=[.#])/);
  const el = document.createElement(tag || "div");
  const classes = [];
  for (const part of rest) {
    if (part[0] === ".") classes.push(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") {
      if (Array.isArray(value)) classes.push(...value.filter(Boolean));
      else classes.push(value);
    } else if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) if (v != null) el.dataset[k] = String(v);
    } else if (key === "style" && typeof value === "object") {
      // Through the CSSOM: the page's CSP forbids style attributes written as text.
      for (const [k, v] of Object.entries(value)) el.style.setProperty(k, String(v));
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  if (classes.length) el.setAttribute("class", classes.join(" "));
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false || child === true) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function keyOf(node) {
  return node.nodeType === 1 ? node.getAttribute("data-key") : null;
}

const FIELDS = new Set(["INPUT", "TEXTAREA", "SELECT", "FORM"]);

function sameKind(a, b) {
  if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName || keyOf(a) !== keyOf(b)) return false;
  // A field is never reused for another field: it would keep what was typed into the old one.
  if (FIELDS.has(a.nodeName)) {
    for (const attr of ["name", "type", "data-submit", "id"]) if (a.getAttribute(attr) !== b.getAttribute(attr)) return false;
  }
  return true;
}

function morphAttributes(from, to) {
  if (from.getAttribute("style") !== to.getAttribute("style")) {
    if (to.hasAttribute("style")) from.style.cssText = to.style.cssText;
    else from.removeAttribute("style");
  }
  for (const { name } of [...from.attributes]) {
    if (name === "style") continue;
    if (!to.hasAttribute(name)) {
      from.removeAttribute(name);
      if (BOOLEAN_PROPS.has(name)) from[name] = false;
    }
  }
  for (const { name, value } of [...to.attributes]) {
    if (name === "style") continue;
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
    if (BOOLEAN_PROPS.has(name)) from[name] = true;
  }
  // Inputs keep what the user typed unless the view says the app owns the value.
  if (to.hasAttribute("data-sync-value") && "value" in from && from.value !== to.getAttribute("value")) {
    from.value = to.getAttribute("value") ?? "";
  }
}

function morph(from, to) {
  if (from.nodeType === 3 || from.nodeType === 8) {
    if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
    return;
  }
  morphAttributes(from, to);
  if (from.hasAttribute("data-keep")) return; // owned by the user or by code outside the view
  patch(from, [...to.childNodes]);
}

/** Make `parent`'s children look like `children` (nodes or arrays of them), reusing what fits. */
export function patch(parent, children) {
  const wanted = [];
  const flat = (list) => {
    for (const c of list) {
      if (c == null || c === false || c === true) continue;
      if (Array.isArray(c)) flat(c);
      else wanted.push(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  };
  flat(Array.isArray(children) ? children : [children]);
  const keyed = new Map();
  for (const node of parent.childNodes) {
    const key = keyOf(node);
    if (key != null) keyed.set(key, node);
  }
  let cursor = parent.firstChild;
  for (const next of wanted) {
    const key = keyOf(next);
    let match = null;
    if (key != null) {
      match = keyed.get(key) ?? null;
      if (match && match.nodeName !== next.nodeName) match = null;
    } else if (cursor && sameKind(cursor, next)) {
      match = cursor;
    }
    if (match) {
      if (match !== cursor) parent.insertBefore(match, cursor);
      else cursor = cursor.nextSibling;
      if (key != null) keyed.delete(key);
      morph(match, next);
    } else {
      parent.insertBefore(next, cursor);
    }
  }
  while (cursor) {
    const gone = cursor;
    cursor = cursor.nextSibling;
    parent.removeChild(gone);
  }
}

// ---- formatting -----------------------------------------------------------------------------------

// Each toLocale…String call builds a formatter, the costliest part of drawing a message's time:
// these are built once, for the browser's locale, with the same options.
const DAY = new Intl.DateTimeFormat();
const TIME_OF_DAY = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit" });

export function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const t = TIME_OF_DAY.format(d);
  return sameDay ? t : `${DAY.format(d)} ${t}`;
}

/** The time of day alone ("3:04 PM", "15:04"), for follow-up messages' hover time. */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : TIME_OF_DAY.format(d);
}

export function initials(name) {
  return String(name ?? "?").trim().split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase() || "?";
}

/** A stable hue for avatars without pictures. */
export function hue(id) {
  let n = 0;
  for (const ch of String(id)) n = (n * 31 + ch.charCodeAt(0)) % 360;
  return n;
}

export function avatar(id, name, extra = "") {
  return h("span", { class: ["avatar", extra], style: { "--hue": hue(id) }, "aria-hidden": "true" }, initials(name));
}

export function roleColor(color) {
  if (typeof color === "number") return `#${color.toString(16).padStart(6, "0")}`;
  return typeof color === "string" && /^#[0-9a-f]{6}$/i.test(color) ? color : null;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
