// Quire's web app: the shell (header, folder sidebar, note list, editor,
// side panel, overlay and status line) and the App object every module
// plugs into. The page (/app) is an empty #app; everything is built here.

import './app.css';
import { api } from './api.js';
import { h } from './dom.js';
import { createFolders } from './folders.js';
import { createNotes } from './notes.js';
import { createEditor } from './editor.js';
import { createVersions } from './versions.js';
import { mountSearch } from './search.js';
import { mountIdeas } from './ideas.js';
import { mountChat } from './chat.js';
import { mountShared } from './shared.js';

/**
 * @typedef {{id: string, title: string, folder_id: string|null, version: number, share?: string}} NoteRef
 * @typedef {Object} App
 * @property {typeof api} api
 * @property {(event: string, fn: (detail: any) => void) => () => void} on
 * @property {(event: string, detail?: any) => void} emit
 * @property {(id: string, opts?: {share?: string, push?: boolean}) => Promise<void>} openNote
 * @property {() => NoteRef|null} currentNote
 * @property {(n?: {title?: string, body?: string}) => Promise<NoteRef>} newNote
 * @property {(message: string, kind?: 'info'|'error') => void} toast
 * @property {(name: 'ideas'|'chat') => HTMLElement} panel
 * @property {() => void} closePanel
 */

/** buildLayout fills #app with the shell and returns its parts. */
function buildLayout(root) {
  const menu = h('button', {
    type: 'button', id: 'toggle-sidebar', class: 'icon-button only-narrow',
    'aria-controls': 'sidebar', 'aria-expanded': 'false', text: 'Folders',
  });
  const header = h('header', { class: 'topbar' },
    menu,
    h('a', { class: 'brand', href: '/app', text: 'Quire' }),
    h('nav', { class: 'top-actions', 'aria-label': 'Tools' },
      h('button', { type: 'button', id: 'open-search', title: 'Search (Ctrl+/)', 'aria-keyshortcuts': 'Control+/', text: 'Search' }),
      h('button', { type: 'button', id: 'open-ideas', title: 'Ideas (Ctrl+Shift+I)', 'aria-controls': 'side-panel', text: 'Ideas' }),
      h('button', { type: 'button', id: 'open-chat', 'aria-controls': 'side-panel', text: 'Chat' }),
      h('button', { type: 'button', id: 'open-shared', text: 'Shared' }),
      h('a', { id: 'open-settings', href: '/account', text: 'Settings' }),
      h('form', { method: 'post', action: '/logout', id: 'sign-out-form', class: 'sign-out-form' },
        h('button', { type: 'submit', id: 'sign-out', text: 'Sign out' }))));

  const sidebar = h('nav', { id: 'sidebar', 'aria-label': 'Folders' });
  const noteList = h('section', { id: 'note-list', 'aria-label': 'Notes' });
  const editor = h('main', { id: 'editor-pane', 'aria-label': 'Editor' });
  const ideas = h('div', { id: 'ideas-panel', hidden: true });
  const chat = h('div', { id: 'chat-panel', hidden: true });
  const closePanel = h('button', { type: 'button', class: 'icon-button panel-close', 'aria-label': 'Close the panel', text: '×' });
  const side = h('aside', { id: 'side-panel', hidden: true, 'aria-label': 'Side panel' }, closePanel, ideas, chat);
  const scrim = h('div', { class: 'scrim', hidden: true });
  const body = h('div', { class: 'workspace' }, sidebar, noteList, editor, side, scrim);
  const overlay = h('div', { id: 'overlay' });
  const toast = h('div', { id: 'toast', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const skip = h('a', { class: 'skip-link', href: '#note-body', text: 'Skip to the editor' });
  skip.addEventListener('click', (e) => {
    e.preventDefault();
    const target = document.querySelector('#note-body .ProseMirror');
    if (target && !editor.hidden && target.closest('.editor') && !target.closest('.editor').hidden) target.focus();
    else document.getElementById('new-note')?.focus();
  });
  root.append(skip, header, body, overlay, toast);
  return { root, menu, sidebar, noteList, editor, side, ideas, chat, closePanel, scrim, overlay, toast };
}

/** createApp builds the App object over the layout. */
function createApp(ui) {
  const bus = new EventTarget();
  let toastTimer = 0;
  /** @type {App} */
  const app = {
    api,
    on(event, fn) {
      const l = (e) => fn(e.detail);
      bus.addEventListener(event, l);
      return () => bus.removeEventListener(event, l);
    },
    emit(event, detail = {}) {
      bus.dispatchEvent(new CustomEvent(event, { detail }));
    },
    toast(message, kind = 'info') {
      clearTimeout(toastTimer);
      // An error interrupts (alert); anything else waits its turn (status).
      ui.toast.setAttribute('role', kind === 'error' ? 'alert' : 'status');
      ui.toast.setAttribute('aria-live', kind === 'error' ? 'assertive' : 'polite');
      ui.toast.textContent = message;
      ui.toast.className = 'show ' + (kind === 'error' ? 'error' : 'info');
      toastTimer = setTimeout(() => {
        ui.toast.className = '';
        ui.toast.textContent = '';
      }, kind === 'error' ? 8000 : 4000);
    },
    panel(name) {
      const el = name === 'chat' ? ui.chat : name === 'ideas' ? ui.ideas : null;
      if (!el) throw new Error(`no panel ${name}`);
      ui.ideas.hidden = el !== ui.ideas;
      ui.chat.hidden = el !== ui.chat;
      ui.side.hidden = false;
      ui.side.dataset.panel = name;
      ui.root.classList.add('panel-open');
      for (const b of [['ideas', 'open-ideas'], ['chat', 'open-chat']]) {
        document.getElementById(b[1])?.setAttribute('aria-pressed', String(b[0] === name));
      }
      return el;
    },
    closePanel() {
      ui.side.hidden = true;
      ui.ideas.hidden = true;
      ui.chat.hidden = true;
      delete ui.side.dataset.panel;
      ui.root.classList.remove('panel-open');
      document.getElementById('open-ideas')?.setAttribute('aria-pressed', 'false');
      document.getElementById('open-chat')?.setAttribute('aria-pressed', 'false');
    },
    // Filled in below once the editor exists.
    openNote: async () => {},
    currentNote: () => null,
    newNote: async () => { throw new Error('not ready'); },
  };
  return app;
}

/** routeNote reads /app/notes/{id}?share=… from the location. */
function routeNote() {
  const m = location.pathname.match(/^\/app\/notes\/([A-Za-z0-9_-]+)\/?$/);
  if (!m) return null;
  const share = new URLSearchParams(location.search).get('share') || undefined;
  return { id: m[1], share };
}

function notePath(id, share) {
  return '/app/notes/' + encodeURIComponent(id) + (share ? '?share=' + encodeURIComponent(share) : '');
}

function start() {
  const root = document.getElementById('app');
  if (!root) return;
  root.textContent = '';
  const ui = buildLayout(root);
  const app = createApp(ui);

  // Narrow screens: the sidebar slides over, the list and the editor take
  // turns. The classes below drive the CSS.
  const setSidebar = (open) => {
    root.classList.toggle('sidebar-open', open);
    ui.menu.setAttribute('aria-expanded', String(open));
    ui.scrim.hidden = !open;
    if (open) ui.sidebar.querySelector('button')?.focus();
  };
  ui.menu.addEventListener('click', () => setSidebar(!root.classList.contains('sidebar-open')));
  ui.scrim.addEventListener('click', () => setSidebar(false));

  const folders = createFolders(app, ui.sidebar, {
    onSelect: (folder) => {
      notes.showFolder(folder);
      setSidebar(false);
    },
  });
  const notes = createNotes(app, ui.noteList, { folder: () => folders.current() });
  const narrow = window.matchMedia('(max-width: 760px)');
  const editor = createEditor(app, ui.editor, {
    onClose: () => {
      const wasIn = ui.editor.contains(document.activeElement);
      root.classList.remove('editing');
      document.title = 'Quire';
      history.pushState(null, '', '/app');
      if (wasIn || narrow.matches) (ui.noteList.querySelector('li.active .note-open') || document.getElementById('new-note'))?.focus();
    },
  });
  createVersions(app, editor);

  app.currentNote = () => editor.current();
  app.openNote = async (id, opts = {}) => {
    const ok = await editor.open(id, opts);
    if (!ok) return;
    root.classList.add('editing');
    notes.markActive(id);
    // On a narrow screen the list makes way for the editor: take the focus along.
    if (narrow.matches && ui.noteList.contains(document.activeElement)) document.getElementById('note-title')?.focus();
    const path = notePath(id, opts.share);
    if (opts.push !== false && location.pathname + location.search !== path) history.pushState({ id, share: opts.share }, '', path);
  };
  app.newNote = async ({ title = '', body = '' } = {}) => {
    const folder = folders.current();
    const input = { title, content: body };
    if (folder) input.folderId = folder.folderId;
    const made = await api('POST', '/api/v1/notes', input);
    app.emit('notes-changed', {});
    await app.openNote(made.noteId);
    return app.currentNote() || { id: made.noteId, title, folder_id: folder ? folder.folderId : null, version: 1 };
  };

  // The tab's title names the open note.
  const setTitle = ({ note }) => {
    document.title = note && note.title ? `${note.title} · Quire` : 'Quire';
  };
  app.on('note-opened', setTitle);
  app.on('note-saved', setTitle);

  // Header buttons the shell answers itself; the panel modules render
  // their own content into the containers app.panel returns.
  document.getElementById('open-ideas').addEventListener('click', () => app.panel('ideas'));
  document.getElementById('open-chat').addEventListener('click', () => app.panel('chat'));
  document.getElementById('open-shared').addEventListener('click', () => app.emit('open-shared', {}));
  ui.closePanel.addEventListener('click', () => app.closePanel());
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if (root.classList.contains('sidebar-open')) setSidebar(false);
    else if (!ui.side.hidden && ui.side.contains(document.activeElement)) app.closePanel();
  });

  window.addEventListener('popstate', () => {
    const r = routeNote();
    if (r) {
      app.openNote(r.id, { share: r.share, push: false });
    } else {
      root.classList.remove('editing');
      editor.close(false);
    }
  });
  // Signing out empties this browser's storage for the site (the server
  // says so): notes kept here while offline are sent first, and the user
  // is asked before any that could not be are lost.
  const signOut = /** @type {HTMLFormElement} */ (document.getElementById('sign-out-form'));
  let leaving = false;
  signOut.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (leaving) return;
    leaving = true;
    const button = /** @type {HTMLButtonElement} */ (signOut.querySelector('button'));
    button.disabled = true;
    try {
      await editor.flush();
      await editor.flushOffline();
      const left = editor.unsent();
      if (left > 0 && !window.confirm(left === 1
        ? 'A note changed on this device is not saved to Quire yet. Signing out deletes it from this device. Sign out anyway?'
        : `${left} notes changed on this device are not saved to Quire yet. Signing out deletes them from this device. Sign out anyway?`)) {
        return;
      }
      signOut.submit();
    } finally {
      leaving = false;
      button.disabled = false;
    }
  });
  window.addEventListener('quire:signed-out', () => {
    location.assign('/login');
  });

  for (const mount of [mountSearch, mountIdeas, mountChat, mountShared]) {
    try {
      mount(app);
    } catch (err) {
      console.warn('a module failed to start', err && err.name);
    }
  }

  folders.load();
  notes.load();
  // Notes kept on this device while offline go first, so that opening one
  // of them does not send it twice.
  const r = routeNote();
  editor.flushOffline().finally(() => {
    if (r) app.openNote(r.id, { share: r.share, push: false });
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
