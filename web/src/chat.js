// The chat panel: conversations with the workspace's AI. Answers stream
// as server-sent events read from fetch's body (so the request can carry
// a JSON body and be stopped with an AbortController), render as they
// arrive through DOM building only (model output never becomes HTML
// markup), and list their sources: notes open in the editor, web pages in
// a new tab. Each answer can be saved as a note.

import './chat.css';
import { button, el, option } from './dom.js';

/** @param {any} app the App object main.js passes */
export function mountChat(app) {
  /** @type {ReturnType<typeof build> | null} */
  let ui = null;
  const state = {
    loaded: false,
    chats: /** @type {any[]} */ ([]),
    defaultModel: '',
    /** @type {string[]} */
    models: [],
    webSearch: false,
    chat: /** @type {any} */ (null),
    streaming: /** @type {AbortController|null} */ (null),
  };

  function show() {
    const container = app.panel('chat') || document.getElementById('chat-panel');
    if (!container) return null;
    if (!ui || !container.contains(ui.root)) {
      ui = build(container);
      wire(ui);
      state.loaded = false;
    }
    syncCurrent();
    if (!state.loaded) loadChats(true);
    return ui;
  }

  /** @param {boolean} openLatest open the most recent conversation */
  async function loadChats(openLatest) {
    try {
      const res = await app.api('GET', '/api/v1/chats?limit=50');
      state.loaded = true;
      state.chats = res.chats || [];
      state.defaultModel = res.defaultModel || '';
      state.models = Array.isArray(res.models) ? res.models : [];
      state.webSearch = !!res.webSearch;
      renderChatList();
      renderModels();
      if (ui) {
        ui.ctxWeb.disabled = !state.webSearch;
        ui.ctxWebLabel.title = state.webSearch ? 'Answer with a web search' : 'Web search is not configured on this server';
        if (!state.webSearch) ui.ctxWeb.checked = false;
      }
      if (openLatest && !state.chat && state.chats.length) await openChat(state.chats[0].conversationId);
      else if (!state.chat) renderMessages([]);
    } catch (err) {
      setStatus(message(err, 'The conversations could not be loaded.'), true);
    }
  }

  function renderChatList() {
    if (!ui) return;
    const sel = ui.chatSelect;
    sel.replaceChildren(option('', 'New conversation'));
    for (const c of state.chats) sel.append(option(c.conversationId, c.title || 'Untitled conversation'));
    sel.value = state.chat ? state.chat.conversationId : '';
    ui.deleteChat.disabled = !state.chat;
  }

  function renderModels() {
    if (!ui) return;
    const models = [];
    const add = (/** @type {string} */ m) => { if (m && !models.includes(m)) models.push(m); };
    add(state.chat && state.chat.model);
    add(state.defaultModel);
    for (const m of state.models) add(m);
    const keep = ui.model.value;
    ui.model.replaceChildren(...models.map((m) => option(m, m === state.defaultModel ? `${m} (default)` : m)));
    ui.model.value = models.includes(keep) && state.chat === ui.modelFor ? keep : models[0] || '';
    ui.modelFor = state.chat;
    ui.model.disabled = models.length === 0;
  }

  /** @param {string} id */
  async function openChat(id) {
    if (state.streaming) state.streaming.abort();
    try {
      const res = await app.api('GET', `/api/v1/chats/${encodeURIComponent(id)}`);
      state.chat = res.chat;
      renderChatList();
      renderModels();
      renderMessages(res.messages || []);
      setStatus('');
    } catch (err) {
      setStatus(message(err, 'The conversation could not be opened.'), true);
    }
  }

  function newChat() {
    if (state.streaming) state.streaming.abort();
    state.chat = null;
    renderChatList();
    renderModels();
    renderMessages([]);
    if (ui) ui.input.focus();
  }

  async function deleteChat() {
    const c = state.chat;
    if (!c || !ui) return;
    if (!window.confirm(`Delete the conversation “${c.title || 'Untitled conversation'}”?`)) return;
    try {
      await app.api('DELETE', `/api/v1/chats/${encodeURIComponent(c.conversationId)}`);
      state.chats = state.chats.filter((x) => x.conversationId !== c.conversationId);
      newChat();
      setStatus('Conversation deleted.');
    } catch (err) {
      setStatus(message(err, 'The conversation was not deleted.'), true);
    }
  }

  /** @param {any[]} messages */
  function renderMessages(messages) {
    if (!ui) return;
    ui.messages.replaceChildren();
    for (const m of messages) {
      if (m.role === 'user') ui.messages.append(userBubble(m.content));
      else {
        const a = answerView();
        a.set(m.content);
        a.sources(m.sources || []);
        a.finish(m);
        ui.messages.append(a.root);
      }
    }
    ui.empty.hidden = messages.length > 0;
    scrollToEnd(true);
  }

  /**
   * answerView is one assistant message, filled in as it streams; asked
   * gives the stored ID of the question it answers, once known.
   * @param {() => string} [asked]
   */
  function answerView(asked = () => '') {
    const root = el('div', 'chat-message assistant');
    const body = el('div', 'chat-body');
    body.setAttribute('aria-busy', 'true');
    const src = el('div', 'chat-sources');
    src.hidden = true;
    const foot = el('div', 'chat-foot');
    const note = el('span', 'chat-state');
    const save = button('Save as note', 'chat-save-note');
    save.disabled = true;
    foot.append(note, save);
    root.append(body, src, foot);
    let text = '';
    let frame = 0;
    /** @type {string} */
    let messageId = '';
    const draw = () => {
      frame = 0;
      body.replaceChildren(renderMarkdown(text));
    };
    save.addEventListener('click', () => saveAsNote(messageId, text, save, asked()));
    return {
      root,
      /** @param {string} t */
      set(t) { text = t; draw(); },
      /** @param {string} t */
      append(t) {
        text += t;
        root.dataset.chars = String(text.length);
        if (!frame) frame = requestAnimationFrame(draw);
      },
      text: () => text,
      /** @param {any[]} list */
      sources(list) {
        const items = (list || []).map(sourceItem).filter(Boolean);
        src.hidden = items.length === 0;
        if (!items.length) return;
        const ul = document.createElement('ul');
        ul.append(...items);
        src.replaceChildren(el('span', 'chat-sources-title', 'Sources'), ul);
      },
      /** @param {any} m the stored answer, or null when it never arrived */
      finish(m) {
        if (frame) cancelAnimationFrame(frame);
        draw();
        body.removeAttribute('aria-busy');
        root.classList.remove('streaming');
        if (m) {
          messageId = m.messageId || '';
          root.dataset.messageId = messageId;
          root.dataset.status = m.status || 'complete';
          if (m.status === 'cancelled') note.textContent = 'Stopped.';
          else if (m.status === 'failed') note.textContent = 'The answer ended early.';
          else if (m.model) note.textContent = m.model;
        }
        save.disabled = !text;
      },
      /** @param {string} why */
      stopped(why) {
        if (frame) cancelAnimationFrame(frame);
        draw();
        body.removeAttribute('aria-busy');
        root.classList.remove('streaming');
        root.dataset.status = 'cancelled';
        note.textContent = why;
        save.disabled = !text;
      },
    };
  }

  /** @param {any} s a Source */
  function sourceItem(s) {
    const li = document.createElement('li');
    li.className = 'chat-source chat-source-' + s.kind;
    const a = document.createElement('a');
    if (s.kind === 'web') {
      const url = safeURL(s.url);
      if (!url) return null;
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = s.title || new URL(url).host;
    } else if (s.kind === 'note' && s.id) {
      a.href = '#note-' + encodeURIComponent(s.id);
      a.dataset.noteId = s.id;
      a.textContent = s.title || 'Untitled note';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        app.openNote(s.id);
      });
    } else if (s.kind === 'idea' && s.id) {
      a.href = '#idea-' + encodeURIComponent(s.id);
      a.dataset.ideaId = s.id;
      a.textContent = s.title || 'An idea';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        app.emit('show-idea', { ideaId: s.id });
      });
    } else {
      return null;
    }
    li.append(el('span', 'chat-source-kind', s.kind === 'web' ? 'Web' : s.kind === 'note' ? 'Note' : 'Idea'), a);
    return li;
  }

  /**
   * saveAsNote saves an answer as a note and opens it. An answer stopped
   * before its stored copy arrived is looked up in the conversation first:
   * the answer stored after its question (by the question's ID), else the
   * last one with its text.
   * @param {string} messageId @param {string} text @param {HTMLButtonElement} b
   * @param {string} [questionId]
   */
  async function saveAsNote(messageId, text, b, questionId = '') {
    const c = state.chat;
    if (!c) return;
    b.disabled = true;
    try {
      let id = messageId;
      if (!id) {
        const res = await app.api('GET', `/api/v1/chats/${encodeURIComponent(c.conversationId)}`);
        const msgs = res.messages || [];
        const q = questionId ? msgs.findIndex((m) => m.messageId === questionId) : -1;
        const found = q >= 0
          ? msgs.slice(q + 1).find((m) => m.role === 'assistant')
          : msgs.filter((m) => m.role === 'assistant' && m.content === text).pop();
        if (!found) throw new Error('The answer is not stored yet; try again in a moment.');
        id = found.messageId;
      }
      const res = await app.api('POST', `/api/v1/chats/${encodeURIComponent(c.conversationId)}/messages/${encodeURIComponent(id)}/note`);
      app.emit('notes-changed', {});
      app.toast('The answer is saved as a note.', 'info');
      await app.openNote(res.noteId);
    } catch (err) {
      setStatus(message(err, 'The answer was not saved as a note.'), true);
    } finally {
      b.disabled = false;
    }
  }

  async function sendMessage() {
    if (!ui || state.streaming) return;
    const content = ui.input.value.trim();
    if (!content) {
      setStatus('Write a question first.', true);
      ui.input.focus();
      return;
    }
    setStatus('');
    const u = ui;
    const controller = new AbortController();
    state.streaming = controller;
    setStreaming(true);
    const question = userBubble(content);
    u.messages.append(question);
    u.empty.hidden = true;
    const answer = answerView(() => question.dataset.messageId || '');
    answer.root.classList.add('streaming');
    u.messages.append(answer.root);
    scrollToEnd(true);
    u.input.value = '';
    let finished = false;
    try {
      if (!state.chat) {
        const title = firstLine(content, 80);
        const created = await app.api('POST', '/api/v1/chats', { title, model: u.model.value || null }, { signal: controller.signal });
        state.chat = created;
        state.chats.unshift(created);
        renderChatList();
      }
      const chat = state.chat;
      const body = { content, context: contextOptions() };
      if (u.model.value && u.model.value !== chat.model) body.model = u.model.value;
      const res = await app.api('POST', `/api/v1/chats/${encodeURIComponent(chat.conversationId)}/messages`, body,
        { raw: true, signal: controller.signal, headers: { Accept: 'text/event-stream' } });
      if (body.model) chat.model = body.model;
      for await (const ev of readEvents(res)) {
        if (ev.event === 'question') {
          question.dataset.messageId = ev.data.messageId || '';
        } else if (ev.event === 'sources') {
          answer.sources(ev.data.sources || []);
        } else if (ev.event === 'delta') {
          answer.append(ev.data.text || '');
          scrollToEnd(false);
        } else if (ev.event === 'done') {
          answer.sources(ev.data.sources || []);
          answer.finish(ev.data);
          finished = true;
        }
      }
      if (!finished) answer.stopped('The answer ended early.');
      bumpChat(chat);
    } catch (err) {
      if (err && err.name === 'AbortError') {
        answer.stopped('Stopped.');
      } else if (question.dataset.messageId) {
        // The stream broke after the question was stored: keep what came.
        answer.stopped('The connection was lost; the answer may be incomplete.');
      } else {
        // Nothing was stored: give the question back to edit.
        answer.root.remove();
        question.remove();
        if (!u.input.value.trim()) u.input.value = content;
        setStatus(message(err, 'The question could not be sent.'), true);
      }
    } finally {
      state.streaming = null;
      setStreaming(false);
      scrollToEnd(false);
    }
  }

  /** @param {any} chat move the conversation to the top of the list */
  function bumpChat(chat) {
    state.chats = [chat].concat(state.chats.filter((c) => c.conversationId !== chat.conversationId));
    renderChatList();
  }

  function contextOptions() {
    if (!ui) return null;
    const cur = typeof app.currentNote === 'function' ? app.currentNote() : null;
    const ctx = { notes: ui.ctxNotes.checked, ideas: ui.ctxIdeas.checked, web: ui.ctxWeb.checked && state.webSearch, noteId: null };
    if (ui.ctxCurrent.checked && cur && cur.id && !cur.share) ctx.noteId = cur.id;
    return ctx;
  }

  /** syncCurrent offers "current note" only while a note of the user's own is open. */
  function syncCurrent() {
    if (!ui) return;
    const cur = typeof app.currentNote === 'function' ? app.currentNote() : null;
    const ok = !!(cur && cur.id && !cur.share);
    ui.ctxCurrent.disabled = !ok;
    ui.ctxCurrentLabel.title = ok ? `Include “${cur.title || 'Untitled'}”` : 'Open a note of your own to include it';
    ui.ctxCurrentName.textContent = ok ? `Current note (${clip(cur.title || 'Untitled', 24)})` : 'Current note';
  }

  /** @param {boolean} on */
  function setStreaming(on) {
    if (!ui) return;
    ui.send.disabled = on;
    ui.stop.disabled = !on;
    ui.stop.hidden = !on;
    ui.send.hidden = on;
    ui.chatSelect.disabled = on;
    ui.newChat.disabled = on;
    ui.root.classList.toggle('is-streaming', on);
    // Screen readers wait for the whole answer instead of hearing each piece.
    if (on) ui.messages.setAttribute('aria-busy', 'true');
    else ui.messages.removeAttribute('aria-busy');
    // Focus stays in (or goes back to) the question box: moving it to
    // Stop on Enter would let the same key press activate Stop.
    const a = document.activeElement;
    if (a === ui.send || a === ui.stop || a === document.body || a === null) ui.input.focus();
  }

  /** @param {boolean} force scroll even when the reader scrolled up */
  function scrollToEnd(force) {
    if (!ui) return;
    const m = ui.messages;
    if (force || m.scrollHeight - m.scrollTop - m.clientHeight < 80) m.scrollTop = m.scrollHeight;
  }

  /** @param {string} text @param {boolean} [error] */
  function setStatus(text, error = false) {
    if (!ui) return;
    ui.status.textContent = text;
    ui.status.classList.toggle('error', error);
  }

  /** @param {ReturnType<typeof build>} u */
  function wire(u) {
    u.form.addEventListener('submit', (e) => {
      e.preventDefault();
      sendMessage();
    });
    u.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        sendMessage();
      }
    });
    u.stop.addEventListener('click', () => { if (state.streaming) state.streaming.abort(); });
    u.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && state.streaming) {
        e.preventDefault();
        state.streaming.abort();
      }
    });
    u.chatSelect.addEventListener('change', () => {
      if (u.chatSelect.value) openChat(u.chatSelect.value);
      else newChat();
    });
    u.newChat.addEventListener('click', newChat);
    u.deleteChat.addEventListener('click', deleteChat);
  }

  const opener = document.getElementById('open-chat');
  if (opener) {
    opener.addEventListener('click', () => {
      const u = show();
      if (u) u.input.focus();
    });
  }
  app.on('note-opened', syncCurrent);
  app.on('note-saved', syncCurrent);
}

/**
 * readEvents yields the server-sent events of a response body as
 * {event, data}, data decoded from JSON. It follows the format's rules
 * that matter here: events end at a blank line, "data:" lines join with
 * newlines, one leading space after the colon is dropped, and lines
 * starting with a colon are comments.
 * @param {Response} res
 * @returns {AsyncGenerator<{event: string, data: any}>}
 */
export async function* readEvents(res) {
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let event = '';
  /** @type {string[]} */
  let data = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buf += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        // A CR that ends the chunk may be the first half of a CRLF.
        if (!done && nl === buf.length - 1 && buf[nl] === '\r') break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (data.length) {
            let parsed;
            try {
              parsed = JSON.parse(data.join('\n'));
            } catch {
              parsed = null;
            }
            if (parsed !== null) yield { event: event || 'message', data: parsed };
          }
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v.startsWith(' ')) v = v.slice(1);
        if (field === 'event') event = v;
        else if (field === 'data') data.push(v);
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/** How deep quotes nest in a rendered answer; deeper `>` stay text. */
const MAX_QUOTE_DEPTH = 8;

/**
 * renderMarkdown builds the common markdown of answers as DOM nodes:
 * headings, paragraphs, lists, quotes, fenced code, rules, and inline
 * code, bold, italic, strike and links (http, https and mailto only).
 * Text is only ever set as text. Quotes nest MAX_QUOTE_DEPTH deep at most.
 * @param {string} src
 * @param {number} [depth] how many quotes src is inside
 */
export function renderMarkdown(src, depth = 0) {
  const frag = document.createDocumentFragment();
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  /** @type {string[]} */
  let para = [];
  const flush = () => {
    if (para.length) {
      const p = document.createElement('p');
      inline(p, para.join('\n'));
      frag.append(p);
      para = [];
    }
  };
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if ((m = /^\s*(```|~~~)(.*)$/.exec(line))) {
      flush();
      const fence = m[1];
      const code = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence)) code.push(lines[i++]);
      i++;
      const pre = document.createElement('pre');
      const c = document.createElement('code');
      const lang = m[2].trim().split(/\s+/)[0];
      if (/^[\w+-]{1,20}$/.test(lang)) c.dataset.lang = lang;
      c.textContent = code.join('\n');
      pre.append(c);
      frag.append(pre);
      continue;
    }
    if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
      flush();
      const h = document.createElement('h' + Math.min(6, m[1].length + 2));
      inline(h, m[2]);
      frag.append(h);
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      frag.append(document.createElement('hr'));
      i++;
      continue;
    }
    if (depth < MAX_QUOTE_DEPTH && /^\s*>/.test(line)) {
      flush();
      const quote = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quote.push(lines[i++].replace(/^\s*>\s?/, ''));
      const bq = document.createElement('blockquote');
      bq.append(renderMarkdown(quote.join('\n'), depth + 1));
      frag.append(bq);
      continue;
    }
    if ((m = /^\s*([-*+]|\d{1,9}[.)])\s+/.exec(line))) {
      flush();
      const ordered = /\d/.test(m[1]);
      const list = document.createElement(ordered ? 'ol' : 'ul');
      if (ordered) {
        const start = parseInt(m[1], 10);
        if (start !== 1) list.setAttribute('start', String(start));
      }
      const item = ordered ? /^\s*\d{1,9}[.)]\s+(.*)$/ : /^\s*[-*+]\s+(.*)$/;
      /** @type {HTMLElement|null} */
      let li = null;
      while (i < lines.length) {
        const im = item.exec(lines[i]);
        if (im) {
          li = document.createElement('li');
          inline(li, im[1]);
          list.append(li);
          i++;
        } else if (li && /^\s{2,}\S/.test(lines[i])) {
          li.append('\n');
          inline(li, lines[i].trim());
          i++;
        } else {
          break;
        }
      }
      frag.append(list);
      continue;
    }
    if (line.trim() === '') {
      flush();
      i++;
      continue;
    }
    para.push(line);
    i++;
  }
  flush();
  return frag;
}

/**
 * inline appends text with inline markdown to parent.
 * @param {Node} parent @param {string} text
 */
function inline(parent, text) {
  const re = /`([^`\n]+)`|\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|~~([^~\n]+?)~~|\*([^*\n]+?)\*|(?<![\w])_([^_\n]+?)_(?![\w])|\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  let at = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > at) parent.appendChild(document.createTextNode(text.slice(at, m.index)));
    at = re.lastIndex;
    if (m[1] !== undefined) {
      const c = document.createElement('code');
      c.textContent = m[1];
      parent.appendChild(c);
    } else if (m[2] !== undefined || m[3] !== undefined) {
      const b = document.createElement('strong');
      inline(b, m[2] !== undefined ? m[2] : m[3]);
      parent.appendChild(b);
    } else if (m[4] !== undefined) {
      const s = document.createElement('s');
      inline(s, m[4]);
      parent.appendChild(s);
    } else if (m[5] !== undefined || m[6] !== undefined) {
      const e = document.createElement('em');
      inline(e, m[5] !== undefined ? m[5] : m[6]);
      parent.appendChild(e);
    } else if (m[7] !== undefined) {
      const url = safeURL(m[8]);
      if (url) {
        parent.appendChild(link(url, m[7]));
      } else {
        parent.appendChild(document.createTextNode(m[7]));
      }
    } else if (m[9] !== undefined) {
      const url = safeURL(m[9]);
      parent.appendChild(url ? link(url, m[9]) : document.createTextNode(m[9]));
    }
  }
  if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
}

/** @param {string} url @param {string} text */
function link(url, text) {
  const a = document.createElement('a');
  a.href = url;
  a.textContent = text;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

/**
 * safeURL returns url when it is an absolute http(s) or mailto URL, and ''
 * otherwise (javascript:, data: and relative URLs are dropped).
 * @param {any} url
 */
export function safeURL(url) {
  if (typeof url !== 'string') return '';
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:' ? u.href : '';
  } catch {
    return '';
  }
}

/** @param {string} text */
function userBubble(text) {
  const d = el('div', 'chat-message user');
  const body = el('div', 'chat-body');
  for (const [i, part] of text.split('\n').entries()) {
    if (i) body.append(document.createElement('br'));
    body.append(part);
  }
  d.append(body);
  return d;
}

/** @param {string} s @param {number} n */
function firstLine(s, n) {
  const line = s.trim().split('\n')[0].replace(/^#+\s*/, '');
  return clip(line, n);
}

/** @param {string} s @param {number} n */
function clip(s, n) {
  const chars = Array.from(s);
  return chars.length > n ? chars.slice(0, n - 1).join('') + '…' : s;
}

/** build makes the panel's elements in container. @param {HTMLElement} container */
function build(container) {
  const root = el('div', 'chat');
  const head = el('div', 'panel-head');
  const h = el('h2', 'panel-title', 'Chat');
  h.id = 'chat-title';
  head.append(h);
  container.setAttribute('role', 'region');
  container.setAttribute('aria-labelledby', 'chat-title');

  const bar = el('div', 'chat-bar');
  const convLabel = el('label', 'chat-field');
  const chatSelect = /** @type {HTMLSelectElement} */ (document.createElement('select'));
  chatSelect.id = 'chat-select';
  convLabel.append(el('span', 'chat-field-name', 'Conversation'), chatSelect);
  const newChat = button('New', 'chat-new');
  newChat.id = 'chat-new';
  newChat.setAttribute('aria-label', 'New conversation');
  const deleteChat = button('Delete', 'chat-delete');
  deleteChat.id = 'chat-delete';
  deleteChat.setAttribute('aria-label', 'Delete this conversation');
  deleteChat.disabled = true;
  const modelLabel = el('label', 'chat-field');
  const model = /** @type {HTMLSelectElement & {}} */ (document.createElement('select'));
  model.id = 'chat-model';
  modelLabel.append(el('span', 'chat-field-name', 'Model'), model);
  bar.append(convLabel, newChat, deleteChat, modelLabel);

  const ctx = el('fieldset', 'chat-context');
  ctx.append(el('legend', '', 'Answer from'));
  const box = (/** @type {string} */ id, /** @type {string} */ text) => {
    const l = el('label', 'chat-toggle');
    const c = /** @type {HTMLInputElement} */ (document.createElement('input'));
    c.type = 'checkbox';
    c.id = id;
    const name = el('span', '', text);
    l.append(c, name);
    ctx.append(l);
    return { label: l, box: c, name };
  };
  const notes = box('ctx-notes', 'Notes');
  notes.box.checked = true;
  const ideas = box('ctx-ideas', 'Ideas');
  const current = box('ctx-current', 'Current note');
  const web = box('ctx-web', 'Web');

  const messages = el('div', 'chat-messages');
  messages.id = 'chat-messages';
  messages.setAttribute('role', 'log');
  messages.setAttribute('aria-live', 'polite');
  messages.setAttribute('aria-label', 'Conversation');
  messages.tabIndex = 0;
  const empty = el('p', 'chat-empty', 'Ask about your notes and ideas. Answers list the sources they draw on.');

  const status = el('p', 'chat-status');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');

  const form = /** @type {HTMLFormElement} */ (el('form', 'chat-form'));
  const inputLabel = el('label', 'visually-hidden', 'Your question');
  inputLabel.setAttribute('for', 'chat-input');
  const input = /** @type {HTMLTextAreaElement} */ (el('textarea', 'chat-input'));
  input.id = 'chat-input';
  input.rows = 2;
  input.placeholder = 'Ask a question… (Enter sends, Shift+Enter for a new line)';
  const send = button('Send', 'chat-send');
  send.id = 'chat-send';
  send.type = 'submit';
  const stop = button('Stop', 'chat-stop');
  stop.id = 'chat-stop';
  stop.disabled = true;
  stop.hidden = true;
  form.append(inputLabel, input, send, stop);

  root.append(head, bar, ctx, empty, messages, status, form);
  container.replaceChildren(root);
  return {
    root, chatSelect, newChat, deleteChat, model, modelFor: /** @type {any} */ (null),
    ctxNotes: notes.box, ctxIdeas: ideas.box, ctxCurrent: current.box, ctxCurrentLabel: current.label, ctxCurrentName: current.name,
    ctxWeb: web.box, ctxWebLabel: web.label, messages, empty, status, form, input, send, stop,
  };
}

/** @param {any} err @param {string} fallback */
function message(err, fallback) {
  return (err && err.message) || fallback;
}

