// @ts-check
// A small modal dialog in place of the browser's confirm()/prompt(): one question at a time,
// focus kept inside it, Esc (or the backdrop, or Cancel) cancels, Enter confirms. It lives
// outside the patched view regions, so re-renders underneath never disturb it.
//
//   const reason = await ask(app, {title: "Ban bob?", input: {label: "Reason (optional)"}, confirm: "Ban"});
//   if (reason == null) return;   // cancelled: the modal already said so in a toast
//
// `ask` resolves with the text typed (with `input`), or true (without), or null when cancelled;
// `form` asks for several fields at once (a bot's modal) and resolves with their values.

import { h } from "./dom.js";

const FOCUSABLE = "input, textarea, select, button, [href], [tabindex]:not([tabindex='-1'])";
let seq = 0;

/**
 * Options: `title`, `body` (text or nodes), `confirm` (button label), `danger` (red confirm),
 * `input` ({label, value, placeholder, maxlength, required, multiline}), `match` (the input must
 * equal this text before Confirm is enabled), `cancelled` (the toast shown on dismissal, or
 * false for none).
 */
export async function ask(app, opts) {
  const fields = opts.input ? [{ maxlength: 1000, ...opts.input, name: "value", required: !!(opts.input.required || opts.match) }] : [];
  const values = await dialog(app, opts, fields, false);
  return values == null ? null : opts.input ? values.value : true;
}

/**
 * A form of several fields, each `{name, label, value, placeholder, minlength, maxlength,
 * required, multiline}`, whose rules ("Required · 2-45 characters") show under each label and
 * keep the confirm button disabled until every field keeps them. Resolves with `{name: text}`
 * (trimmed), or null when cancelled.
 */
export function form(app, opts) {
  return dialog(app, opts, opts.fields, true);
}

/** What a field's rules are, in words. */
function rules(f) {
  const low = f.minlength ?? 0;
  const high = f.maxlength;
  const size = low && high ? `${low}-${high} characters` : low ? `at least ${low} characters` : high ? `up to ${high} characters` : "";
  return [f.required ? "Required" : "Optional", size].filter(Boolean).join(" · ");
}

/** Whether a field's text keeps its rules (an optional one may stay empty). */
function keeps(f, text) {
  if (!text) return !f.required;
  return text.length >= (f.minlength ?? 0) && text.length <= (f.maxlength ?? Infinity);
}

function dialog(app, opts, fields, showRules) {
  const doc = app.doc;
  const id = `modal-${++seq}`;
  const before = doc.activeElement;
  const inputs = fields.map((f, i) => {
    const el = h(f.multiline ? "textarea" : "input", {
      id: fields.length === 1 && !showRules ? `${id}-input` : `${id}-${i}`, name: f.name, maxlength: f.maxlength ?? null,
      minlength: f.minlength || null, placeholder: f.placeholder ?? null, required: !!f.required, autocomplete: "off",
      rows: f.multiline ? 3 : null, "aria-describedby": showRules ? `${id}-${i}-rules` : null,
    });
    if (f.value) el.value = f.value;
    return el;
  });
  const hints = fields.map((f, i) => (showRules ? h("div.field-rules", { id: `${id}-${i}-rules` }, rules(f)) : null));
  const ok = h("button", { type: "submit", class: opts.danger ? "danger" : "primary" }, opts.confirm ?? "OK");
  const cancel = h("button.ghost", { type: "button" }, opts.cancel ?? "Cancel");
  const box = h("form.modal.stack", {
    role: "dialog", "aria-modal": "true", "aria-labelledby": `${id}-title`, "aria-describedby": opts.body ? `${id}-body` : null,
  },
  h("h2", { id: `${id}-title` }, opts.title),
  opts.body ? h("div.modal-body", { id: `${id}-body` }, opts.body) : null,
  fields.map((f, i) => [h("label", { for: inputs[i].id }, f.label), hints[i], inputs[i]]),
  h("div.row.modal-buttons", cancel, ok));
  const backdrop = h("div.modal-backdrop", box);
  const sync = () => {
    let valid = true;
    fields.forEach((f, i) => {
      const text = inputs[i].value.trim();
      const good = opts.match != null ? text === opts.match : keeps(f, text);
      hints[i]?.classList.toggle("invalid", !good && inputs[i].value !== "");
      valid &&= good;
    });
    ok.disabled = !valid;
  };
  for (const el of inputs) el.addEventListener("input", sync);
  sync();
  return new Promise((resolve) => {
    const close = (value) => {
      backdrop.remove();
      if (before?.isConnected) before.focus();
      if (value == null && opts.cancelled !== false) app.toast(opts.cancelled ?? `${opts.confirm ?? "Action"} cancelled.`, "info");
      resolve(value);
    };
    box.addEventListener("submit", (event) => {
      event.preventDefault();
      event.stopPropagation(); // the app's delegated submit handler is for its own forms
      if (ok.disabled) return;
      close(Object.fromEntries(fields.map((f, i) => [f.name, inputs[i].value.trim()])));
    });
    cancel.addEventListener("click", () => close(null));
    backdrop.addEventListener("mousedown", (event) => {
      if (event.target === backdrop) close(null);
    });
    box.addEventListener("keydown", (event) => {
      event.stopPropagation(); // Esc here is the modal's, not the panel's underneath
      if (event.key === "Escape") {
        event.preventDefault();
        close(null);
      } else if (event.key === "Enter" && !event.shiftKey && event.target.tagName !== "BUTTON" && !(showRules && event.target.tagName === "TEXTAREA")) {
        // Enter confirms from anywhere but another button (or a new line); in a form's paragraph it is a new line.
        event.preventDefault();
        box.requestSubmit();
      } else if (event.key === "Tab") {
        const items = [...box.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled);
        const first = items[0];
        const last = items[items.length - 1];
        if (event.shiftKey && doc.activeElement === first) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && doc.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }
    });
    // The app listens for clicks on the document: keep the modal's own clicks to itself.
    box.addEventListener("click", (event) => event.stopPropagation());
    doc.body.append(backdrop);
    (inputs[0] ?? ok).focus();
  });
}

/** A yes/no question: true when confirmed, false when cancelled. */
export async function confirmAction(app, opts) {
  return (await ask(app, opts)) === true;
}
