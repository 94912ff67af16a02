// @ts-check
// A small modal dialog in place of the browser's confirm()/prompt(): one question at a time,
// focus kept inside it, Esc (or the backdrop, or Cancel) cancels, Enter confirms. It lives
// outside the patched view regions, so re-renders underneath never disturb it.
//
//   const reason = await ask(app, {title: "Ban bob?", input: {label: "Reason (optional)"}, confirm: "Ban"});
//   if (reason == null) return;   // cancelled: the modal already said so in a toast
//
// `ask` resolves with the text typed (with `input`), or true (without), or null when cancelled.

import { h } from "./dom.js";

const FOCUSABLE = "input, textarea, select, button, [href], [tabindex]:not([tabindex='-1'])";
let seq = 0;

/**
 * Options: `title`, `body` (text or nodes), `confirm` (button label), `danger` (red confirm),
 * `input` ({label, value, placeholder, maxlength, required, multiline}), `match` (the input must
 * equal this text before Confirm is enabled), `cancelled` (the toast shown on dismissal, or
 * false for none).
 */
export function ask(app, opts) {
  const doc = app.doc;
  const id = `modal-${++seq}`;
  const before = doc.activeElement;
  const field = opts.input
    ? h(opts.input.multiline ? "textarea" : "input", {
      id: `${id}-input`, name: "value", maxlength: opts.input.maxlength ?? 1000, placeholder: opts.input.placeholder ?? null,
      required: !!(opts.input.required || opts.match), autocomplete: "off", rows: opts.input.multiline ? 3 : null,
    })
    : null;
  if (field && opts.input.value) field.value = opts.input.value;
  const ok = h("button", { type: "submit", class: opts.danger ? "danger" : "primary" }, opts.confirm ?? "OK");
  const cancel = h("button.ghost", { type: "button" }, opts.cancel ?? "Cancel");
  const form = h("form.modal.stack", {
    role: "dialog", "aria-modal": "true", "aria-labelledby": `${id}-title`, "aria-describedby": opts.body ? `${id}-body` : null,
  },
  h("h2", { id: `${id}-title` }, opts.title),
  opts.body ? h("div.modal-body", { id: `${id}-body` }, opts.body) : null,
  field ? h("label", { for: field.id }, opts.input.label) : null, field,
  h("div.row.modal-buttons", cancel, ok));
  const backdrop = h("div.modal-backdrop", form);
  const sync = () => {
    ok.disabled = opts.match != null ? field.value.trim() !== opts.match : !!(opts.input?.required && !field.value.trim());
  };
  if (field) {
    field.addEventListener("input", sync);
    sync();
  }
  return new Promise((resolve) => {
    const close = (value) => {
      backdrop.remove();
      if (before?.isConnected) before.focus();
      if (value == null && opts.cancelled !== false) app.toast(opts.cancelled ?? `${opts.confirm ?? "Action"} cancelled.`, "info");
      resolve(value);
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      event.stopPropagation(); // the app's delegated submit handler is for its own forms
      if (ok.disabled) return;
      close(field ? field.value.trim() : true);
    });
    cancel.addEventListener("click", () => close(null));
    backdrop.addEventListener("mousedown", (event) => {
      if (event.target === backdrop) close(null);
    });
    form.addEventListener("keydown", (event) => {
      event.stopPropagation(); // Esc here is the modal's, not the panel's underneath
      if (event.key === "Escape") {
        event.preventDefault();
        close(null);
      } else if (event.key === "Enter" && !event.shiftKey && event.target.tagName !== "BUTTON") {
        event.preventDefault(); // Enter confirms from anywhere but another button (or a new line)
        form.requestSubmit();
      } else if (event.key === "Tab") {
        const items = [...form.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled);
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
    form.addEventListener("click", (event) => event.stopPropagation());
    doc.body.append(backdrop);
    (field ?? ok).focus();
  });
}

/** A yes/no question: true when confirmed, false when cancelled. */
export async function confirmAction(app, opts) {
  return (await ask(app, opts)) === true;
}
