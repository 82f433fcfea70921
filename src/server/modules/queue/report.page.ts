import fastifyFormbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { publicPolicy } from '../../platform/policy.js';
import { QUICK_EXIT_URL } from './chat.page.js';
import { REPORT_BODY_LIMIT, type ReportBodyValue, reportInputFrom } from './reports.routes.js';
import type { SignalsService } from './signals.service.js';
import { generateReference } from './signals.service.js';

/**
 * The online report form as an HTML page, `GET /report` and `POST /report` (EN, or FR with `?lang=fr`), for
 * people without the API: server-rendered like the chat page (`/chat`), its script and styles served as files so
 * the strict CSP holds, a Quick exit always visible. A post calls the same `signals.createReport` as
 * `POST /api/public/reports` and answers a confirmation page with the reference only, echoing nothing that was
 * written. Invalid fields re-render the form (to the person who typed them, never in the URL) with an error
 * summary linked to each field. The honeypot `website` gets the same confirmation and stores nothing.
 */

type Lang = 'en' | 'fr';

const MAX_SITUATION = 10_000;

const STRINGS = {
  en: {
    lang: 'en-CA',
    title: 'Report a situation',
    other: 'Français',
    quickExit: 'Quick exit',
    quickExitHint: 'Leaves this page at once.',
    intro:
      'Tell us what is happening, to you or to someone else. It is confidential. You do not have to give your name: an anonymous report is fine and still helps.',
    emergency: 'If you or someone else is in immediate danger, call 911.',
    required: '(required)',
    optional: '(optional)',
    situation: 'What is happening?',
    situationHint: 'In your own words: who, what, and anything that worries you.',
    left: '{count} characters left',
    over: '{count} characters too many',
    where: 'Where is it happening?',
    whereHint: 'A town, an address, a business or a website: whatever you know.',
    when: 'When did it happen, or is it still happening?',
    language: 'Which language should we use?',
    langEn: 'English',
    langFr: 'French',
    langOther: 'Another language (we will find an interpreter)',
    contactLegend: 'May we contact you?',
    contactHint:
      'Leave this part empty if you prefer: we do not need to know who you are. Fill it in only if it is safe for you to be contacted.',
    name: 'Name or nickname',
    phone: 'Phone number',
    email: 'E-mail address',
    howLegend: 'How may we contact you?',
    howPhone: 'Phone call',
    howSms: 'Text message',
    howEmail: 'E-mail',
    howNone: 'Please do not contact me',
    safeWhen: 'When is it safe to contact you?',
    safeWhenHint: 'For example: weekdays after 6 p.m.',
    leaveLegend: 'May we leave a message?',
    yes: 'Yes',
    no: 'No',
    honeypot: 'Leave this field empty',
    send: 'Send the report',
    chat: 'Rather write to someone now? Chat with an advocate',
    errorTitle: 'There is a problem',
    errorPrefix: 'Error: ',
    situationMissing: 'Describe what is happening.',
    situationLong: 'The description must be 10,000 characters or fewer.',
    tooLong: '“{field}” is too long: at most {max} characters.',
    emailInvalid: 'Enter an e-mail address like name@example.com.',
    phoneNeeded: 'To be contacted by phone call or text message, enter a phone number.',
    emailNeeded: 'To be contacted by e-mail, enter an e-mail address.',
    choiceInvalid: '“{field}”: choose one of the options.',
    formInvalid: 'The form could not be read. Nothing was sent. Please check it and send it again.',
    sentTitle: 'Thank you, your report was sent',
    reference: 'Your reference number:',
    keep: 'Keep this number only if it is safe to do so. Give it if you call or write to us about this report.',
    nextTitle: 'What happens next',
    next1: 'An advocate from the hotline will read your report.',
    next2:
      'If you told us how we may contact you, we will use only that way, at the times you gave. If you did not, we will not try to contact you.',
    next3: 'We do not share your report with anyone without a reason the law requires or your agreement.',
    another: 'Send another report',
    limitedTitle: 'Please wait a minute',
    limited:
      'Too many reports were sent from this connection. Nothing was lost on our side: wait a minute, then go back and send the form again.',
    back: 'Back to the form',
  },
  fr: {
    lang: 'fr-CA',
    title: 'Signaler une situation',
    other: 'English',
    quickExit: 'Sortie rapide',
    quickExitHint: 'Quitte cette page immédiatement.',
    intro:
      'Dites-nous ce qui se passe, pour vous ou pour une autre personne. C’est confidentiel. Vous n’avez pas à donner votre nom : un signalement anonyme est accepté et il aide quand même.',
    emergency: 'Si vous ou une autre personne êtes en danger immédiat, composez le 911.',
    required: '(obligatoire)',
    optional: '(facultatif)',
    situation: 'Que se passe-t-il?',
    situationHint: 'Dans vos mots : qui, quoi, et tout ce qui vous inquiète.',
    left: 'Il reste {count} caractères',
    over: '{count} caractères de trop',
    where: 'Où cela se passe-t-il?',
    whereHint: 'Une ville, une adresse, une entreprise ou un site Web : ce que vous savez.',
    when: 'Quand cela s’est-il passé, ou est-ce que ça continue?',
    language: 'Dans quelle langue devrions-nous communiquer?',
    langEn: 'Anglais',
    langFr: 'Français',
    langOther: 'Une autre langue (nous trouverons une ou un interprète)',
    contactLegend: 'Pouvons-nous vous joindre?',
    contactHint:
      'Vous pouvez laisser cette partie vide : nous n’avons pas besoin de savoir qui vous êtes. Remplissez-la seulement s’il est sécuritaire pour vous d’être contacté.',
    name: 'Nom ou surnom',
    phone: 'Numéro de téléphone',
    email: 'Adresse courriel',
    howLegend: 'Comment pouvons-nous vous joindre?',
    howPhone: 'Appel téléphonique',
    howSms: 'Texto',
    howEmail: 'Courriel',
    howNone: 'Veuillez ne pas me contacter',
    safeWhen: 'Quand est-il sécuritaire de vous joindre?',
    safeWhenHint: 'Par exemple : en semaine après 18 h.',
    leaveLegend: 'Pouvons-nous laisser un message?',
    yes: 'Oui',
    no: 'Non',
    honeypot: 'Laissez ce champ vide',
    send: 'Envoyer le signalement',
    chat: 'Vous préférez écrire à quelqu’un maintenant? Clavardez avec une intervenante ou un intervenant',
    errorTitle: 'Il y a un problème',
    errorPrefix: 'Erreur : ',
    situationMissing: 'Décrivez ce qui se passe.',
    situationLong: 'La description doit compter au plus 10 000 caractères.',
    tooLong: '« {field} » est trop long : au plus {max} caractères.',
    emailInvalid: 'Entrez une adresse courriel comme nom@exemple.com.',
    phoneNeeded: 'Pour être joint par appel ou par texto, entrez un numéro de téléphone.',
    emailNeeded: 'Pour être joint par courriel, entrez une adresse courriel.',
    choiceInvalid: '« {field} » : choisissez une des options.',
    formInvalid:
      'Le formulaire n’a pas pu être lu. Rien n’a été envoyé. Veuillez le vérifier et l’envoyer de nouveau.',
    sentTitle: 'Merci, votre signalement a été envoyé',
    reference: 'Votre numéro de référence :',
    keep: 'Conservez ce numéro seulement si c’est sécuritaire. Donnez-le si vous nous appelez ou nous écrivez au sujet de ce signalement.',
    nextTitle: 'La suite',
    next1: 'Une intervenante ou un intervenant de la ligne d’urgence lira votre signalement.',
    next2:
      'Si vous nous avez dit comment vous joindre, nous utiliserons seulement ce moyen, aux moments indiqués. Sinon, nous n’essaierons pas de vous joindre.',
    next3: 'Nous ne communiquons votre signalement à personne sans une obligation légale ou votre accord.',
    another: 'Envoyer un autre signalement',
    limitedTitle: 'Veuillez patienter une minute',
    limited:
      'Trop de signalements ont été envoyés à partir de cette connexion. Rien n’est perdu de notre côté : attendez une minute, puis revenez au formulaire et envoyez-le de nouveau.',
    back: 'Retour au formulaire',
  },
} as const;

type Strings = { [K in keyof (typeof STRINGS)['en']]: string };

/** The form's fields, as the page posts them (flat names, the same as the API's form encoding). */
const FIELDS = [
  'situation',
  'where',
  'when',
  'language',
  'contact_name',
  'contact_phone',
  'contact_email',
  'safe_how',
  'safe_when',
  'safe_leave_message',
  'website',
] as const;
type Field = (typeof FIELDS)[number];
type Values = Partial<Record<Field, string>>;
interface FieldError {
  field: Field;
  /** The id the summary links to (a radio group's first option). */
  target: string;
  message: string;
}

const LIMITS: Partial<Record<Field, { max: number; label: keyof Strings }>> = {
  where: { max: 500, label: 'where' },
  when: { max: 500, label: 'when' },
  contact_name: { max: 200, label: 'name' },
  contact_phone: { max: 40, label: 'phone' },
  contact_email: { max: 254, label: 'email' },
  safe_when: { max: 500, label: 'safeWhen' },
};

function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));
}

const chars = (value: string) => [...value].length;

/** "10,000 characters left" in the page's language, counted like the browser's maxlength (UTF-16 units). */
function counterText(s: Strings, value: string): string {
  const left = MAX_SITUATION - value.length;
  const count = new Intl.NumberFormat(s.lang).format(Math.abs(left));
  return fmt(left >= 0 ? s.left : s.over, { count });
}

/** Checks what the person sent; the messages never quote it. */
export function validateReport(v: Values, lang: Lang): FieldError[] {
  const s: Strings = STRINGS[lang];
  const errors: FieldError[] = [];
  const add = (field: Field, message: string, target: string = field) =>
    errors.push({ field, target, message });
  const situation = v.situation ?? '';
  if (situation.trim() === '') add('situation', s.situationMissing);
  else if (chars(situation) > MAX_SITUATION) add('situation', s.situationLong);
  for (const field of FIELDS) {
    const limit = LIMITS[field];
    if (limit && chars(v[field] ?? '') > limit.max)
      add(field, fmt(s.tooLong, { field: s[limit.label], max: limit.max }));
  }
  if (v.language && !['en', 'fr', 'other'].includes(v.language))
    add('language', fmt(s.choiceInvalid, { field: s.language }));
  const email = (v.contact_email ?? '').trim();
  if (email && !errors.some((e) => e.field === 'contact_email') && !/^[^\s@]+@[^\s@]+$/.test(email))
    add('contact_email', s.emailInvalid);
  const how = v.safe_how ?? '';
  if (how && !['phone', 'sms', 'email', 'none'].includes(how))
    add('safe_how', fmt(s.choiceInvalid, { field: s.howLegend }), 'safe_how-phone');
  if ((how === 'phone' || how === 'sms') && !(v.contact_phone ?? '').trim())
    add('contact_phone', s.phoneNeeded);
  if (how === 'email' && !email && !errors.some((e) => e.field === 'contact_email'))
    add('contact_email', s.emailNeeded);
  const leave = v.safe_leave_message ?? '';
  if (leave && leave !== 'true' && leave !== 'false')
    add('safe_leave_message', fmt(s.choiceInvalid, { field: s.leaveLegend }), 'safe_leave_message-true');
  return errors;
}

function head(s: Strings, title: string): string {
  return `<!doctype html>
<html lang="${s.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${esc(title)}</title><link rel="stylesheet" href="/chat/chat.css"><link rel="stylesheet" href="/report/report.css"></head>
<body>`;
}

function bar(s: Strings, lang: Lang): string {
  const other: Lang = lang === 'en' ? 'fr' : 'en';
  return `<header class="bar">
<a class="quick-exit" id="quick-exit" href="${esc(QUICK_EXIT_URL)}" rel="noreferrer" title="${esc(s.quickExitHint)}">${esc(s.quickExit)}</a>
<a href="/report?lang=${other}" lang="${STRINGS[other].lang}" id="switch-lang">${esc(s.other)}</a>
</header>`;
}

function foot(lang: Lang, s: Strings): string {
  const data = JSON.stringify({ lang: s.lang, max: MAX_SITUATION, left: s.left, over: s.over }).replace(
    /</g,
    '\\u003c',
  );
  return `<footer class="foot"><p><a href="/chat?lang=${lang}">${esc(s.chat)}</a></p></footer>
<script type="application/json" id="report-strings">${data}</script>
<script src="/report/report.js"></script>
</body></html>`;
}

/** The form, empty or (after a refused post) with what the person typed and the errors linked to their fields. */
export function reportFormPage(
  lang: Lang,
  values: Values = {},
  errors: FieldError[] = [],
  formError?: string,
) {
  const s: Strings = STRINGS[lang];
  const v = (f: Field) => esc(values[f] ?? '');
  const errorOf = (f: Field) => errors.find((e) => e.field === f);
  const invalid = (f: Field) => (errorOf(f) ? ' aria-invalid="true"' : '');
  const errorLine = (f: Field) => {
    const e = errorOf(f);
    return e
      ? `<p class="error-message" id="${f}-error"><span class="visually-hidden">${esc(s.errorPrefix)}</span>${esc(e.message)}</p>`
      : '';
  };
  const described = (f: Field, ...ids: string[]) => {
    const all = [...ids, ...(errorOf(f) ? [`${f}-error`] : [])];
    return all.length ? ` aria-describedby="${all.join(' ')}"` : '';
  };
  const input = (f: Field, label: keyof Strings, type: string, max: number, hint?: keyof Strings) =>
    `<div class="field${errorOf(f) ? ' has-error' : ''}"><label for="${f}">${esc(s[label])}</label>${
      hint ? `<p class="hint" id="${f}-hint">${esc(s[hint])}</p>` : ''
    }${errorLine(f)}<input type="${type}" id="${f}" name="${f}" maxlength="${max}" autocomplete="off" value="${v(f)}"${invalid(f)}${described(f, ...(hint ? [`${f}-hint`] : []))}></div>`;
  const radios = (f: Field, legend: keyof Strings, options: [string, keyof Strings][]) =>
    `<fieldset class="field${errorOf(f) ? ' has-error' : ''}"${described(f)}><legend>${esc(s[legend])}</legend>${errorLine(f)}${options
      .map(
        ([value, label]) =>
          `<div class="choice"><input type="radio" id="${f}-${value}" name="${f}" value="${value}"${
            values[f] === value ? ' checked' : ''
          }><label for="${f}-${value}">${esc(s[label])}</label></div>`,
      )
      .join('')}</fieldset>`;
  const language = values.language || lang;
  const option = (value: string, label: keyof Strings) =>
    `<option value="${value}"${language === value ? ' selected' : ''}>${esc(s[label])}</option>`;
  const hasErrors = errors.length > 0 || formError !== undefined;
  const summary = hasErrors
    ? `<div class="error-summary" id="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${esc(s.errorTitle)}</h2>
<ul>${formError ? `<li>${esc(formError)}</li>` : ''}${errors
        .map((e) => `<li><a href="#${e.target}">${esc(e.message)}</a></li>`)
        .join('')}</ul></div>`
    : '';
  return `${head(s, `${hasErrors ? s.errorPrefix : ''}${s.title}`)}
${bar(s, lang)}
<main>
<h1>${esc(s.title)}</h1>
${summary}
<p>${esc(s.intro)}</p>
<p class="notice"><strong>${esc(s.emergency)}</strong></p>
<form id="report" method="post" action="/report?lang=${lang}" novalidate autocomplete="off">
<div class="field${errorOf('situation') ? ' has-error' : ''}">
<label for="situation">${esc(s.situation)} <span class="tag">${esc(s.required)}</span></label>
<p class="hint" id="situation-hint">${esc(s.situationHint)}</p>
${errorLine('situation')}<textarea id="situation" name="situation" rows="8" maxlength="${MAX_SITUATION}" required aria-required="true"${invalid('situation')}${described('situation', 'situation-hint', 'situation-count')}>${v('situation')}</textarea>
<p class="hint" id="situation-count">${esc(counterText(s, values.situation ?? ''))}</p>
<p class="visually-hidden" id="situation-count-live" aria-live="polite"></p>
</div>
${input('where', 'where', 'text', 500, 'whereHint')}
${input('when', 'when', 'text', 500)}
<div class="field${errorOf('language') ? ' has-error' : ''}"><label for="language">${esc(s.language)}</label>${errorLine('language')}
<select id="language" name="language"${invalid('language')}${described('language')}>${option('en', 'langEn')}${option('fr', 'langFr')}${option('other', 'langOther')}</select></div>
<fieldset class="contact" aria-describedby="contact-hint"><legend>${esc(s.contactLegend)} <span class="tag">${esc(s.optional)}</span></legend>
<p class="hint" id="contact-hint">${esc(s.contactHint)}</p>
${input('contact_name', 'name', 'text', 200)}
${input('contact_phone', 'phone', 'tel', 40)}
${input('contact_email', 'email', 'email', 254)}
${radios('safe_how', 'howLegend', [
  ['phone', 'howPhone'],
  ['sms', 'howSms'],
  ['email', 'howEmail'],
  ['none', 'howNone'],
])}
${input('safe_when', 'safeWhen', 'text', 500, 'safeWhenHint')}
${radios('safe_leave_message', 'leaveLegend', [
  ['true', 'yes'],
  ['false', 'no'],
])}
</fieldset>
<div class="hp" aria-hidden="true"><label for="website">${esc(s.honeypot)}</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value=""></div>
<div class="actions"><button type="submit">${esc(s.send)}</button></div>
</form>
</main>
${foot(lang, s)}`;
}

/** The confirmation: the reference and what happens next, nothing of what was written. */
export function reportSentPage(lang: Lang, reference: string): string {
  const s: Strings = STRINGS[lang];
  return `${head(s, s.sentTitle)}
${bar(s, lang)}
<main>
<h1>${esc(s.sentTitle)}</h1>
<p class="sent">${esc(s.reference)} <strong id="reference">${esc(reference)}</strong></p>
<p>${esc(s.keep)}</p>
<h2>${esc(s.nextTitle)}</h2>
<ul><li>${esc(s.next1)}</li><li>${esc(s.next2)}</li><li>${esc(s.next3)}</li></ul>
<p class="notice"><strong>${esc(s.emergency)}</strong></p>
<p><a href="/report?lang=${lang}">${esc(s.another)}</a></p>
</main>
${foot(lang, s)}`;
}

/** Too many posts from one address: a calm page, not JSON. */
export function reportLimitedPage(lang: Lang): string {
  const s: Strings = STRINGS[lang];
  return `${head(s, s.limitedTitle)}
${bar(s, lang)}
<main>
<h1>${esc(s.limitedTitle)}</h1>
<p>${esc(s.limited)}</p>
<p class="notice"><strong>${esc(s.emergency)}</strong></p>
<p><a href="/report?lang=${lang}">${esc(s.back)}</a></p>
</main>
${foot(lang, s)}`;
}

export const REPORT_CSS = `
.field{margin:1rem 0}fieldset{border:1px solid #767676;border-radius:4px;margin:1rem 0;padding:.5rem 1rem}
fieldset .field{margin:.75rem 0}fieldset fieldset{border:0;padding:0}legend{font-weight:600}
.hint{margin:.1rem 0 .3rem;color:#444}.tag{font-weight:400;color:#444}
input[type=text],input[type=tel],input[type=email],select{font:inherit;padding:.4rem;width:100%;box-sizing:border-box;border:1px solid #767676;border-radius:2px}
textarea{border:1px solid #767676;border-radius:2px}
.choice{display:flex;align-items:center;gap:.5rem;margin:.25rem 0}.choice input{width:1.25rem;height:1.25rem;margin:0}
.choice label{font-weight:400;margin:0}
.has-error{border-left:4px solid #b00020;padding-left:.75rem}.error-message{color:#b00020;font-weight:600;margin:.2rem 0}
.has-error input,.has-error textarea,.has-error select{border:2px solid #b00020}
.error-summary{border:4px solid #b00020;padding:.5rem 1rem;margin:1rem 0}.error-summary h2{margin-top:0;font-size:1.25rem}
.error-summary a{color:#b00020;font-weight:600}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.sent{font-size:1.15rem}
`;

/** Quick exit replaces the page (Back does not return); the counter; focus to the error summary. */
export const REPORT_JS = `(function () {
  'use strict';
  var el = function (id) { return document.getElementById(id); };
  var S = JSON.parse(el('report-strings').textContent);
  el('quick-exit').addEventListener('click', function (e) {
    e.preventDefault();
    var form = el('report');
    if (form) Array.prototype.forEach.call(form.elements, function (f) {
      if (f.type === 'radio' || f.type === 'checkbox') f.checked = false; else if (f.tagName !== 'BUTTON') f.value = '';
    });
    window.location.replace(el('quick-exit').href);
  });
  var text = el('situation');
  var count = el('situation-count');
  var live = el('situation-count-live');
  var timer = null;
  function counter() {
    var left = S.max - text.value.length;
    return (left >= 0 ? S.left : S.over).replace('{count}', Math.abs(left).toLocaleString(S.lang));
  }
  if (text && count) {
    text.addEventListener('input', function () {
      count.textContent = counter();
      clearTimeout(timer);
      timer = setTimeout(function () { live.textContent = count.textContent; }, 1200);
    });
  }
  var summary = el('error-summary');
  if (summary) {
    summary.focus();
    Array.prototype.forEach.call(summary.querySelectorAll('a[href^="#"]'), function (a) {
      a.addEventListener('click', function (e) {
        var target = el(a.getAttribute('href').slice(1));
        if (!target) return;
        e.preventDefault();
        target.focus();
        target.scrollIntoView({ block: 'center' });
      });
    });
  }
})();
`;

const PageBody = Type.Object({
  situation: Type.Optional(Type.String()),
  where: Type.Optional(Type.String()),
  when: Type.Optional(Type.String()),
  language: Type.Optional(Type.String()),
  contact_name: Type.Optional(Type.String()),
  contact_phone: Type.Optional(Type.String()),
  contact_email: Type.Optional(Type.String()),
  safe_how: Type.Optional(Type.String()),
  safe_when: Type.Optional(Type.String()),
  safe_leave_message: Type.Optional(Type.String()),
  website: Type.Optional(Type.String()),
});
const PageQuery = Type.Object({ lang: Type.Optional(Type.String()) });
const Html = Type.String();

function pickLang(request: FastifyRequest): Lang {
  const q = (request.query ?? {}) as { lang?: unknown };
  return q.lang === 'fr' ? 'fr' : q.lang === 'en' ? 'en' : request.locale === 'fr-CA' ? 'fr' : 'en';
}

function html(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** Registers `GET|POST /report` and its two static files, in a context of their own (form bodies, HTML errors). */
export async function reportPageRoutes(
  app: FastifyInstance,
  deps: { signals: SignalsService; publicRateLimit: number; reportsPerMinute?: number },
) {
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody, { bodyLimit: REPORT_BODY_LIMIT });
    // Errors before the handler (rate limit, an unreadable or oversize body) answer a page, not JSON;
    // anything else goes on to the app's handler (a 500 with its details in the log only).
    scope.setErrorHandler((error, request, reply) => {
      const lang = pickLang(request);
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      if (status === 429) return html(reply, 429, reportLimitedPage(lang));
      if (status >= 400 && status < 500 && request.method === 'POST') {
        return html(reply, status, reportFormPage(lang, {}, [], STRINGS[lang].formInvalid));
      }
      throw error;
    });
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    // As many posts a minute as the API allows one address.
    const max = deps.reportsPerMinute ?? Math.max(2, Math.ceil(deps.publicRateLimit / 4));
    r.get(
      '/report',
      {
        config: { policy: publicPolicy },
        schema: { hide: true, querystring: PageQuery, response: { 200: Html } },
      },
      async (request, reply) => html(reply, 200, reportFormPage(pickLang(request))),
    );
    r.post(
      '/report',
      {
        bodyLimit: REPORT_BODY_LIMIT,
        config: { policy: publicPolicy, rateLimit: { max, timeWindow: '1 minute' } },
        schema: {
          hide: true,
          querystring: PageQuery,
          body: PageBody,
          response: { 200: Html, 400: Html, 413: Html, 415: Html, 429: Html },
        },
      },
      async (request, reply) => {
        const lang = pickLang(request);
        const values: Values = request.body;
        // The honeypot: the same confirmation as a real report, nothing stored.
        if (values.website && values.website.trim() !== '') {
          return html(reply, 200, reportSentPage(lang, generateReference()));
        }
        const errors = validateReport(values, lang);
        if (errors.length > 0) return html(reply, 400, reportFormPage(lang, values, errors));
        const body: ReportBodyValue = {
          situation: values.situation ?? '',
          where: values.where,
          when: values.when,
          language: values.language,
          contact_name: values.contact_name,
          contact_phone: values.contact_phone,
          contact_email: values.contact_email,
          safe_how: values.safe_how as ReportBodyValue['safe_how'],
          safe_when: values.safe_when,
          safe_leave_message: values.safe_leave_message as ReportBodyValue['safe_leave_message'],
        };
        try {
          const { reference } = await deps.signals.createReport(reportInputFrom(body));
          return html(reply, 200, reportSentPage(lang, reference));
        } catch (err) {
          // Only control characters, say: the service finds nothing to keep.
          if (err instanceof AppError && err.code === 'REPORT_INVALID') {
            const s: Strings = STRINGS[lang];
            return html(
              reply,
              400,
              reportFormPage(lang, values, [
                { field: 'situation', target: 'situation', message: s.situationMissing },
              ]),
            );
          }
          throw err;
        }
      },
    );
    r.get(
      '/report/report.js',
      { config: { policy: publicPolicy }, schema: { hide: true } },
      async (_r, reply) =>
        reply
          .type('text/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .send(REPORT_JS),
    );
    r.get(
      '/report/report.css',
      { config: { policy: publicPolicy }, schema: { hide: true } },
      async (_r, reply) =>
        reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(REPORT_CSS),
    );
  });
}
