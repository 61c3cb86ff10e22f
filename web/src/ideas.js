// The ideas panel: quick capture (Ctrl/Cmd+Shift+I from anywhere, Enter
// saves), the list of ideas newest first with delete and "make a note",
// and voice capture: the microphone records, Quire transcribes the
// recording into an idea, and the transcript waits for the user to keep
// (edited or not) or discard it.

import './ideas.css';
import { button, el } from './dom.js';

const PAGE = 50;
// MAX_RECORDING_SECONDS ends a recording that runs on: ten minutes of
// speech is far longer than an idea, and far below the 25 MiB upload cap.
const MAX_RECORDING_SECONDS = 600;

/** @param {any} app the App object main.js passes */
export function mountIdeas(app) {
  /** @type {ReturnType<typeof build> | null} */
  let ui = null;
  const state = {
    ideas: /** @type {any[]} */ ([]),
    total: 0,
    loaded: false,
    loading: /** @type {Promise<void>|null} */ (null),
    saving: false,
    highlight: '',
    recorder: /** @type {MediaRecorder|null} */ (null),
    stream: /** @type {MediaStream|null} */ (null),
    chunks: /** @type {Blob[]} */ ([]),
    review: /** @type {any} */ (null),
    starting: false,
    timer: 0,
    startedAt: 0,
  };

  /** show opens the panel, building it the first time. */
  function show() {
    const container = app.panel('ideas') || document.getElementById('ideas-panel');
    if (!container) return null;
    if (!ui || !container.contains(ui.root)) {
      ui = build(container);
      wire(ui);
      // Closing the panel ends a recording: the microphone never stays
      // on out of sight. The transcript waits for review in the panel.
      new MutationObserver(() => {
        if (container.hidden && state.recorder) stopRecording();
      }).observe(container, { attributes: true, attributeFilter: ['hidden'] });
    }
    if (!state.loaded) load();
    return ui;
  }

  /** @param {boolean} [more] load the next page after the ones shown */
  function load(more = false) {
    if (state.loading) return state.loading;
    const offset = more ? state.ideas.length : 0;
    state.loading = (async () => {
      try {
        const res = await app.api('GET', `/api/v1/ideas?limit=${PAGE}&offset=${offset}`);
        state.ideas = more ? state.ideas.concat(res.ideas || []) : (res.ideas || []);
        state.total = res.total || 0;
        state.loaded = true;
        render();
      } catch (err) {
        setStatus(message(err, 'The ideas could not be loaded.'), true);
      } finally {
        state.loading = null;
      }
    })();
    return state.loading;
  }

  function render() {
    if (!ui) return;
    const items = state.ideas.map(ideaItem);
    ui.list.replaceChildren(...items);
    ui.empty.hidden = state.ideas.length > 0;
    ui.more.hidden = state.ideas.length >= state.total;
    ui.count.textContent = state.total ? `(${state.total})` : '';
    if (state.highlight) {
      const li = ui.list.querySelector(`li[data-idea-id="${CSS.escape(state.highlight)}"]`);
      if (li instanceof HTMLElement) {
        li.classList.add('idea-found');
        li.scrollIntoView({ block: 'nearest' });
        const b = li.querySelector('button');
        if (b instanceof HTMLElement) b.focus();
      }
      state.highlight = '';
    }
  }

  /** @param {any} idea */
  function ideaItem(idea) {
    const li = document.createElement('li');
    li.className = 'idea';
    li.dataset.ideaId = idea.ideaId;
    const text = el('p', 'idea-text', idea.text);
    const foot = el('div', 'idea-foot');
    const when = document.createElement('time');
    when.className = 'idea-time';
    when.dateTime = idea.createdAt;
    when.textContent = formatTime(idea.createdAt);
    const promote = button('Make a note', 'idea-promote');
    promote.dataset.action = 'promote';
    promote.setAttribute('aria-label', 'Make a note of this idea');
    const del = button('Delete', 'idea-delete');
    del.dataset.action = 'delete';
    del.setAttribute('aria-label', 'Delete this idea');
    foot.append(when, promote, del);
    li.append(text, foot);
    return li;
  }

  /** @param {string} text */
  async function capture(text) {
    if (!ui || state.saving) return;
    const t = text.trim();
    if (!t) {
      setStatus('Write something first.', true);
      return;
    }
    state.saving = true;
    ui.input.setAttribute('aria-busy', 'true');
    try {
      const res = await app.api('POST', '/api/v1/ideas', { text: t });
      ui.input.value = '';
      const now = new Date().toISOString();
      state.ideas.unshift({ ideaId: res.ideaId, text: t, folderId: null, createdAt: now, updatedAt: now });
      state.total++;
      render();
      setStatus('Idea saved.');
    } catch (err) {
      setStatus(message(err, 'The idea was not saved.'), true);
    } finally {
      state.saving = false;
      ui.input.removeAttribute('aria-busy');
      ui.input.focus();
    }
  }

  /** @param {string} id */
  async function remove(id) {
    try {
      await app.api('DELETE', `/api/v1/ideas/${encodeURIComponent(id)}`);
      drop(id);
      setStatus('Idea deleted.');
    } catch (err) {
      setStatus(message(err, 'The idea was not deleted.'), true);
    }
  }

  /** @param {string} id */
  async function promote(id) {
    try {
      const res = await app.api('POST', `/api/v1/ideas/${encodeURIComponent(id)}/promote`, {});
      drop(id);
      app.emit('notes-changed', {});
      setStatus('The idea is now a note.');
      await app.openNote(res.noteId);
    } catch (err) {
      setStatus(message(err, 'The idea could not become a note.'), true);
    }
  }

  /** @param {string} id */
  function drop(id) {
    const before = state.ideas.length;
    state.ideas = state.ideas.filter((i) => i.ideaId !== id);
    state.total = Math.max(0, state.total - (before - state.ideas.length));
    render();
  }

  /** @param {string} text @param {boolean} [error] */
  function setStatus(text, error = false) {
    if (!ui) return;
    ui.status.textContent = text;
    ui.status.classList.toggle('error', error);
  }

  // Voice capture.

  async function toggleRecording() {
    if (state.recorder) {
      stopRecording();
      return;
    }
    // A second press while the microphone starts would open a second one.
    if (!ui || state.starting) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof MediaRecorder === 'undefined') {
      setStatus('This browser cannot record audio. Type the idea instead.', true);
      return;
    }
    let stream;
    const button = ui.voice;
    state.starting = true;
    button.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      const name = err && err.name;
      if (name === 'NotAllowedError' || name === 'SecurityError') {
        setStatus('Microphone access was denied. Allow the microphone for this site in the browser\'s settings to record.', true);
      } else if (name === 'NotFoundError' || name === 'OverconstrainedError') {
        setStatus('No microphone was found.', true);
      } else {
        setStatus('The microphone could not be started.', true);
      }
      return;
    } finally {
      state.starting = false;
      button.disabled = false;
    }
    if (!ui || state.recorder) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    const type = recordingType();
    let rec;
    try {
      rec = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
    } catch {
      stream.getTracks().forEach((t) => t.stop());
      setStatus('This browser cannot record audio in a format Quire reads.', true);
      return;
    }
    state.stream = stream;
    state.recorder = rec;
    state.chunks = [];
    rec.addEventListener('dataavailable', (e) => { if (e.data && e.data.size) state.chunks.push(e.data); });
    rec.addEventListener('stop', () => finishRecording(rec.mimeType || type || 'audio/webm'));
    rec.start(250);
    state.startedAt = Date.now();
    ui.voice.setAttribute('aria-pressed', 'true');
    ui.voice.classList.add('recording');
    ui.voiceLabel.textContent = 'Stop recording';
    setStatus('Recording… 0:00');
    state.timer = window.setInterval(() => {
      const s = Math.floor((Date.now() - state.startedAt) / 1000);
      setStatus(`Recording… ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`);
      if (s >= MAX_RECORDING_SECONDS) stopRecording(); // well within the upload limit
    }, 500);
  }

  function stopRecording() {
    const rec = state.recorder;
    if (!rec) return;
    clearInterval(state.timer);
    if (rec.state !== 'inactive') rec.stop();
    if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
    state.stream = null;
  }

  /** @param {string} mime */
  async function finishRecording(mime) {
    state.recorder = null;
    // The recorder can stop on its own (the microphone went away): the
    // clock and the microphone stop with it.
    clearInterval(state.timer);
    if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
    state.stream = null;
    if (!ui) return;
    ui.voice.setAttribute('aria-pressed', 'false');
    ui.voice.classList.remove('recording');
    ui.voiceLabel.textContent = 'Record an idea';
    const blob = new Blob(state.chunks, { type: mime.split(';')[0] });
    state.chunks = [];
    if (!blob.size) {
      setStatus('Nothing was recorded.', true);
      return;
    }
    setStatus('Transcribing…');
    ui.voice.disabled = true;
    const form = new FormData();
    form.append('audio', blob, 'voice-note' + extensionOf(mime));
    try {
      // api() speaks JSON; a form needs fetch, which sets the multipart
      // boundary itself.
      const res = await fetch('/api/v1/voice-notes', {
        method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
      const data = await res.json().catch(() => null);
      if (!res.ok) {
        const detail = (data && data.error) || {};
        if (res.status === 401) window.dispatchEvent(new CustomEvent('quire:signed-out'));
        throw Object.assign(new Error(detail.message || `The recording was refused (${res.status}).`), { status: res.status });
      }
      startReview(data.idea, data.truncated);
    } catch (err) {
      setStatus(message(err, 'The recording could not be transcribed.'), true);
    } finally {
      ui.voice.disabled = false;
    }
  }

  /** @param {any} idea @param {boolean} truncated */
  function startReview(idea, truncated) {
    if (!ui) return;
    state.review = idea;
    ui.review.hidden = false;
    ui.transcript.value = idea.text;
    ui.reviewNote.textContent = truncated
      ? 'The transcript was cut to the longest idea Quire keeps. Check it, then keep or discard it.'
      : 'Check the transcript, then keep or discard it.';
    setStatus('Transcript ready to review.');
    ui.transcript.focus();
  }

  async function keepReview() {
    const idea = state.review;
    if (!ui || !idea) return;
    const text = ui.transcript.value.trim();
    if (!text) {
      setStatus('The transcript is empty: discard it, or write the idea.', true);
      return;
    }
    try {
      let saved = idea;
      if (text !== idea.text) {
        saved = await app.api('PATCH', `/api/v1/ideas/${encodeURIComponent(idea.ideaId)}`, { text });
      }
      endReview();
      state.ideas = [saved].concat(state.ideas.filter((i) => i.ideaId !== saved.ideaId));
      state.total++;
      render();
      setStatus('Idea saved.');
      ui.input.focus();
    } catch (err) {
      setStatus(message(err, 'The idea was not saved.'), true);
    }
  }

  async function discardReview() {
    const idea = state.review;
    if (!ui || !idea) return;
    try {
      await app.api('DELETE', `/api/v1/ideas/${encodeURIComponent(idea.ideaId)}`);
      endReview();
      setStatus('Recording discarded.');
      ui.voice.focus();
    } catch (err) {
      if (err && err.status === 404) {
        endReview();
        return;
      }
      setStatus(message(err, 'The transcript was not discarded.'), true);
    }
  }

  function endReview() {
    state.review = null;
    if (!ui) return;
    ui.review.hidden = true;
    ui.transcript.value = '';
  }

  /** @param {ReturnType<typeof build>} u */
  function wire(u) {
    u.form.addEventListener('submit', (e) => {
      e.preventDefault();
      capture(u.input.value);
    });
    u.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        capture(u.input.value);
      }
    });
    u.list.addEventListener('click', (e) => {
      const b = e.target instanceof Element ? e.target.closest('button[data-action]') : null;
      const li = b ? b.closest('li[data-idea-id]') : null;
      if (!(b instanceof HTMLElement) || !(li instanceof HTMLElement)) return;
      const id = li.dataset.ideaId || '';
      if (b.dataset.action === 'delete') remove(id);
      else if (b.dataset.action === 'promote') promote(id);
    });
    u.more.addEventListener('click', () => load(true));
    u.voice.addEventListener('click', toggleRecording);
    u.keep.addEventListener('click', keepReview);
    u.discard.addEventListener('click', discardReview);
    u.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && state.recorder) {
        e.preventDefault();
        stopRecording();
      }
    });
  }

  const opener = document.getElementById('open-ideas');
  if (opener) {
    opener.setAttribute('aria-keyshortcuts', 'Control+Shift+I Meta+Shift+I');
    opener.addEventListener('click', () => {
      const u = show();
      if (u) u.input.focus();
    });
  }
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && (e.code === 'KeyI' || e.key === 'I' || e.key === 'i')) {
      e.preventDefault();
      e.stopPropagation();
      const u = show();
      if (u) {
        u.input.focus();
        u.input.select();
      }
    }
  }, true);
  app.on('show-idea', (detail) => {
    state.highlight = (detail && detail.ideaId) || '';
    const u = show();
    if (u && state.loaded) load();
  });
}

/** build makes the panel's elements inside container. @param {HTMLElement} container */
function build(container) {
  const root = el('div', 'ideas');
  const head = el('div', 'panel-head');
  const h = el('h2', 'panel-title', 'Ideas ');
  h.id = 'ideas-title';
  const count = el('span', 'ideas-count');
  h.append(count);
  head.append(h);
  container.setAttribute('role', 'region');
  container.setAttribute('aria-labelledby', 'ideas-title');

  const form = /** @type {HTMLFormElement} */ (el('form', 'idea-form'));
  const label = el('label', 'idea-label', 'Capture an idea');
  label.setAttribute('for', 'idea-input');
  const input = /** @type {HTMLTextAreaElement} */ (el('textarea', 'idea-input'));
  input.id = 'idea-input';
  input.rows = 2;
  input.maxLength = 10000;
  input.placeholder = 'An idea… (Enter saves, Shift+Enter for a new line)';
  input.setAttribute('aria-describedby', 'ideas-status');
  const row = el('div', 'idea-actions');
  const save = button('Save idea', 'idea-save');
  save.type = 'submit';
  const voice = button('', 'voice-button');
  voice.id = 'voice-button';
  voice.setAttribute('aria-pressed', 'false');
  const dot = el('span', 'voice-dot');
  dot.setAttribute('aria-hidden', 'true');
  const voiceLabel = el('span', 'voice-label', 'Record an idea');
  voice.append(dot, voiceLabel);
  row.append(save, voice);
  form.append(label, input, row);

  const status = el('p', 'ideas-status');
  status.id = 'ideas-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');

  const review = el('div', 'voice-review');
  review.id = 'voice-review';
  review.hidden = true;
  const tLabel = el('label', 'idea-label', 'Transcript');
  tLabel.setAttribute('for', 'voice-transcript');
  const transcript = /** @type {HTMLTextAreaElement} */ (el('textarea', 'voice-transcript'));
  transcript.id = 'voice-transcript';
  transcript.rows = 4;
  transcript.maxLength = 10000;
  const reviewNote = el('p', 'voice-note');
  const reviewRow = el('div', 'idea-actions');
  const keep = button('Keep idea', 'voice-keep');
  keep.id = 'voice-keep';
  const discard = button('Discard', 'voice-discard');
  discard.id = 'voice-discard';
  reviewRow.append(keep, discard);
  review.append(tLabel, transcript, reviewNote, reviewRow);

  const list = el('ul', 'ideas-list');
  list.id = 'ideas-list';
  list.setAttribute('aria-label', 'Ideas, newest first');
  const empty = el('p', 'ideas-empty', 'No ideas yet. Capture one above, or press Ctrl+Shift+I anywhere.');
  empty.hidden = true;
  const more = button('Show more', 'ideas-more');
  more.hidden = true;

  root.append(head, form, status, review, list, empty, more);
  container.replaceChildren(root);
  return { root, input, form, voice, voiceLabel, status, review, transcript, reviewNote, keep, discard, list, empty, more, count };
}

/** recordingType is a recording format both the browser and Quire know. */
function recordingType() {
  for (const t of ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4']) {
    if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(t)) return t;
  }
  return '';
}

/** @param {string} mime */
function extensionOf(mime) {
  if (mime.startsWith('audio/ogg')) return '.ogg';
  if (mime.startsWith('audio/mp4')) return '.m4a';
  if (mime.startsWith('audio/wav')) return '.wav';
  return '.webm';
}

/** @param {string} iso */
function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString();
}

/** @param {any} err @param {string} fallback */
function message(err, fallback) {
  return (err && err.message) || fallback;
}

