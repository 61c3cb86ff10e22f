// The folder sidebar: All notes, then each folder with its note count;
// create, rename, delete (asked first) and share.

import { h, clear, askText, modal } from './dom.js';

/**
 * @param {import('./main.js').App} app
 * @param {HTMLElement} root #sidebar
 * @param {{onSelect: (folder: any|null) => void}} opts
 */
export function createFolders(app, root, opts) {
  /** @type {any[]} */
  let folders = [];
  /** @type {string|null} */
  let currentId = null;

  const list = h('ul', { class: 'folder-list', 'aria-label': 'Folders' });
  const newButton = h('button', { type: 'button', id: 'new-folder', class: 'secondary small', text: 'New folder' });
  root.append(
    h('div', { class: 'pane-head' }, h('h2', { text: 'Folders' }), newButton),
    list);

  newButton.addEventListener('click', async () => {
    const name = await askText({ id: 'folder-name', title: 'New folder', label: 'Name', submit: 'Create' });
    if (!name) return;
    try {
      const made = await app.api('POST', '/api/v1/folders', { name });
      app.emit('folders-changed', {});
      await load();
      select(made.folderId);
    } catch (err) {
      app.toast(err.message, 'error');
    }
  });

  list.addEventListener('click', async (e) => {
    const btn = /** @type {HTMLElement} */ (e.target).closest('button');
    if (!btn || !list.contains(btn)) return;
    const row = btn.closest('li');
    const id = row?.dataset.folderId || null;
    const folder = folders.find((f) => f.folderId === id) || null;
    switch (btn.dataset.action) {
      case 'share':
        if (folder) app.emit('share-folder', { folder });
        break;
      case 'rename':
        if (folder) await rename(folder);
        break;
      case 'delete':
        if (folder) await remove(folder);
        break;
      default:
        select(id);
    }
  });

  async function rename(folder) {
    const name = await askText({ id: 'folder-name', title: 'Rename folder', label: 'Name', value: folder.name, submit: 'Rename' });
    if (!name || name === folder.name) return;
    try {
      await app.api('PATCH', '/api/v1/folders/' + encodeURIComponent(folder.folderId), { name });
      app.emit('folders-changed', {});
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }

  async function remove(folder) {
    const contents = await modal((dialog, close) => {
      const keep = h('button', { type: 'button', text: 'Delete folder, keep notes', onclick: () => close('unfile') });
      dialog.append(
        h('h2', { text: `Delete “${folder.name}”?` }),
        h('p', { class: 'modal-message', text: `It holds ${folder.noteCount} note(s) and ${folder.ideaCount} idea(s). Keep them (they move to All notes) or delete them with the folder.` }),
        h('div', { class: 'modal-actions' },
          h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => close(null) }),
          keep,
          h('button', { type: 'button', class: 'danger', text: 'Delete everything', onclick: () => close('delete') })));
      queueMicrotask(() => keep.focus());
    }, { id: 'delete-folder-dialog', label: 'Delete folder' });
    if (!contents) return;
    try {
      await app.api('DELETE', '/api/v1/folders/' + encodeURIComponent(folder.folderId) + '?contents=' + contents);
      if (currentId === folder.folderId) select(null);
      app.emit('folders-changed', {});
      app.emit('notes-changed', {});
      app.toast(`Folder “${folder.name}” deleted.`);
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }

  function select(id) {
    currentId = id;
    render();
    opts.onSelect(current());
  }

  function current() {
    return folders.find((f) => f.folderId === currentId) || null;
  }

  function row(id, name, count, own) {
    const selected = (id || null) === currentId;
    const li = h('li', { class: 'folder-row' + (selected ? ' selected' : '') },
      h('button', { type: 'button', class: 'folder-select', 'aria-current': selected ? 'true' : null },
        h('span', { class: 'folder-name', text: name }),
        count === null ? null : h('span', { class: 'count', 'aria-label': `${count} notes`, text: String(count) })));
    if (id) li.dataset.folderId = id;
    if (own) {
      li.append(h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'icon-button small', 'data-action': 'share', 'aria-label': `Share ${name}`, title: 'Share', text: 'Share' }),
        h('button', { type: 'button', class: 'icon-button small', 'data-action': 'rename', 'aria-label': `Rename ${name}`, title: 'Rename', text: '✎' }),
        h('button', { type: 'button', class: 'icon-button small', 'data-action': 'delete', 'aria-label': `Delete ${name}`, title: 'Delete', text: '✕' })));
    }
    return li;
  }

  function render() {
    const focusedId = document.activeElement && list.contains(document.activeElement)
      ? { id: document.activeElement.closest('li')?.dataset.folderId || '', action: document.activeElement.dataset.action || '' }
      : null;
    clear(list);
    list.append(row(null, 'All notes', null, false));
    for (const f of folders) list.append(row(f.folderId, f.name, f.noteCount, true));
    if (focusedId) {
      const sel = focusedId.id ? `li[data-folder-id="${CSS.escape(focusedId.id)}"]` : 'li:not([data-folder-id])';
      const li = list.querySelector(sel);
      const target = focusedId.action ? li?.querySelector(`[data-action="${focusedId.action}"]`) : li?.querySelector('.folder-select');
      target?.focus();
    }
  }

  async function load() {
    try {
      const res = await app.api('GET', '/api/v1/folders');
      folders = res.folders || [];
      if (currentId && !folders.some((f) => f.folderId === currentId)) currentId = null;
      render();
      app.emit('folders-loaded', { folders });
    } catch (err) {
      if (!err.offline) app.toast(err.message, 'error');
      render();
    }
  }

  app.on('open-folder', ({ folderId }) => {
    if (folderId && folderId !== currentId && folders.some((f) => f.folderId === folderId)) select(folderId);
  });
  app.on('folders-changed', load);
  app.on('notes-changed', load);
  render();
  return { load, current, select };
}
