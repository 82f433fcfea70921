import type { FastifyInstance } from 'fastify';
import { publicPolicy } from '../../platform/policy.js';

/**
 * The minimal accessible visitor chat page, `GET /chat` (EN, or FR with `?lang=fr`): server-rendered, its script
 * and styles served as files (`/chat/chat.js`, `/chat/chat.css`) so the strict CSP (script-src 'self', no inline
 * code) holds. A Quick exit link is always visible: it ends the chat (`quick_close`) and replaces the page with a
 * neutral site, so the back button does not return here. New messages are announced through a polite live region.
 */

type Lang = 'en' | 'fr';

/** Where Quick exit goes: a neutral, common page. */
export const QUICK_EXIT_URL = 'https://www.google.ca/';

const STRINGS: Record<Lang, Record<string, string>> = {
  en: {
    lang: 'en-CA',
    title: 'Chat with an advocate',
    other: 'Français',
    intro:
      'You can write to a trained advocate here. It is confidential and you do not have to give your name. If you are in immediate danger, call 911.',
    quickExit: 'Quick exit',
    quickExitHint: 'Leaves this page at once and ends the chat.',
    start: 'Start the chat',
    messageLabel: 'Your message',
    send: 'Send',
    end: 'End the chat',
    noscript:
      'This chat needs JavaScript. You can also call the hotline, or use the online report form. If you are in immediate danger, call 911.',
    conversation: 'Conversation',
    you: 'You',
    advocate: 'Advocate',
    system: 'Hotline',
    connecting: 'Connecting…',
    waiting: 'Waiting for an advocate. You are number {position} in line.',
    connected: 'An advocate has joined the conversation.',
    unavailable:
      'No advocate is available right now. If you or someone else is in immediate danger, call 911. You can wait here, or send a report with the online form.',
    ended: 'The chat has ended. Thank you for reaching out.',
    typing: 'The advocate is typing…',
    sending: 'Sending…',
    notSent: 'Not sent yet: it will be sent again automatically.',
    reconnecting: 'Connection lost. Reconnecting…',
    reference: 'Your reference number: {reference}',
    read: 'Read',
    reportLink: 'Send a report with the online form',
  },
  fr: {
    lang: 'fr-CA',
    title: 'Clavarder avec une intervenante ou un intervenant',
    other: 'English',
    intro:
      'Vous pouvez écrire ici à une intervenante ou un intervenant formé. C’est confidentiel et vous n’avez pas à donner votre nom. Si vous êtes en danger immédiat, composez le 911.',
    quickExit: 'Sortie rapide',
    quickExitHint: 'Quitte cette page immédiatement et met fin à la conversation.',
    start: 'Commencer la conversation',
    messageLabel: 'Votre message',
    send: 'Envoyer',
    end: 'Terminer la conversation',
    noscript:
      'Ce clavardage nécessite JavaScript. Vous pouvez aussi appeler la ligne d’urgence ou utiliser le formulaire de signalement en ligne. Si vous êtes en danger immédiat, composez le 911.',
    conversation: 'Conversation',
    you: 'Vous',
    advocate: 'Intervenant·e',
    system: 'Ligne d’urgence',
    connecting: 'Connexion…',
    waiting: 'En attente d’une intervenante ou d’un intervenant. Vous êtes au rang {position}.',
    connected: 'Une intervenante ou un intervenant s’est joint à la conversation.',
    unavailable:
      'Aucune intervenante ni aucun intervenant n’est disponible pour le moment. Si vous ou une autre personne êtes en danger immédiat, composez le 911. Vous pouvez attendre ici, ou envoyer un signalement avec le formulaire en ligne.',
    ended: 'La conversation est terminée. Merci de nous avoir écrit.',
    typing: 'L’intervenante ou l’intervenant écrit…',
    sending: 'Envoi…',
    notSent: 'Pas encore envoyé : il sera renvoyé automatiquement.',
    reconnecting: 'Connexion perdue. Reconnexion…',
    reference: 'Votre numéro de référence : {reference}',
    read: 'Lu',
    reportLink: 'Envoyer un signalement avec le formulaire en ligne',
  },
};

function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page. Strings the script needs travel in a JSON data block (not executed, so allowed by the CSP). */
export function chatPage(lang: Lang): string {
  const s = STRINGS[lang];
  const other: Lang = lang === 'en' ? 'fr' : 'en';
  const data = JSON.stringify({ ...s, lang, quickExitUrl: QUICK_EXIT_URL }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${s.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${esc(s.title)}</title><link rel="stylesheet" href="/chat/chat.css"></head>
<body>
<header class="bar">
<a class="quick-exit" id="quick-exit" href="${esc(QUICK_EXIT_URL)}" rel="noreferrer" title="${esc(s.quickExitHint)}">${esc(s.quickExit)}</a>
<a href="/chat?lang=${other}" lang="${STRINGS[other].lang}" id="switch-lang">${esc(s.other)}</a>
</header>
<main>
<h1>${esc(s.title)}</h1>
<p>${esc(s.intro)}</p>
<noscript><p class="notice">${esc(s.noscript)}</p></noscript>
<p id="status" role="status" aria-live="polite" class="status"></p>
<p id="report-link" hidden><a href="/report?lang=${lang}">${esc(s.reportLink)}</a></p>
<p id="reference" class="reference"></p>
<button type="button" id="start" hidden>${esc(s.start)}</button>
<section aria-labelledby="conversation-title">
<h2 id="conversation-title" class="visually-hidden">${esc(s.conversation)}</h2>
<div role="log" aria-live="polite" aria-relevant="additions"><ol id="messages" class="messages"></ol></div>
<p id="typing" class="typing" aria-live="polite"></p>
</section>
<form id="composer" hidden>
<label for="text">${esc(s.messageLabel)}</label>
<textarea id="text" name="text" maxlength="4000" rows="3" required></textarea>
<div class="actions"><button type="submit" id="send">${esc(s.send)}</button>
<button type="button" id="end" class="secondary">${esc(s.end)}</button></div>
</form>
</main>
<footer class="foot"><p><a href="/report?lang=${lang}">${esc(s.reportLink)}</a></p></footer>
<script type="application/json" id="chat-strings">${data}</script>
<script src="/chat/chat.js"></script>
</body></html>`;
}

export const CHAT_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5}
main{max-width:42rem;margin:0 auto;padding:1rem}
.bar{display:flex;justify-content:space-between;align-items:center;gap:1rem;border-bottom:1px solid #ccc;padding:.5rem 1rem;position:sticky;top:0;background:#fff}
.quick-exit{background:#a30000;color:#fff;font-weight:700;padding:.6rem 1.2rem;border-radius:4px;text-decoration:none;font-size:1.1rem}
.quick-exit:hover{background:#7a0000}
h1{font-size:1.5rem}.status{font-weight:600;min-height:1.5em}.reference{color:#444}
.messages{list-style:none;padding:0;margin:1rem 0;display:flex;flex-direction:column;gap:.5rem}
.messages li{padding:.5rem .75rem;border-radius:6px;max-width:85%;white-space:pre-wrap;overflow-wrap:anywhere}
.messages .visitor{align-self:flex-end;background:#e3eefa}.messages .advocate{align-self:flex-start;background:#f1f1f1}
.messages .system{align-self:center;background:#fff7e0}.who{display:block;font-size:.85rem;font-weight:600}
.meta{display:block;font-size:.8rem;color:#555}.typing{min-height:1.5em;color:#444;font-style:italic}
label{display:block;font-weight:600;margin-top:.5rem}textarea{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
.actions{display:flex;gap:.5rem;margin-top:.5rem;flex-wrap:wrap}
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;background:#0b4f8a;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#fff;color:#0b4f8a;border:2px solid #0b4f8a}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}a{color:#0b4f8a}.bar .quick-exit:focus-visible{outline-color:#000}
.notice{border-left:4px solid #b35c00;padding-left:.75rem}
.foot{max-width:42rem;margin:2rem auto 0;padding:1rem;border-top:1px solid #ccc}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
`;

/**
 * The page's script. Unsent messages are kept (in memory and sessionStorage) until their ack arrives and are sent
 * again after a reconnect with the same client id, so the server stores each once; the resume token and the last
 * seq shown live in sessionStorage, which the tab forgets when it closes.
 */
export const CHAT_JS = `(function () {
  'use strict';
  var S = JSON.parse(document.getElementById('chat-strings').textContent);
  var store = window.sessionStorage;
  var KEY = 'harbour.chat';
  var state = load();
  var ws = null;
  var retry = 500;
  var ended = false;
  var typingTimer = null;
  var typingOn = false;
  var el = function (id) { return document.getElementById(id); };
  var messages = el('messages');

  function load() {
    try { return JSON.parse(store.getItem(KEY)) || { token: null, seq: 0, outbox: [], reference: null }; }
    catch (e) { return { token: null, seq: 0, outbox: [], reference: null }; }
  }
  function save() { try { store.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  function fmt(text, values) { return text.replace(/\\{(\\w+)\\}/g, function (_, k) { return values[k]; }); }
  function status(text) { el('status').textContent = text; }
  function newId() {
    var a = new Uint8Array(9); window.crypto.getRandomValues(a);
    return 'c-' + Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function show(from, text, seq, id) {
    if (seq && document.querySelector('[data-seq="' + seq + '"]')) return;
    var li = id ? document.querySelector('[data-id="' + id + '"]') : null;
    if (!li) {
      li = document.createElement('li');
      var who = document.createElement('span'); who.className = 'who';
      who.textContent = from === 'visitor' ? S.you : from === 'advocate' ? S.advocate : S.system;
      var body = document.createElement('span'); body.textContent = text;
      var meta = document.createElement('span'); meta.className = 'meta';
      li.appendChild(who); li.appendChild(body); li.appendChild(meta);
      li.className = from;
      if (id) li.setAttribute('data-id', id);
      messages.appendChild(li);
    }
    if (seq) { li.setAttribute('data-seq', seq); li.lastChild.textContent = ''; }
    else li.lastChild.textContent = S.sending;
  }
  function sendFrame(frame) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; } return false; }
  function flush() { state.outbox.forEach(function (m) { sendFrame({ type: 'message', id: m.id, text: m.text }); }); }
  function setTyping(on) { if (on !== typingOn) { typingOn = on; sendFrame({ type: 'typing', on: on }); } }

  function connect() {
    status(S.connecting);
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(proto + '//' + location.host + '/chat/ws?lang=' + S.lang);
    ws.onopen = function () {
      retry = 500;
      if (state.token) sendFrame({ type: 'resume', token: state.token, after: state.seq });
      else { el('start').hidden = false; status(''); }
    };
    ws.onmessage = function (e) {
      var f; try { f = JSON.parse(e.data); } catch (err) { return; }
      switch (f.type) {
        case 'started':
          state.token = f.token; state.reference = f.reference; state.seq = 0; save();
          el('reference').textContent = fmt(S.reference, { reference: f.reference });
          el('start').hidden = true; el('composer').hidden = false; el('text').focus();
          break;
        case 'resumed':
          state.reference = f.reference; save();
          el('reference').textContent = fmt(S.reference, { reference: f.reference });
          el('start').hidden = true; el('composer').hidden = f.state === 'ended';
          flush();
          break;
        case 'ack':
          state.outbox = state.outbox.filter(function (m) { return m.id !== f.id; });
          save();
          var li = document.querySelector('[data-id="' + f.id + '"]');
          if (li) { li.setAttribute('data-seq', f.seq); li.lastChild.textContent = ''; }
          break;
        case 'message':
          show(f.from, f.text, f.seq, f.id);
          if (f.seq > state.seq) { state.seq = f.seq; save(); }
          if (f.from === 'advocate' && document.visibilityState === 'visible') sendFrame({ type: 'read', seq: f.seq });
          if (f.from === 'advocate') el('typing').textContent = '';
          break;
        case 'typing': el('typing').textContent = f.on ? S.typing : ''; break;
        case 'read':
          Array.prototype.forEach.call(messages.querySelectorAll('li.visitor[data-seq]'), function (n) {
            if (Number(n.getAttribute('data-seq')) <= f.seq) n.lastChild.textContent = S.read;
          });
          break;
        case 'status':
          el('report-link').hidden = f.state === 'waiting' || f.state === 'connected';
          status(f.state === 'waiting' ? fmt(S.waiting, { position: f.position }) : f.state === 'connected' ? S.connected : S.unavailable);
          break;
        case 'ended':
          ended = true; status(S.ended); el('composer').hidden = true; el('typing').textContent = '';
          state = { token: null, seq: 0, outbox: [], reference: state.reference }; save();
          break;
        case 'error':
          if (f.id) {
            var n = document.querySelector('[data-id="' + f.id + '"]');
            if (n) n.lastChild.textContent = f.code === 'RATE_LIMITED' ? S.notSent : f.message;
            if (f.code !== 'RATE_LIMITED') { state.outbox = state.outbox.filter(function (m) { return m.id !== f.id; }); save(); }
            else setTimeout(flush, 2000);
          } else if (f.code === 'CHAT_RESUME_INVALID') {
            state = { token: null, seq: 0, outbox: [], reference: null }; save(); el('start').hidden = false; status('');
          } else status(f.message);
          break;
      }
    };
    ws.onclose = function () {
      ws = null;
      if (ended) return;
      status(S.reconnecting);
      setTimeout(connect, retry); retry = Math.min(retry * 2, 10000);
    };
  }

  el('start').addEventListener('click', function () {
    el('start').hidden = true; sendFrame({ type: 'start', language: S.lang });
  });
  el('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = el('text').value;
    if (!text.trim()) return;
    var m = { id: newId(), text: text };
    state.outbox.push(m); save();
    show('visitor', text, null, m.id);
    sendFrame({ type: 'message', id: m.id, text: text });
    el('text').value = ''; setTyping(false);
  });
  el('text').addEventListener('input', function () {
    setTyping(true);
    clearTimeout(typingTimer); typingTimer = setTimeout(function () { setTyping(false); }, 3000);
  });
  el('end').addEventListener('click', function () { sendFrame({ type: 'end' }); });
  el('quick-exit').addEventListener('click', function (e) {
    e.preventDefault();
    sendFrame({ type: 'quick_close' });
    try { store.removeItem(KEY); } catch (err) { /* ignore */ }
    messages.textContent = '';
    ended = true;
    window.location.replace(S.quickExitUrl);
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && state.seq) sendFrame({ type: 'read', seq: state.seq });
  });
  connect();
})();
`;

/** Registers `GET /chat` and its two static files. */
export async function chatPageRoutes(app: FastifyInstance) {
  app.get('/chat', { config: { policy: publicPolicy }, schema: { hide: true } }, async (request, reply) => {
    const q = request.query as { lang?: unknown };
    const lang: Lang =
      q.lang === 'fr' ? 'fr' : q.lang === 'en' ? 'en' : request.locale === 'fr-CA' ? 'fr' : 'en';
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(chatPage(lang));
  });
  app.get('/chat/chat.js', { config: { policy: publicPolicy }, schema: { hide: true } }, async (_r, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(CHAT_JS),
  );
  app.get('/chat/chat.css', { config: { policy: publicPolicy }, schema: { hide: true } }, async (_r, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(CHAT_CSS),
  );
}
