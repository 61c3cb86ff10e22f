// Small DOM helpers shared by the shell's modules. Everything is built with
// createElement and textContent: no HTML strings, no inline styles or event
// attributes (the Content-Security-Policy forbids them).

/**
 * h builds an element. attrs: `class`, `text` (textContent), functions under
 * `on…` names become event listeners, true/false toggle boolean attributes,
 * anything else is set with setAttribute. Children are nodes or strings;
 * null and false are skipped.
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node|string|null|false|undefined)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'style' || /^on[a-z]+$/.test(k) && typeof v !== 'function') {
      throw new Error(`h: attribute ${k} is not allowed`);
    }
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

/** clear removes every child of el. */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** when formats an ISO time briefly: the time today, else the day. */
export function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return timeFmt.format(d);
  return dayFmt.format(d);
}

/** fullTime formats an ISO time in full, for titles and version lists. */
export function fullTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dateFmt.format(d);
}

/**
 * modal shows a <dialog> built by build(dialog, close) in the overlay root
 * and resolves with the value passed to close (null when dismissed with
 * Escape or Cancel). Focus returns to where it was.
 * @template T
 * @param {(dialog: HTMLDialogElement, close: (v: T|null) => void) => void} build
 * @returns {Promise<T|null>}
 */
export function modal(build, { id, label } = {}) {
  const root = document.getElementById('overlay') || document.body;
  const before = document.activeElement;
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'modal', id: id || null, 'aria-label': label || null });
    let done = false;
    const close = (v) => {
      if (done) return;
      done = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      if (before && typeof before.focus === 'function' && before.isConnected) before.focus();
      resolve(v);
    };
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(null);
    });
    build(dialog, close);
    root.append(dialog);
    dialog.showModal();
  });
}

/** confirmDialog asks a yes/no question; resolves true on yes. */
export function confirmDialog(message, yes = 'Delete') {
  return modal((dialog, close) => {
    const ok = h('button', { type: 'button', class: 'danger', text: yes, onclick: () => close(true) });
    dialog.append(
      h('p', { class: 'modal-message', text: message }),
      h('div', { class: 'modal-actions' },
        h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => close(false) }), ok));
    queueMicrotask(() => ok.focus());
  }, { id: 'confirm-dialog', label: message }).then((v) => v === true);
}

/**
 * askText asks for one line of text; resolves with it trimmed, or null.
 * @param {{title: string, label: string, value?: string, submit: string, id?: string, type?: string}} o
 */
export function askText(o) {
  return modal((dialog, close) => {
    const inputId = (o.id || 'ask') + '-input';
    const input = h('input', { id: inputId, type: o.type || 'text', value: o.value || '', required: true, autocomplete: 'off' });
    const form = h('form', { method: 'dialog', class: 'modal-form' },
      h('h2', { text: o.title }),
      h('label', { for: inputId, text: o.label }),
      input,
      h('div', { class: 'modal-actions' },
        h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => close(null) }),
        h('button', { type: 'submit', text: o.submit })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (v) close(v);
    });
    dialog.append(form);
    queueMicrotask(() => {
      input.focus();
      input.select();
    });
  }, { id: o.id, label: o.title });
}

/**
 * el is an element with an optional class and text.
 * @param {string} tag @param {string} [cls] @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * button is a type="button" button with a class and a label.
 * @param {string} text @param {string} cls
 */
export function button(text, cls) {
  const b = /** @type {HTMLButtonElement} */ (el('button', cls, text));
  b.type = 'button';
  return b;
}

/**
 * option is a select's option.
 * @param {string} value @param {string} text
 */
export function option(value, text) {
  const o = /** @type {HTMLOptionElement} */ (el('option', '', text));
  o.value = value;
  return o;
}
