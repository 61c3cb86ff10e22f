// The note list of the selected folder (or of all notes): pinned notes
// first, then the most recently updated, each with its title and time, a
// pin toggle and delete.

import { h, clear, when, fullTime, confirmDialog } from './dom.js';

const pageSize = 100;

/**
 * @param {import('./main.js').App} app
 * @param {HTMLElement} root #note-list
 * @param {{folder: () => any|null}} opts
 */
export function createNotes(app, root, opts) {
  /** @type {any[]} */
  let notes = [];
  let total = 0;
  let activeId = null;
  let loading = 0;
  let reloadTimer = 0;

  const heading = h('h2', { id: 'note-list-heading', text: 'All notes' });
  const newButton = h('button', { type: 'button', id: 'new-note', text: 'New note' });
  const list = h('ul', { class: 'notes', 'aria-labelledby': 'note-list-heading' });
  const empty = h('p', { class: 'empty', hidden: true, text: 'No notes here yet. Create one with New note.' });
  const more = h('button', { type: 'button', class: 'secondary small more', hidden: true, text: 'Show more' });
  root.append(h('div', { class: 'pane-head' }, heading, newButton), list, empty, more);

  newButton.addEventListener('click', async () => {
    newButton.disabled = true;
    try {
      await app.newNote({ title: '', body: '' });
      document.getElementById('note-title')?.focus();
    } catch (err) {
      app.toast(err.message, 'error');
    } finally {
      newButton.disabled = false;
    }
  });
  more.addEventListener('click', () => load(notes.length));

  list.addEventListener('click', async (e) => {
    const btn = /** @type {HTMLElement} */ (e.target).closest('button');
    if (!btn || !list.contains(btn)) return;
    const id = btn.closest('li')?.dataset.noteId;
    const note = notes.find((n) => n.noteId === id);
    if (!note) return;
    if (btn.dataset.action === 'pin') await pin(note);
    else if (btn.dataset.action === 'delete') await remove(note);
    else await app.openNote(id);
  });

  async function pin(note) {
    try {
      const saved = await app.api('PATCH', '/api/v1/notes/' + encodeURIComponent(note.noteId), { isPinned: !note.isPinned });
      app.emit('note-meta-changed', { note: saved });
      await load();
      list.querySelector(`li[data-note-id="${CSS.escape(note.noteId)}"] [data-action="pin"]`)?.focus();
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }

  async function remove(note) {
    const title = note.title || 'Untitled';
    if (!(await confirmDialog(`Delete “${title}”? Its versions go with it.`))) return;
    try {
      await app.api('DELETE', '/api/v1/notes/' + encodeURIComponent(note.noteId));
      app.emit('note-deleted', { id: note.noteId });
      app.emit('notes-changed', {});
      app.toast(`“${title}” deleted.`);
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }

  function row(n) {
    const title = n.title || 'Untitled';
    const active = n.noteId === activeId;
    const li = h('li', { class: 'note-row' + (active ? ' active' : '') + (n.isPinned ? ' pinned' : '') },
      h('button', { type: 'button', class: 'note-open', 'aria-current': active ? 'true' : null },
        h('span', { class: 'note-title', text: title }),
        h('time', { class: 'note-time', datetime: n.updatedAt, title: fullTime(n.updatedAt), text: when(n.updatedAt) })),
      h('span', { class: 'row-actions' },
        h('button', {
          type: 'button', class: 'icon-button small pin', 'data-action': 'pin', 'aria-pressed': String(!!n.isPinned),
          'aria-label': (n.isPinned ? 'Unpin ' : 'Pin ') + title, title: n.isPinned ? 'Unpin' : 'Pin', text: n.isPinned ? 'Pinned' : 'Pin',
        }),
        h('button', { type: 'button', class: 'icon-button small', 'data-action': 'delete', 'aria-label': 'Delete ' + title, title: 'Delete', text: '✕' })));
    li.dataset.noteId = n.noteId;
    return li;
  }

  function render() {
    clear(list);
    for (const n of notes) list.append(row(n));
    empty.hidden = notes.length > 0 || loading > 0;
    more.hidden = notes.length >= total;
    const folder = opts.folder();
    heading.textContent = folder ? folder.name : 'All notes';
  }

  async function load(offset = 0) {
    const folder = opts.folder();
    const q = new URLSearchParams({ limit: String(pageSize), offset: String(offset) });
    if (folder) q.set('folderId', folder.folderId);
    const ticket = ++loading;
    try {
      const res = await app.api('GET', '/api/v1/notes?' + q);
      if (ticket !== loading) return; // a newer load answers
      notes = offset ? notes.concat(res.notes) : res.notes;
      total = res.total;
    } catch (err) {
      if (ticket !== loading) return;
      if (!err.offline) app.toast(err.message, 'error');
    } finally {
      if (ticket === loading) loading = 0;
    }
    render();
  }

  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => load(), 400);
  }

  app.on('notes-changed', reloadSoon);
  app.on('note-saved', reloadSoon);
  app.on('note-opened', ({ note }) => {
    if (!note.share) markActive(note.id);
  });
  render();

  function markActive(id) {
    activeId = id;
    for (const li of list.querySelectorAll('li[data-note-id]')) {
      const on = li.dataset.noteId === id;
      li.classList.toggle('active', on);
      const b = li.querySelector('.note-open');
      if (on) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
  }

  return {
    load: () => load(),
    showFolder: () => load(),
    markActive,
  };
}
