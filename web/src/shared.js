// Sharing: the dialog that shares one of my folders (invite by address,
// read or write, change or revoke each share) and the shared-with-me view
// (the folders others shared with me, their notes, and leaving a share).

import './shared.css';
import { h, clear, modal, when, fullTime } from './dom.js';

const STATUS_TEXT = { pending: 'invited', expired: 'invitation expired', accepted: 'accepted' };
const PERMISSION_TEXT = { read: 'Can read', write: 'Can edit' };

/** enc encodes one path segment of an API URL. */
const enc = encodeURIComponent;

/**
 * permissionSelect builds a read|write select.
 * @param {string} id
 * @param {string} value
 * @param {string} label the accessible name
 */
function permissionSelect(id, value, label) {
  const sel = h('select', { id: id || null, 'aria-label': label },
    h('option', { value: 'read', text: PERMISSION_TEXT.read }),
    h('option', { value: 'write', text: PERMISSION_TEXT.write }));
  sel.value = value;
  return sel;
}

/**
 * openShareDialog shows #share-dialog for folder until it is closed.
 * @param {import('./main.js').App} app
 * @param {{folderId: string, name: string}} folder
 */
function openShareDialog(app, folder) {
  const base = `/api/v1/folders/${enc(folder.folderId)}/shares`;
  return modal((dialog, close) => {
    dialog.classList.add('share-dialog');
    const email = h('input', {
      id: 'share-email', type: 'email', name: 'email', required: true, maxlength: '254',
      autocomplete: 'off', placeholder: 'name@example.com', 'aria-describedby': 'share-error',
    });
    const permission = permissionSelect('share-permission', 'read', 'Permission');
    const submit = h('button', { type: 'submit', id: 'share-submit', text: 'Invite' });
    const error = h('p', { id: 'share-error', class: 'share-error', role: 'alert' });
    const list = h('ul', { id: 'share-list', class: 'share-list', 'aria-label': 'People with access' });
    const empty = h('p', { class: 'share-empty muted', text: 'Not shared with anyone yet.' });

    const showError = (msg) => {
      error.textContent = msg || '';
    };

    /** row builds the list item of one share. */
    const row = (sh) => {
      const sel = permissionSelect('', sh.permission, `Permission for ${sh.email}`);
      const revoke = h('button', {
        type: 'button', class: 'secondary small', 'data-action': 'revoke',
        'aria-label': `Revoke access for ${sh.email}`, text: 'Revoke',
      });
      const state = h('span', {
        class: 'share-state ' + sh.status, text: STATUS_TEXT[sh.status] || sh.status,
        title: sh.status === 'accepted' ? `Accepted ${fullTime(sh.acceptedAt)}` : sh.expiresAt ? `Expires ${fullTime(sh.expiresAt)}` : '',
      });
      sel.addEventListener('change', async () => {
        showError('');
        sel.disabled = true;
        try {
          const changed = await app.api('PATCH', `${base}/${enc(sh.shareId)}`, { permission: sel.value });
          li.replaceWith(row(changed));
          app.toast(`${changed.email} ${changed.permission === 'write' ? 'can now edit' : 'can now only read'} “${folder.name}”.`);
        } catch (err) {
          sel.value = sh.permission;
          sel.disabled = false;
          showError(err.message);
        }
      });
      revoke.addEventListener('click', async () => {
        showError('');
        revoke.disabled = true;
        try {
          await app.api('DELETE', `${base}/${enc(sh.shareId)}`);
          li.remove();
          empty.hidden = list.children.length > 0;
          app.toast(`${sh.email} no longer has access to “${folder.name}”.`);
        } catch (err) {
          revoke.disabled = false;
          showError(err.message);
        }
      });
      const li = h('li', { class: 'share-row' },
        h('span', { class: 'share-who' }, h('span', { class: 'share-email', text: sh.email }), state),
        h('span', { class: 'share-actions' }, sel, revoke));
      li.dataset.shareId = sh.shareId;
      return li;
    };

    const load = async () => {
      try {
        const data = await app.api('GET', base);
        clear(list);
        for (const sh of data.shares || []) list.append(row(sh));
        empty.hidden = list.children.length > 0;
      } catch (err) {
        showError(err.message);
      }
    };

    const form = h('form', { class: 'modal-form share-form', novalidate: true },
      h('h2', { text: `Share “${folder.name}”` }),
      h('p', { class: 'hint', text: 'They get an email with a link to accept. Read lets them read its notes and ideas; edit also lets them change them.' }),
      h('div', { class: 'share-fields' },
        h('span', { class: 'share-field share-field-email' },
          h('label', { for: 'share-email', text: 'Email address' }), email),
        h('span', { class: 'share-field' },
          h('label', { for: 'share-permission', text: 'Permission' }), permission),
        submit),
      error);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      showError('');
      const address = email.value.trim();
      if (!address || !email.checkValidity()) {
        showError('Enter the email address of the person to invite.');
        email.focus();
        return;
      }
      submit.disabled = true;
      try {
        const sh = await app.api('POST', base, { email: address, permission: permission.value });
        const old = list.querySelector(`li[data-share-id="${CSS.escape(sh.shareId)}"]`);
        if (old) old.replaceWith(row(sh));
        else list.append(row(sh));
        empty.hidden = true;
        email.value = '';
        app.toast(`Invitation sent to ${sh.email}.`);
      } catch (err) {
        showError(err.message);
      } finally {
        submit.disabled = false;
        email.focus();
      }
    });

    dialog.append(form,
      h('h3', { class: 'share-list-head', text: 'People with access' }),
      empty, list,
      h('div', { class: 'modal-actions' },
        h('button', { type: 'button', class: 'secondary', id: 'share-close', text: 'Done', onclick: () => close(null) })));
    empty.hidden = true;
    queueMicrotask(() => email.focus());
    load();
  }, { id: 'share-dialog', label: `Share ${folder.name}` });
}

/**
 * createSharedView builds #shared-view, placed where the note list is, and
 * returns its controls.
 * @param {import('./main.js').App} app
 */
function createSharedView(app) {
  const root = document.getElementById('app');
  const noteList = document.getElementById('note-list');
  const list = h('ul', { class: 'shared-folders', 'aria-label': 'Folders shared with me' });
  const status = h('p', { class: 'shared-status muted', role: 'status' });
  const closeButton = h('button', {
    type: 'button', class: 'icon-button small', id: 'shared-close', 'aria-label': 'Close shared with me', text: 'Close',
  });
  const view = h('section', { id: 'shared-view', 'aria-labelledby': 'shared-view-h', hidden: true },
    h('div', { class: 'pane-head' }, h('h2', { id: 'shared-view-h', text: 'Shared with me' }), closeButton),
    status, list);
  if (noteList && noteList.parentNode) noteList.after(view);
  else (root || document.body).append(view);

  /** @type {string|null} the share whose notes are shown */
  let openShare = null;

  const hide = () => {
    view.hidden = true;
    root?.classList.remove('shared-open');
    document.getElementById('open-shared')?.setAttribute('aria-pressed', 'false');
  };

  const markActive = () => {
    const cur = app.currentNote();
    for (const li of view.querySelectorAll('li[data-note-id]')) {
      const active = !!cur && cur.share === li.closest('li[data-share-id]')?.dataset.shareId && cur.id === li.dataset.noteId;
      li.classList.toggle('active', active);
    }
  };

  /** notesOf fills the share's row with its notes. */
  const notesOf = async (li, sh) => {
    const box = li.querySelector('.shared-notes');
    clear(box);
    box.append(h('p', { class: 'muted', text: 'Loading…' }));
    try {
      const data = await app.api('GET', `/api/v1/shared/${enc(sh.shareId)}/notes?limit=200`);
      clear(box);
      const notes = data.notes || [];
      if (!notes.length) {
        box.append(h('p', { class: 'muted', text: 'No notes in this folder yet.' }));
        return;
      }
      const ul = h('ul', { class: 'shared-note-list', 'aria-label': `Notes in ${sh.name}` });
      for (const n of notes) {
        const item = h('li', { class: 'shared-note' },
          h('button', { type: 'button', class: 'note-open' },
            h('span', { class: 'note-title', text: n.title || 'Untitled' }),
            h('span', { class: 'note-time', title: fullTime(n.updatedAt), text: when(n.updatedAt) })));
        item.dataset.noteId = n.noteId;
        ul.append(item);
      }
      box.append(ul);
      if (data.total > notes.length) {
        box.append(h('p', { class: 'muted', text: `The ${notes.length} most recent of ${data.total} notes.` }));
      }
      markActive();
    } catch (err) {
      clear(box);
      box.append(h('p', { class: 'share-error', role: 'alert', text: err.message }));
    }
  };

  const shareRow = (sh) => {
    const expanded = sh.shareId === openShare;
    const toggle = h('button', {
      type: 'button', class: 'shared-open-folder', 'aria-expanded': String(expanded),
    },
    h('span', { class: 'shared-name', text: sh.name }),
    h('span', { class: 'shared-meta' },
      h('span', { class: 'shared-owner', text: `from ${sh.owner}` }),
      h('span', { class: 'badge ' + sh.permission, text: sh.permission === 'write' ? 'can edit' : 'read-only' }),
      h('span', { class: 'shared-count', text: sh.noteCount === 1 ? '1 note' : `${sh.noteCount} notes` })));
    const leave = h('button', {
      type: 'button', class: 'secondary small', 'data-action': 'leave',
      'aria-label': `Leave ${sh.name}`, text: 'Leave',
    });
    const li = h('li', { class: 'shared-folder' + (expanded ? ' expanded' : '') },
      h('div', { class: 'shared-folder-head' }, toggle, leave),
      h('div', { class: 'shared-notes', hidden: !expanded }));
    li.dataset.shareId = sh.shareId;
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      for (const other of list.querySelectorAll('li.shared-folder')) {
        if (other === li) continue;
        other.classList.remove('expanded');
        other.querySelector('.shared-open-folder')?.setAttribute('aria-expanded', 'false');
        const box = other.querySelector('.shared-notes');
        if (box) box.hidden = true;
      }
      openShare = open ? sh.shareId : null;
      toggle.setAttribute('aria-expanded', String(open));
      li.classList.toggle('expanded', open);
      const box = li.querySelector('.shared-notes');
      box.hidden = !open;
      if (open) notesOf(li, sh);
    });
    leave.addEventListener('click', async () => {
      const ok = await modal((dialog, close) => {
        const yes = h('button', { type: 'button', class: 'danger', text: 'Leave', onclick: () => close(true) });
        dialog.append(
          h('p', { class: 'modal-message', text: `Leave “${sh.name}”? You lose access to it until ${sh.owner} invites you again.` }),
          h('div', { class: 'modal-actions' },
            h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => close(false) }), yes));
        queueMicrotask(() => yes.focus());
      }, { id: 'leave-dialog', label: `Leave ${sh.name}` });
      if (!ok) return;
      try {
        await app.api('DELETE', `/api/v1/shared/${enc(sh.shareId)}`);
        if (app.currentNote()?.share === sh.shareId) {
          // Close the note: the shell closes the editor when the location
          // no longer names a note.
          history.pushState(null, '', '/app');
          window.dispatchEvent(new PopStateEvent('popstate'));
        }
        if (openShare === sh.shareId) openShare = null;
        li.remove();
        if (!list.children.length) status.textContent = 'Nothing is shared with you.';
        app.toast(`You left “${sh.name}”.`);
      } catch (err) {
        app.toast(err.message, 'error');
      }
    });
    return li;
  };

  const load = async () => {
    status.textContent = 'Loading…';
    try {
      const data = await app.api('GET', '/api/v1/shared');
      const folders = data.folders || [];
      clear(list);
      for (const sh of folders) list.append(shareRow(sh));
      status.textContent = folders.length ? '' : 'Nothing is shared with you yet. When someone shares a folder, its invitation arrives by email.';
      const open = openShare && list.querySelector(`li[data-share-id="${CSS.escape(openShare)}"]`);
      if (open) {
        const sh = folders.find((f) => f.shareId === openShare);
        if (sh) notesOf(open, sh);
      } else {
        openShare = null;
      }
    } catch (err) {
      status.textContent = err.message;
    }
  };

  const show = () => {
    view.hidden = false;
    root?.classList.add('shared-open');
    document.getElementById('open-shared')?.setAttribute('aria-pressed', 'true');
    load();
    closeButton.focus();
  };

  list.addEventListener('click', (e) => {
    const btn = /** @type {HTMLElement} */ (e.target).closest('li[data-note-id] button');
    if (!btn) return;
    const item = btn.closest('li[data-note-id]');
    const share = item.closest('li[data-share-id]')?.dataset.shareId;
    if (!share) return;
    app.openNote(item.dataset.noteId, { share }).then(markActive);
  });
  closeButton.addEventListener('click', hide);
  view.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) {
      e.preventDefault();
      hide();
      document.getElementById('open-shared')?.focus();
    }
  });
  // Choosing one of my folders goes back to my notes.
  document.getElementById('sidebar')?.addEventListener('click', (e) => {
    if (/** @type {HTMLElement} */ (e.target).closest('.folder-select')) hide();
  });
  app.on('note-opened', markActive);

  return { show, hide, toggle: () => (view.hidden ? show() : hide()) };
}

/**
 * mountShared wires sharing into the app: 'share-folder' opens the share
 * dialog for the folder, 'open-shared' shows the folders shared with me.
 * @param {import('./main.js').App} app
 */
export function mountShared(app) {
  let view = null;
  const sharedView = () => (view ||= createSharedView(app));
  app.on('share-folder', ({ folder }) => {
    if (folder && folder.folderId) openShareDialog(app, folder);
  });
  app.on('open-shared', () => sharedView().toggle());
}
