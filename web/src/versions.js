// Version history of the open note: #history-button shows the kept
// versions (#versions), any of which can be viewed or restored. Restoring
// writes the old text as a new version, so nothing is lost.

import { h, clear, fullTime } from './dom.js';

/**
 * @param {import('./main.js').App} app
 * @param {ReturnType<typeof import('./editor.js').createEditor>} editor
 */
export function createVersions(app, editor) {
  const pane = editor.versionsHost;
  const button = editor.historyButton;
  const list = h('ul', { id: 'versions', class: 'versions', 'aria-label': 'Versions' });
  const preview = h('div', { class: 'version-preview', hidden: true });
  const closeButton = h('button', { type: 'button', class: 'secondary small', text: 'Close history' });
  pane.append(h('div', { class: 'pane-head' }, h('h2', { text: 'History' }), closeButton), list, preview);
  let versions = [];
  let reloadTimer = 0;

  function isOpen() {
    return !pane.hidden;
  }

  function setOpen(on) {
    pane.hidden = !on;
    button.setAttribute('aria-expanded', String(on));
    if (on) load();
    else {
      preview.hidden = true;
      clear(preview);
    }
  }

  button.addEventListener('click', () => setOpen(!isOpen()));
  closeButton.addEventListener('click', () => {
    setOpen(false);
    button.focus();
  });

  async function load() {
    const path = editor.path();
    if (!path) return;
    try {
      const res = await app.api('GET', path + '/versions');
      if (editor.path() !== path) return;
      versions = res.versions || [];
      render();
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }

  function render() {
    clear(list);
    const writable = editor.writable();
    for (const v of versions) {
      const li = h('li', { class: 'version' + (v.current ? ' current' : '') },
        h('span', { class: 'version-label' },
          h('strong', { text: v.current ? `Version ${v.version} (current)` : `Version ${v.version}` }),
          h('time', { datetime: v.savedAt, text: fullTime(v.savedAt) }),
          h('span', { class: 'version-title', text: v.title || 'Untitled' })),
        h('span', { class: 'row-actions' },
          h('button', { type: 'button', class: 'secondary small', 'data-action': 'view', text: 'View', 'aria-label': `View version ${v.version}` }),
          h('button', {
            type: 'button', class: 'small', 'data-action': 'restore', disabled: !writable || v.current,
            text: 'Restore',
            title: v.current ? 'This is the current version' : null,
            'aria-label': v.current ? `Version ${v.version} is the current one` : `Restore version ${v.version}`,
          })));
      li.dataset.version = String(v.version);
      list.append(li);
    }
  }

  list.addEventListener('click', async (e) => {
    const btn = /** @type {HTMLElement} */ (e.target).closest('button');
    if (!btn) return;
    const n = Number(btn.closest('li')?.dataset.version);
    if (!n || btn.disabled) return;
    if (btn.dataset.action === 'view') await view(n);
    else if (btn.dataset.action === 'restore') await restore(n);
  });

  async function view(n) {
    const path = editor.path();
    try {
      const v = await app.api('GET', `${path}/versions/${n}`);
      clear(preview);
      preview.append(
        h('h3', { text: `Version ${v.version}: ${v.title || 'Untitled'}` }),
        h('pre', { class: 'version-text', tabindex: '0', text: v.content || '' }));
      preview.hidden = false;
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }

  async function restore(n) {
    await editor.flush();
    if (editor.inConflict()) {
      app.toast('Settle the conflict first: load their version or overwrite it.', 'error');
      return;
    }
    const cur = editor.current();
    if (!cur) return;
    try {
      await app.api('POST', `${editor.path()}/versions/${n}/restore`, undefined, { headers: { 'If-Match': `"${cur.version}"` } });
      await editor.reload();
      app.toast(`Version ${n} restored.`);
      preview.hidden = true;
      await load();
    } catch (err) {
      app.toast(err.code === 'version_conflict' ? 'The note changed meanwhile; the history is up to date now.' : err.message, 'error');
      load();
    }
  }

  app.on('note-opened', () => {
    preview.hidden = true;
    if (isOpen()) load();
  });
  app.on('note-saved', () => {
    if (!isOpen()) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, 500);
  });
}
