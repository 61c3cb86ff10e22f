// The search overlay: Ctrl/Cmd+/ or the header's search button opens a
// modal with instant results as the user types (keyword, semantic or
// both), filters by kind, folder and mode, and a listbox navigated with
// the arrow keys. Queries go in the body of POST /api/v1/search, so text
// that quotes SQL or shell is searched like any other words.

import './search.css';
import { el, option } from './dom.js';

const DEBOUNCE_MS = 120;
const LIMIT = 20;
const MODE_KEY = 'quire.search.mode';

/** @param {any} app the App object main.js passes */
export function mountSearch(app) {
  const ui = build();
  const state = {
    open: false,
    returnFocus: /** @type {HTMLElement|null} */ (null),
    timer: 0,
    controller: /** @type {AbortController|null} */ (null),
    seq: 0,
    results: /** @type {any[]} */ ([]),
    active: -1,
    folders: new Map(),
    semanticOff: false,
    // pending: the results shown are not yet those of the input's text;
    // enterPending: Enter was pressed meanwhile, so open the first result
    // when they come.
    pending: false,
    enterPending: false,
  };

  function open() {
    if (state.open) {
      ui.input.focus();
      ui.input.select();
      return;
    }
    state.open = true;
    state.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ui.root.hidden = false;
    ui.input.setAttribute('aria-expanded', 'true');
    ui.input.focus();
    ui.input.select();
    loadFolders();
    if (ui.input.value.trim()) schedule(0);
  }

  /** @param {boolean} restore give focus back to what had it before */
  function close(restore = true) {
    if (!state.open) return;
    state.open = false;
    clearTimeout(state.timer);
    if (state.controller) state.controller.abort();
    state.pending = state.enterPending = false;
    ui.root.hidden = true;
    ui.input.setAttribute('aria-expanded', 'false');
    if (restore && state.returnFocus && state.returnFocus.isConnected) state.returnFocus.focus();
    state.returnFocus = null;
  }

  /** loadFolders fills the folder filter afresh each time the overlay opens. */
  async function loadFolders() {
    try {
      const res = await app.api('GET', '/api/v1/folders');
      state.folders = new Map((res.folders || []).map((f) => [f.folderId, f.name]));
      const keep = ui.folder.value;
      ui.folder.replaceChildren(option('', 'All folders'));
      for (const [id, name] of state.folders) ui.folder.append(option(id, name));
      ui.folder.value = state.folders.has(keep) ? keep : '';
    } catch (err) {
      // The filter stays at "All folders"; searching still works.
      void err;
    }
  }

  /** @param {number} delay */
  function schedule(delay = DEBOUNCE_MS) {
    clearTimeout(state.timer);
    state.pending = true;
    state.timer = window.setTimeout(run, delay);
  }

  async function run() {
    const q = ui.input.value.trim();
    if (state.controller) state.controller.abort();
    const seq = ++state.seq;
    if (!q) {
      state.controller = null;
      state.pending = state.enterPending = false;
      show([], '');
      setStatus('Type to search your notes, ideas and folders.');
      return;
    }
    const controller = new AbortController();
    state.controller = controller;
    const body = { q, mode: ui.mode.value, limit: LIMIT };
    if (ui.type.value) body.type = [ui.type.value];
    if (ui.folder.value) body.folderId = ui.folder.value;
    ui.root.setAttribute('aria-busy', 'true');
    try {
      let res;
      try {
        res = await app.api('POST', '/api/v1/search', body, { signal: controller.signal });
      } catch (err) {
        // A server without embeddings refuses semantic and hybrid search:
        // fall back to keywords once and say so.
        if (err && err.status === 400 && body.mode !== 'keyword' && /semantic/i.test(err.message || '')) {
          state.semanticOff = true;
          ui.mode.value = 'keyword';
          try {
            localStorage.setItem(MODE_KEY, 'keyword');
          } catch {
            // storage unavailable
          }
          for (const o of ui.mode.options) o.disabled = o.value !== 'keyword';
          body.mode = 'keyword';
          res = await app.api('POST', '/api/v1/search', body, { signal: controller.signal });
        } else {
          throw err;
        }
      }
      if (seq !== state.seq) return;
      state.pending = false;
      show(res.results || [], q);
      const n = res.total || 0;
      let msg = n === 0 ? 'No results.' : n === 1 ? '1 result.' : `${n} results.`;
      if (n > (res.results || []).length) msg = `${n} results; showing the best ${res.results.length}.`;
      if (state.semanticOff) msg += ' Semantic search is not configured; keyword results shown.';
      setStatus(msg);
      if (state.enterPending) {
        state.enterPending = false;
        if (state.results.length) choose(0);
      }
    } catch (err) {
      if (err && err.name === 'AbortError') return;
      if (seq !== state.seq) return;
      state.pending = state.enterPending = false;
      show([], q);
      setStatus(err && err.message ? err.message : 'Search failed.');
    } finally {
      if (seq === state.seq) ui.root.removeAttribute('aria-busy');
    }
  }

  /** @param {string} text */
  function setStatus(text) {
    ui.status.textContent = text;
  }

  /** @param {any[]} results @param {string} q */
  function show(results, q) {
    state.results = results;
    ui.list.dataset.query = q; // what the results answer
    state.active = results.length ? 0 : -1;
    const items = results.map((hit, i) => resultItem(hit, i, state.folders));
    ui.list.replaceChildren(...items);
    for (const li of items) {
      li.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the input
      li.addEventListener('click', () => choose(Number(li.dataset.index)));
    }
    highlight();
  }

  function highlight() {
    const items = ui.list.children;
    for (let i = 0; i < items.length; i++) {
      const on = i === state.active;
      items[i].classList.toggle('active', on);
      items[i].setAttribute('aria-selected', on ? 'true' : 'false');
    }
    const cur = state.active >= 0 ? items[state.active] : null;
    if (cur) {
      ui.input.setAttribute('aria-activedescendant', cur.id);
      cur.scrollIntoView({ block: 'nearest' });
    } else {
      ui.input.removeAttribute('aria-activedescendant');
    }
  }

  /** @param {number} i */
  function choose(i) {
    const hit = state.results[i];
    if (!hit) return;
    close(false);
    if (hit.type === 'note') {
      app.openNote(hit.id);
    } else if (hit.type === 'idea') {
      app.emit('show-idea', { ideaId: hit.id });
    } else if (hit.type === 'folder') {
      // The sidebar's row opens the folder, as a click on it would.
      const row = document.querySelector(`#sidebar [data-folder-id="${CSS.escape(hit.id)}"]`);
      const b = row && (row.querySelector('.folder-select') || row.querySelector('button:not([data-action])'));
      if (b instanceof HTMLElement) {
        b.click();
        b.focus();
      }
      app.emit('open-folder', { folderId: hit.id });
    }
  }

  // The match mode is remembered. Keywords are the default: the server
  // tells no one in advance whether semantic search is configured, and
  // asking costs a refused request.
  try {
    const saved = localStorage.getItem(MODE_KEY);
    if (saved && Array.from(ui.mode.options).some((o) => o.value === saved)) ui.mode.value = saved;
  } catch {
    // storage unavailable: keep the default
  }
  ui.mode.addEventListener('change', () => {
    try {
      localStorage.setItem(MODE_KEY, ui.mode.value);
    } catch {
      // storage unavailable: the choice lasts for this page
    }
  });
  ui.input.addEventListener('input', () => schedule());
  for (const sel of [ui.type, ui.folder, ui.mode]) sel.addEventListener('change', () => schedule(0));
  ui.input.addEventListener('keydown', (e) => {
    const n = state.results.length;
    if (e.key === 'ArrowDown' && n) {
      e.preventDefault();
      state.active = (state.active + 1) % n;
      highlight();
    } else if (e.key === 'ArrowUp' && n) {
      e.preventDefault();
      state.active = (state.active - 1 + n) % n;
      highlight();
    } else if (e.key === 'Home' && n && e.ctrlKey) {
      e.preventDefault();
      state.active = 0;
      highlight();
    } else if (e.key === 'End' && n && e.ctrlKey) {
      e.preventDefault();
      state.active = n - 1;
      highlight();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (state.pending) state.enterPending = true;
      else if (n) choose(state.active >= 0 ? state.active : 0);
    }
  });
  ui.root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'Tab') {
      trapFocus(ui.dialog, e);
    }
  });
  ui.root.addEventListener('mousedown', (e) => {
    if (e.target === ui.root) close();
  });
  ui.close.addEventListener('click', () => close());
  // Another shortcut that takes the focus elsewhere (quick idea capture)
  // closes the overlay rather than leave a modal behind.
  document.addEventListener('focusin', (e) => {
    if (state.open && e.target instanceof Node && !ui.root.contains(e.target)) close(false);
  });

  const button = document.getElementById('open-search');
  if (button) {
    button.setAttribute('aria-haspopup', 'dialog');
    button.setAttribute('aria-keyshortcuts', 'Control+/ Meta+/');
    button.addEventListener('click', open);
  }
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === '/' || e.code === 'Slash')) {
      e.preventDefault();
      e.stopPropagation();
      if (state.open) close();
      else open();
    }
  }, true);
  app.on('notes-changed', () => { if (state.open && ui.input.value.trim()) schedule(); });
}

/** build makes the overlay's elements, hidden, in #overlay. */
function build() {
  const root = el('div', 'search-overlay');
  root.id = 'search-overlay';
  root.hidden = true;
  const dialog = el('div', 'search-dialog');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-labelledby', 'search-title');

  const head = el('div', 'search-head');
  const title = el('h2', 'visually-hidden', 'Search');
  title.id = 'search-title';
  const input = /** @type {HTMLInputElement} */ (el('input', 'search-input'));
  input.id = 'search-input';
  input.type = 'search';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.placeholder = 'Search notes, ideas and folders';
  input.setAttribute('aria-label', 'Search notes, ideas and folders');
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', 'search-results');
  input.setAttribute('aria-autocomplete', 'list');
  input.maxLength = 1024;
  const close = el('button', 'search-close', 'Close');
  close.type = 'button';
  close.setAttribute('aria-label', 'Close search');
  head.append(title, input, close);

  const filters = el('div', 'search-filters');
  const type = select('search-type', 'Kind', [['', 'Everything'], ['note', 'Notes'], ['idea', 'Ideas'], ['folder', 'Folders']]);
  const folder = select('search-folder', 'Folder', [['', 'All folders']]);
  const mode = select('search-mode', 'Match', [['keyword', 'Keywords'], ['hybrid', 'Keywords + meaning'], ['semantic', 'Meaning']]);
  filters.append(type.label, folder.label, mode.label);

  const status = el('p', 'search-status', 'Type to search your notes, ideas and folders.');
  status.id = 'search-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  const list = el('ul', 'search-results');
  list.id = 'search-results';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Results');
  const hint = el('p', 'search-hint', '↑ ↓ to move · Enter to open · Esc to close');
  hint.setAttribute('aria-hidden', 'true');

  dialog.append(head, filters, status, list, hint);
  root.append(dialog);
  (document.getElementById('overlay') || document.body).append(root);
  return { root, dialog, input, close, type: type.select, folder: folder.select, mode: mode.select, status, list };
}

/**
 * resultItem renders one hit as a listbox option: kind, title, snippet
 * and score, the matched words marked. Server text only ever becomes
 * text nodes.
 * @param {any} hit @param {number} i @param {Map<string,string>} folders
 */
function resultItem(hit, i, folders) {
  const li = el('li', 'search-result');
  li.id = 'search-option-' + i;
  li.dataset.index = String(i);
  li.setAttribute('role', 'option');
  li.dataset[hit.type === 'note' ? 'noteId' : hit.type === 'idea' ? 'ideaId' : 'folderId'] = hit.id;
  li.dataset.type = hit.type;

  const top = el('div', 'search-result-top');
  const kind = el('span', 'search-kind search-kind-' + hit.type, kindName(hit.type));
  const title = el('span', 'search-title');
  const t = hit.title && hit.title.text ? hit.title : null;
  if (t) title.append(highlighted(t));
  else title.textContent = hit.type === 'idea' ? 'Idea' : 'Untitled';
  const score = el('span', 'search-score', formatScore(hit.score));
  score.title = 'Relevance score';
  score.setAttribute('aria-label', 'score ' + formatScore(hit.score));
  top.append(kind, title, score);
  li.append(top);

  if (hit.body && hit.body.text) {
    const snip = el('div', 'search-snippet');
    snip.append(highlighted(hit.body));
    li.append(snip);
  }
  const meta = [];
  if (hit.folderId && folders.has(hit.folderId)) meta.push(folders.get(hit.folderId));
  if (hit.updatedAt) {
    const d = new Date(hit.updatedAt);
    if (!Number.isNaN(d.getTime())) meta.push(d.toLocaleDateString());
  }
  if (meta.length) li.append(el('div', 'search-meta', meta.join(' · ')));
  return li;
}

/** @param {string} type */
function kindName(type) {
  return type === 'note' ? 'Note' : type === 'idea' ? 'Idea' : type === 'folder' ? 'Folder' : type;
}

/** @param {number} s */
function formatScore(s) {
  if (typeof s !== 'number' || !Number.isFinite(s)) return '–';
  return s >= 100 ? s.toFixed(0) : s >= 1 ? s.toFixed(2) : s.toFixed(3);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * highlighted builds a Highlight's text with its matched byte ranges in
 * <mark>, and an ellipsis where the text was cut.
 * @param {{text: string, ranges?: number[][], before?: boolean, after?: boolean}} h
 */
export function highlighted(h) {
  const frag = document.createDocumentFragment();
  if (h.before) frag.append('…');
  const bytes = encoder.encode(h.text);
  const ranges = (h.ranges || [])
    .filter((r) => Array.isArray(r) && r.length === 2 && r[0] < r[1])
    .sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end > bytes.length) continue;
    if (start > at) frag.append(decoder.decode(bytes.subarray(at, start)));
    const mark = document.createElement('mark');
    mark.textContent = decoder.decode(bytes.subarray(start, end));
    frag.append(mark);
    at = end;
  }
  if (at < bytes.length) frag.append(decoder.decode(bytes.subarray(at)));
  if (h.after) frag.append('…');
  return frag;
}

/**
 * trapFocus keeps Tab and Shift+Tab inside container.
 * @param {HTMLElement} container @param {KeyboardEvent} e
 */
export function trapFocus(container, e) {
  const focusable = Array.from(container.querySelectorAll(
    'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])',
  )).filter((x) => x instanceof HTMLElement && !x.hidden && x.offsetParent !== null);
  if (!focusable.length) return;
  const first = /** @type {HTMLElement} */ (focusable[0]);
  const last = /** @type {HTMLElement} */ (focusable[focusable.length - 1]);
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  } else if (!container.contains(document.activeElement)) {
    e.preventDefault();
    first.focus();
  }
}

/** @param {string} id @param {string} label @param {string[][]} options */
function select(id, label, options) {
  const l = el('label', 'search-filter');
  const s = /** @type {HTMLSelectElement} */ (document.createElement('select'));
  s.id = id;
  for (const [v, t] of options) s.append(option(v, t));
  l.append(el('span', 'search-filter-name', label), s);
  return { label: l, select: s };
}
