// The note editor: a title field and a Tiptap editor over the note's
// markdown, saved 750 ms after the last keystroke with the version it was
// read at. A conflicting save keeps the local text and offers both ways out;
// a save that cannot reach the server is kept in this browser and sent when
// the connection is back.

import { Editor, Extension } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { Markdown } from '@tiptap/markdown';
import { h } from './dom.js';

/** The exact texts of #save-status. */
export const STATUS = Object.freeze({
  saving: 'Saving…',
  saved: 'Saved',
  offline: 'Offline — saved on this device',
  conflict: 'Conflict — reload to see the other version',
  readOnly: 'Read-only',
  failed: 'Not saved',
});

/** How long after the last keystroke a save starts. */
const SAVE_DELAY = 750;

/** How often notes kept on this device are offered to the server again. */
const RETRY_EVERY = 30_000;

/**
 * The localStorage key of the notes saved on this device while offline is
 * this prefix and the signed-in user's ID (#app's data-user): each account
 * on a shared browser has its own queue, and never reads, sends or drops
 * another's. Without a user there is no queue.
 */
const OFFLINE_PREFIX = 'quire.offline-notes.';

/** offlineKey is the signed-in user's queue key, or '' if the page names no user. */
function offlineKey() {
  const user = document.getElementById('app')?.dataset.user || '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(user) ? OFFLINE_PREFIX + user : '';
}

/** readOffline returns the signed-in user's queued notes by ID. */
function readOffline() {
  const key = offlineKey();
  if (!key) return {};
  try {
    const v = JSON.parse(localStorage.getItem(key) || '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function writeOffline(q) {
  const key = offlineKey();
  if (!key) return false;
  try {
    if (Object.keys(q).length === 0) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(q));
    return true;
  } catch {
    return false; // storage full or refused: the text stays in the editor
  }
}

/**
 * queueOffline keeps {id, share, title, body, version, conflict?} until it
 * can be sent. An entry marked conflict was refused as stale: it waits for
 * the user to open its note and choose, and is not sent on its own.
 */
function queueOffline(entry) {
  const q = readOffline();
  q[entry.id] = { ...entry, at: new Date().toISOString() };
  return writeOffline(q);
}

/**
 * dropOffline forgets a queued note; with sent, only if the entry is still
 * the text that was sent (a newer one stays queued).
 */
function dropOffline(id, sent) {
  const q = readOffline();
  const e = q[id];
  if (!e) return;
  if (sent && (e.title !== sent.title || e.body !== sent.body)) return;
  delete q[id];
  writeOffline(q);
}

/**
 * settleOffline forgets a queued note once its text reached the server at
 * version; an entry written since (newer text) stays, moved on to version,
 * as it was written on top of what was sent.
 */
function settleOffline(id, sent, version) {
  const q = readOffline();
  const e = q[id];
  if (!e) return;
  if (e.title === sent.title && e.body === sent.body) delete q[id];
  else if (!(e.version >= version)) e.version = version;
  writeOffline(q);
}

/** markConflict marks a queued note as refused as stale; reports whether it was unmarked. */
function markConflict(id) {
  const q = readOffline();
  if (!q[id] || q[id].conflict) return false;
  q[id].conflict = true;
  writeOffline(q);
  return true;
}

/** notePath is the API path of a note, own or in a folder shared with me. */
function notePath(id, share) {
  return share
    ? `/api/v1/shared/${encodeURIComponent(share)}/notes/${encodeURIComponent(id)}`
    : `/api/v1/notes/${encodeURIComponent(id)}`;
}

/** The only kinds of address a link in a note may have. */
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * allowedUri reports whether a link address may stay a link: http(s) or
 * mailto, or relative to this page. It asks the URL parser, as the
 * browser would, so `java\tscript:` and the like are refused too.
 */
function allowedUri(url) {
  if (typeof url !== 'string' || !url.trim()) return false;
  try {
    return LINK_PROTOCOLS.has(new URL(url, window.location.href).protocol);
  } catch {
    return false;
  }
}

/**
 * SafeMarkdownLinks reads markdown links ([x](…), <…> and bare addresses)
 * before the Link extension does, and keeps only those allowedUri accepts;
 * any other one stays its text, with no link. (Link checks the addresses
 * of pasted HTML itself, but takes a markdown link's address as it is.)
 */
const SafeMarkdownLinks = Extension.create({
  name: 'quireSafeMarkdownLinks',
  priority: 1001, // above Link's, so this is the handler of 'link' tokens
  markdownTokenName: 'link',
  parseMarkdown: (token, helpers) => {
    const content = helpers.parseInline(token.tokens || []);
    if (!allowedUri(token.href)) return content;
    return helpers.applyMark('link', content, { href: token.href, title: token.title || null });
  },
});

/**
 * EDITOR_HTML_MARK matches the only HTML the editor writes itself: where
 * bold and italic overlap in a way markdown cannot say, the serializer
 * closes one and opens it again as a bare <strong> or <em> (underline is
 * always <u>…</u>, which the Underline extension reads on its own).
 */
const EDITOR_HTML_MARK = /^<(em|strong)>([\s\S]*?)<\/\1>/;

/**
 * literalHTML makes the markdown reader take raw HTML in a note (`<img …>`,
 * `<script>`, `<b>x</b>`, comments) as the text it is: marked's block
 * `html` and inline `tag` rules never match, so such text reaches the editor
 * as characters and is saved back escaped, like any `<` typed in the editor.
 * Otherwise @tiptap/markdown hands every HTML token to the browser's
 * DOMParser to map it onto the schema, which reports the page's CSP for
 * each on…= attribute, drops what the schema lacks, and turns <b>, <a href>
 * and the like into formatting. The bare <em>…</em> and <strong>…</strong>
 * the editor writes are read as italic and bold marks by a rule of their
 * own, their insides as markdown, with no HTML parser involved.
 * @param {Editor} editor
 */
function literalHTML(editor) {
  const md = /** @type {any} */ (editor).markdown;
  if (!md || !md.instance || typeof md.instance.use !== 'function') {
    throw new Error('editor: the markdown reader cannot be configured');
  }
  md.instance.use({
    // A tokenizer that returns nothing makes marked go on to its other
    // rules: a block of HTML is read as a paragraph, an inline tag as text.
    tokenizer: { html: () => undefined, tag: () => undefined },
    extensions: [{
      name: 'quireEditorHtmlMark',
      level: 'inline',
      start(src) {
        const i = src.search(/<(em|strong)>/);
        return i < 0 ? undefined : i;
      },
      tokenizer(src) {
        const m = EDITOR_HTML_MARK.exec(src);
        if (!m) return undefined;
        // 'em' and 'strong' are marked's own token types, which the Italic
        // and Bold extensions read.
        return { type: m[1], raw: m[0], text: m[2], tokens: this.lexer.inlineTokens(m[2]) };
      },
    }],
  });
}

/** safeHref returns an http(s) or mailto URL for what the user typed, or null. */
function safeHref(raw) {
  let v = raw.trim();
  if (!v) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(v)) v = 'https://' + v;
  try {
    const u = new URL(v);
    return LINK_PROTOCOLS.has(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * createEditor builds the editor into root (#editor-pane).
 * @param {import('./main.js').App} app
 * @param {HTMLElement} root
 * @param {{onClose: () => void}} opts
 */
export function createEditor(app, root, opts) {
  // ---- layout ----
  const back = h('button', { type: 'button', class: 'secondary small only-narrow', text: '← Notes' });
  const status = h('span', { id: 'save-status', role: 'status', 'aria-live': 'polite' });
  const loadTheirs = h('button', { type: 'button', id: 'load-theirs', class: 'secondary small', text: 'Load theirs' });
  const overwrite = h('button', { type: 'button', id: 'overwrite', class: 'small', text: 'Overwrite' });
  const conflictBox = h('span', { class: 'conflict-actions', hidden: true }, loadTheirs, overwrite);
  const historyButton = h('button', {
    type: 'button', id: 'history-button', class: 'secondary small', 'aria-expanded': 'false', 'aria-controls': 'versions-pane', text: 'History',
  });
  const title = h('input', {
    id: 'note-title', class: 'note-title-input', type: 'text', 'aria-label': 'Title', placeholder: 'Untitled', maxlength: '1024', autocomplete: 'off',
  });
  const tools = [
    ['bold', 'B', 'Bold (Ctrl+B)', (c) => c.toggleBold()],
    ['italic', 'I', 'Italic (Ctrl+I)', (c) => c.toggleItalic()],
    ['underline', 'U', 'Underline (Ctrl+U)', (c) => c.toggleUnderline()],
    ['strike', 'S', 'Strikethrough', (c) => c.toggleStrike()],
    ['code', '</>', 'Code (Ctrl+E)', (c) => c.toggleCode()],
    ['h1', 'H1', 'Heading 1 (Alt+1)', (c) => c.toggleHeading({ level: 1 })],
    ['h2', 'H2', 'Heading 2 (Alt+2)', (c) => c.toggleHeading({ level: 2 })],
    ['bulletList', '• List', 'Bulleted list', (c) => c.toggleBulletList()],
    ['orderedList', '1. List', 'Numbered list', (c) => c.toggleOrderedList()],
    ['blockquote', '“ ”', 'Quote', (c) => c.toggleBlockquote()],
    ['codeBlock', '{ }', 'Code block', (c) => c.toggleCodeBlock()],
    ['link', 'Link', 'Link (Ctrl+K)', null],
    ['hr', '—', 'Horizontal rule', (c) => c.setHorizontalRule()],
  ];
  const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Formatting', 'aria-controls': 'note-body' });
  for (const [name, label, tip, run] of tools) {
    const b = h('button', { type: 'button', class: 'tool', 'data-tool': name, title: tip, 'aria-label': tip.replace(/ \(.*\)$/, ''), text: label });
    b.addEventListener('mousedown', (e) => e.preventDefault()); // keep the editor's selection
    b.addEventListener('click', () => {
      if (!editor.isEditable) return;
      if (name === 'link') openLinkForm();
      else run(editor.chain().focus()).run();
    });
    if (name !== 'link' && name !== 'hr') b.setAttribute('aria-pressed', 'false');
    toolbar.append(b);
  }
  // One tab stop for the toolbar; the arrow keys move along it (the ARIA
  // toolbar pattern).
  const toolButtons = [...toolbar.querySelectorAll('button')];
  toolButtons.forEach((b, i) => b.setAttribute('tabindex', i === 0 ? '0' : '-1'));
  toolbar.addEventListener('keydown', (e) => {
    const i = toolButtons.indexOf(/** @type {any} */ (document.activeElement));
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: toolButtons.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const j = (next + toolButtons.length) % toolButtons.length;
    toolButtons[i].setAttribute('tabindex', '-1');
    toolButtons[j].setAttribute('tabindex', '0');
    toolButtons[j].focus();
  });
  const linkInput = h('input', { id: 'link-url', type: 'text', inputmode: 'url', placeholder: 'https://…', autocomplete: 'off' });
  const linkForm = h('form', { id: 'link-form', class: 'link-form', hidden: true },
    h('label', { for: 'link-url', text: 'Link address' }), linkInput,
    h('button', { type: 'submit', class: 'small', text: 'Apply' }),
    h('button', { type: 'button', class: 'secondary small', 'data-action': 'unlink', text: 'Remove link' }),
    h('button', { type: 'button', class: 'secondary small', 'data-action': 'cancel', text: 'Cancel' }));
  const body = h('div', { id: 'note-body', class: 'note-body' });
  const versionsHost = h('section', { id: 'versions-pane', class: 'versions-pane', hidden: true, 'aria-label': 'Version history' });
  const folderSelect = h('select', { id: 'note-folder', class: 'note-folder', 'aria-label': 'Folder of this note' });
  const bar = h('div', { class: 'editor-bar' }, back, status, conflictBox, folderSelect, historyButton);
  const sheet = h('div', { class: 'editor', hidden: true }, bar, title, toolbar, linkForm, body, versionsHost);
  const empty = h('div', { class: 'editor-empty' },
    h('p', { text: 'Pick a note from the list, or create one with New note.' }));
  root.append(empty, sheet);

  // ---- state ----
  /** @type {{id: string, title: string, folder_id: string|null, version: number, share?: string, writable: boolean}|null} */
  let note = null;
  let savedTitle = '';
  let savedBody = '';
  let timer = 0;
  /** @type {Promise<void>|null} */
  let saving = null;
  let again = false;
  /** @type {{currentVersion?: number}|null} */
  let conflict = null;
  let loadingContent = false;
  /** Set while the page goes, for the one save sent then. */
  let unloading = false;

  const Shortcuts = Extension.create({
    name: 'quireShortcuts',
    addKeyboardShortcuts() {
      return {
        'Alt-1': () => this.editor.commands.toggleHeading({ level: 1 }),
        'Alt-2': () => this.editor.commands.toggleHeading({ level: 2 }),
        'Mod-k': () => {
          openLinkForm();
          return true;
        },
      };
    },
  });

  const editor = new Editor({
    element: body,
    injectCSS: false,
    extensions: [
      StarterKit.configure({
        heading: { levels: [1, 2, 3, 4, 5, 6] },
        link: {
          openOnClick: false, autolink: true, defaultProtocol: 'https', HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: '_blank' },
          isAllowedUri: (url) => allowedUri(url),
        },
      }),
      Markdown,
      SafeMarkdownLinks,
      Shortcuts,
    ],
    content: '',
    contentType: 'markdown',
    editorProps: {
      attributes: { 'aria-label': 'Note text', 'aria-multiline': 'true', role: 'textbox', class: 'prose' },
    },
    onUpdate: () => {
      if (!loadingContent) changed();
    },
    onTransaction: () => updateToolbar(),
  });
  literalHTML(editor);

  function setStatus(text) {
    if (status.textContent !== text) status.textContent = text;
    status.dataset.state = Object.keys(STATUS).find((k) => STATUS[k] === text) || '';
  }

  function ref(n = note) {
    if (!n) return null;
    const r = { id: n.id, title: n.title, folder_id: n.folder_id, version: n.version };
    if (n.share) r.share = n.share;
    return r;
  }

  function isDirty() {
    return !!note && (title.value !== savedTitle || editor.getMarkdown() !== savedBody);
  }

  function changed() {
    if (!note || !note.writable) return;
    clearTimeout(timer);
    if (conflict) return; // the text is kept; the user picks a way out
    setStatus(STATUS.saving);
    timer = setTimeout(() => save(), SAVE_DELAY);
  }

  /** save sends the title and body now; resolves when nothing is pending. */
  function save() {
    clearTimeout(timer);
    if (!note || !note.writable || conflict) return Promise.resolve();
    if (saving) {
      again = true;
      return saving;
    }
    const n = note;
    const t = title.value;
    const b = editor.getMarkdown();
    if (t === savedTitle && b === savedBody) {
      // The server has this text: whatever was kept on this device for the
      // note is older (typed, then undone) and must not be sent later.
      dropOffline(n.id);
      setStatus(STATUS.saved);
      return Promise.resolve();
    }
    setStatus(STATUS.saving);
    saving = (async () => {
      let next = STATUS.saved;
      try {
        // A save as the page goes must outlive it (keepalive carries 64 KiB
        // at most; a longer note stays kept on the device).
        const keepalive = unloading && t.length + b.length < 60_000;
        const res = await app.api('PATCH', notePath(n.id, n.share), { title: t, content: b, version: n.version }, keepalive ? { keepalive } : {});
        // A pin answered meanwhile may have moved the version on further.
        n.version = Math.max(n.version, res.version);
        n.title = res.title;
        n.folder_id = res.folderId;
        if (n === note) {
          savedTitle = t;
          savedBody = b;
        }
        settleOffline(n.id, { title: t, body: b }, n.version);
        app.emit('note-saved', { note: ref(n) });
      } catch (err) {
        if (err && err.code === 'version_conflict') {
          if (n === note) showConflict(err);
          // Another note is open by now: keep this text on the device for
          // when this one is opened again, where the user chooses.
          else queueOffline({ id: n.id, share: n.share || null, title: t, body: b, version: n.version, conflict: true });
          next = STATUS.conflict;
        } else if (err && (err.offline || err.status >= 500 || err.status === 401)) {
          // Unreachable, failing, or signed out: keep the text here and send
          // it when the connection (or the session) is back.
          next = queueOffline({ id: n.id, share: n.share || null, title: t, body: b, version: n.version }) ? STATUS.offline : STATUS.failed;
        } else {
          next = STATUS.failed;
          app.toast((err && err.message) || 'The note could not be saved.', 'error');
        }
      } finally {
        saving = null;
      }
      if (n !== note) {
        // A save asked for while this one ran is the open note's.
        if (again) {
          again = false;
          await save();
        }
        return;
      }
      if (again && next === STATUS.saved) {
        again = false;
        await save();
        return;
      }
      again = false;
      if (next === STATUS.saved && isDirty()) {
        changed();
        return;
      }
      setStatus(next);
    })();
    return saving;
  }

  function showConflict(err) {
    const current = err.body && err.body.error && err.body.error.currentVersion;
    conflict = { currentVersion: typeof current === 'number' ? current : undefined };
    conflictBox.hidden = false;
    setStatus(STATUS.conflict);
  }

  function clearConflict() {
    conflict = null;
    conflictBox.hidden = true;
  }

  /**
   * keepConflicted keeps the text of a note left in conflict on this
   * device, with the version it was written against, so that opening the
   * note again shows it and meets the conflict again.
   */
  function keepConflicted() {
    if (note && note.writable && conflict && isDirty()) {
      queueOffline({ id: note.id, share: note.share || null, title: title.value, body: editor.getMarkdown(), version: note.version, conflict: true });
    }
  }

  /** lock makes the editor refuse input while another note loads, or gives it back. */
  function lock(on) {
    const w = !on && !!note && note.writable;
    editor.setEditable(w, false);
    title.readOnly = !w;
    sheet.setAttribute('aria-busy', String(on));
  }

  loadTheirs.addEventListener('click', async () => {
    if (!note) return;
    try {
      const data = await app.api('GET', notePath(note.id, note.share));
      clearConflict();
      dropOffline(note.id);
      fill(data);
      setStatus(STATUS.saved);
      editor.commands.focus();
    } catch (err) {
      app.toast(err.message, 'error');
    }
  });

  overwrite.addEventListener('click', async () => {
    if (!note) return;
    let version = conflict && conflict.currentVersion;
    try {
      if (!version) version = (await app.api('GET', notePath(note.id, note.share))).version;
    } catch (err) {
      app.toast(err.message, 'error');
      return;
    }
    note.version = version;
    clearConflict();
    savedTitle = null; // force a write even if the text is unchanged
    await save();
  });

  // ---- the note's folder ----
  /** @type {any[]} */
  let folderList = [];

  function renderFolders() {
    const want = note && note.folder_id ? note.folder_id : '';
    folderSelect.textContent = '';
    folderSelect.append(h('option', { value: '', text: 'No folder' }));
    for (const f of folderList) folderSelect.append(h('option', { value: f.folderId, text: f.name }));
    if (want && !folderList.some((f) => f.folderId === want)) folderSelect.append(h('option', { value: want, text: 'Another folder' }));
    folderSelect.value = want;
    folderSelect.hidden = !note || !!note.share || !note.writable;
  }

  app.on('folders-loaded', ({ folders }) => {
    folderList = folders || [];
    renderFolders();
  });

  folderSelect.addEventListener('change', async () => {
    if (!note || note.share || !note.writable) return;
    const to = folderSelect.value || null;
    await save();
    if (!note || conflict || saving) {
      renderFolders();
      if (conflict) app.toast('Settle the conflict first: load their version or overwrite it.', 'error');
      return;
    }
    const n = note;
    // Autosaves wait for the move, which moves the version on.
    saving = (async () => {
      try {
        const res = await app.api('PATCH', notePath(n.id), { folderId: to, version: n.version });
        n.version = res.version;
        n.folder_id = res.folderId;
        const f = folderList.find((x) => x.folderId === to);
        app.emit('note-saved', { note: ref(n) });
        app.emit('notes-changed', {});
        app.toast(f ? `Moved to “${f.name}”.` : 'Moved out of its folder.');
      } catch (err) {
        if (err.code === 'version_conflict' && n === note) showConflict(err);
        else app.toast(err.message, 'error');
      } finally {
        saving = null;
      }
      if (n === note) renderFolders();
      if (again) {
        again = false;
        await save();
      }
    })();
    await saving;
  });

  /** fill puts a note as the API returned it into the editor. */
  function fill(data) {
    note.version = data.version;
    note.title = data.title;
    note.folder_id = data.folderId;
    loadingContent = true;
    try {
      title.value = data.title;
      editor.commands.setContent(data.content || '', { contentType: 'markdown', emitUpdate: false });
    } finally {
      loadingContent = false;
    }
    savedTitle = data.title;
    savedBody = editor.getMarkdown();
    renderFolders();
  }

  function show(on) {
    sheet.hidden = !on;
    empty.hidden = on;
  }

  /**
   * open reads a note and shows it; a note in a folder shared with me is
   * read-only unless the share lets me write. Resolves false if it could
   * not be opened.
   */
  async function open(id, o = {}) {
    const share = o.share || undefined;
    if (note && note.id === id && note.share === share) return true;
    await save();
    keepConflicted();
    // Keys typed now would go to the note on its way out: refuse them
    // until the next one is in.
    lock(true);
    let data;
    let writable = true;
    try {
      if (share) {
        const [folder, n] = await Promise.all([
          app.api('GET', `/api/v1/shared/${encodeURIComponent(share)}`),
          app.api('GET', notePath(id, share)),
        ]);
        writable = folder.permission === 'write';
        data = n;
      } else {
        data = await app.api('GET', notePath(id));
      }
    } catch (err) {
      lock(false);
      app.toast(err.status === 404 ? 'That note is gone or was never yours to see.' : err.message, 'error');
      return false;
    }
    if (isDirty()) {
      await save();
      keepConflicted();
    }
    clearTimeout(timer);
    clearConflict();
    closeLinkForm(false);
    note = { id, title: data.title, folder_id: data.folderId, version: data.version, share, writable };
    fill(data);
    editor.setEditable(writable, false);
    title.readOnly = !writable;
    toolbar.hidden = !writable;
    sheet.classList.toggle('read-only', !writable);
    sheet.setAttribute('aria-busy', 'false');
    renderFolders();
    show(true);
    setStatus(writable ? STATUS.saved : STATUS.readOnly);
    app.emit('note-opened', { note: ref() });
    let queued = writable && readOffline()[id];
    if (queued && queued.title === savedTitle && queued.body === savedBody) {
      dropOffline(id); // it reached the server after all
      queued = null;
    }
    if (queued) {
      // Text saved on this device while offline: show it, and send it with
      // the version it was written against.
      loadingContent = true;
      title.value = queued.title;
      editor.commands.setContent(queued.body || '', { contentType: 'markdown', emitUpdate: false });
      loadingContent = false;
      note.version = queued.version;
      await save();
    }
    return true;
  }

  /** close saves and hides the editor. */
  async function close(notify = true) {
    await save();
    keepConflicted();
    note = null;
    clearConflict();
    show(false);
    setStatus('');
    if (notify) opts.onClose();
  }

  /** reload reads the open note again (after a restore). */
  async function reload() {
    if (!note) return;
    const data = await app.api('GET', notePath(note.id, note.share));
    clearConflict();
    fill(data);
    setStatus(note.writable ? STATUS.saved : STATUS.readOnly);
    app.emit('note-saved', { note: ref() });
  }

  /** flushOffline sends the notes kept on this device, one flush at a time. */
  let flushing = null;
  function flushOffline() {
    if (!flushing) flushing = flushQueue().finally(() => { flushing = null; });
    return flushing;
  }

  async function flushQueue() {
    const q = readOffline();
    let stale = 0;
    for (const entry of Object.values(q)) {
      if (note && entry.id === note.id) {
        if (!conflict) {
          await save();
          // The editor holds the note's latest text: once the server has
          // it, the kept copy is older and must not come back.
          if (note && note.id === entry.id && !conflict && !isDirty()) dropOffline(entry.id);
        }
        continue;
      }
      // Refused as stale before: it waits for the user to open the note.
      if (entry.conflict) continue;
      try {
        await app.api('PATCH', notePath(entry.id, entry.share || undefined), { title: entry.title, content: entry.body, version: entry.version });
        dropOffline(entry.id, entry);
        app.emit('notes-changed', {});
      } catch (err) {
        if (err.offline) return;
        if (err.code === 'version_conflict') {
          if (await arrived(entry)) dropOffline(entry.id, entry);
          else if (markConflict(entry.id)) stale++;
        }
        else if (err.status === 404 || err.status === 403) dropOffline(entry.id);
      }
    }
    if (stale) {
      app.toast(stale === 1
        ? 'A note changed elsewhere while you were offline. Open it to choose which version to keep.'
        : `${stale} notes changed elsewhere while you were offline. Open them to choose which version to keep.`, 'error');
    }
  }

  /** arrived reports whether the server already holds a queued entry's text. */
  async function arrived(entry) {
    try {
      const data = await app.api('GET', notePath(entry.id, entry.share || undefined));
      return data.title === entry.title && data.content === entry.body;
    } catch {
      return false;
    }
  }

  // ---- link form (Ctrl/Cmd+K) ----
  function openLinkForm() {
    if (!note || !note.writable) return;
    linkInput.value = editor.getAttributes('link').href || '';
    linkForm.hidden = false;
    linkInput.focus();
    linkInput.select();
  }

  function closeLinkForm(refocus = true) {
    if (linkForm.hidden) return;
    linkForm.hidden = true;
    if (refocus) editor.commands.focus();
  }

  linkForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const href = safeHref(linkInput.value);
    if (!href) {
      app.toast('Give a web address (https://…) or a mailto: address.', 'error');
      linkInput.focus();
      return;
    }
    const chain = editor.chain().focus();
    if (editor.state.selection.empty && !editor.isActive('link')) {
      chain.insertContent({ type: 'text', text: href, marks: [{ type: 'link', attrs: { href } }] }).run();
    } else {
      chain.extendMarkRange('link').setLink({ href }).run();
    }
    closeLinkForm(false);
  });
  linkForm.addEventListener('click', (e) => {
    const action = /** @type {HTMLElement} */ (e.target).closest('button')?.dataset.action;
    if (action === 'unlink') {
      editor.chain().focus().extendMarkRange('link').unsetLink().run();
      closeLinkForm(false);
    } else if (action === 'cancel') {
      closeLinkForm();
    }
  });
  linkForm.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closeLinkForm();
    }
  });

  function updateToolbar() {
    for (const b of toolbar.querySelectorAll('[aria-pressed]')) {
      const t = b.dataset.tool;
      const on = t === 'h1' ? editor.isActive('heading', { level: 1 })
        : t === 'h2' ? editor.isActive('heading', { level: 2 })
          : editor.isActive(t);
      b.setAttribute('aria-pressed', String(on));
    }
  }

  // ---- events ----
  title.addEventListener('input', changed);
  title.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      editor.commands.focus('start');
    }
  });
  back.addEventListener('click', () => close(true));
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      if (note) save();
    }
  });
  window.addEventListener('online', () => flushOffline());
  // A server that answered 5xx fires no 'online' event: try again now and then.
  setInterval(() => {
    if (navigator.onLine !== false && Object.values(readOffline()).some((e) => e && !e.conflict)) flushOffline();
  }, RETRY_EVERY);
  window.addEventListener('beforeunload', (e) => {
    if (note && note.writable && (isDirty() || saving)) {
      // Keep the text on this device in case the page goes before the save.
      queueOffline({ id: note.id, share: note.share || null, title: title.value, body: editor.getMarkdown(), version: note.version, conflict: !!conflict });
      // The request starts now, within save(); the kept copy is dropped
      // only if it is still the text sent.
      unloading = true;
      save();
      unloading = false;
    }
  });
  app.on('note-deleted', ({ id }) => {
    dropOffline(id);
    if (note && note.id === id && !note.share) {
      clearTimeout(timer);
      note = null;
      show(false);
      setStatus('');
      opts.onClose();
    }
  });
  app.on('note-meta-changed', ({ note: saved }) => {
    // A change made elsewhere in the app (a pin) moved the version on.
    // With a save under way, the larger of the two versions is the latest.
    if (note && !note.share && saved && saved.noteId === note.id && saved.version > note.version) note.version = saved.version;
  });

  return {
    open,
    close,
    reload,
    flush: save,
    flushOffline,
    /** unsent is the number of notes kept on this device, not yet sent. */
    unsent: () => {
      const q = readOffline();
      return Object.keys(q).length + (note && conflict && isDirty() && !q[note.id] ? 1 : 0);
    },
    current: () => ref(),
    /** writable reports whether the open note can be changed. */
    writable: () => !!note && note.writable,
    /** inConflict reports whether the open note's save was refused as stale. */
    inConflict: () => !!conflict,
    /** path is the API path of the open note. */
    path: () => (note ? notePath(note.id, note.share) : null),
    historyButton,
    versionsHost,
  };
}
