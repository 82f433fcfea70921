import { type SurveyLang, st } from './survey.messages.js';

/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const SURVEY_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5}
main{max-width:42rem;margin:0 auto;padding:1rem}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ccc;padding:.5rem 1rem}
h1{font-size:1.5rem}fieldset{border:1px solid #999;border-radius:4px;margin:1rem 0;padding:.75rem}
label{display:block;font-weight:600;margin-top:.5rem}input,select,textarea{font:inherit;padding:.4rem;max-width:100%}
textarea{width:100%;min-height:6rem}button{font:inherit;font-weight:600;padding:.6rem 1.2rem;background:#0b4f8a;color:#fff;border:0;border-radius:4px;cursor:pointer}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}.error{color:#a30000;font-weight:600}a{color:#0b4f8a}
`;

function layout(lang: SurveyLang, title: string, body: string, switchHref: string): string {
  return `<!doctype html>
<html lang="${st(lang, 'lang')}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${esc(title)} — Harbour</title><link rel="stylesheet" href="/survey/survey.css"></head>
<body><header><span>Harbour</span><a href="${esc(switchHref)}" lang="${lang === 'en' ? 'fr-CA' : 'en-CA'}">${st(lang, 'other')}</a></header>
<main>${body}</main></body></html>`;
}

export interface SurveyPageData {
  token: string;
  organizationName: string;
  closesAt: Date;
  services: Array<{
    id: string;
    name: string;
    status: string;
    translations: Record<string, Record<string, string>>;
    capacity?: { available: number } | undefined;
  }>;
}

export function surveyFormPage(lang: SurveyLang, data: SurveyPageData, invalid = false): string {
  const other = lang === 'en' ? 'fr' : 'en';
  const statuses = ['active', 'temporarily closed', 'inactive', 'defunct'] as const;
  const services = data.services
    .map((s, i) => {
      const name = s.translations[lang]?.name ?? s.name;
      const options = statuses
        .map(
          (v) =>
            `<option value="${esc(v)}"${v === s.status ? ' selected' : ''}>${esc(st(lang, `status.${v}`))}</option>`,
        )
        .join('');
      const beds =
        s.capacity !== undefined
          ? `<label for="available-${i}">${esc(st(lang, 'available'))}</label><input id="available-${i}" name="available:${esc(s.id)}" type="number" min="0" max="100000" inputmode="numeric" value="${esc(s.capacity.available)}">`
          : '';
      return `<fieldset><legend>${esc(name)}</legend><label for="status-${i}">${esc(st(lang, 'status'))}</label><select id="status-${i}" name="status:${esc(s.id)}">${options}</select>${beds}</fieldset>`;
    })
    .join('');
  const body = `<h1>${esc(st(lang, 'title'))}: ${esc(data.organizationName)}</h1>
${invalid ? `<p class="error" role="alert">${esc(st(lang, 'invalid'))}</p>` : ''}
<p>${esc(st(lang, 'intro'))}</p><p>${esc(st(lang, 'closesOn', { date: data.closesAt.toISOString().slice(0, 10) }))}</p>
<form method="post" action="/survey?t=${esc(data.token)}&amp;lang=${lang}">
<h2>${esc(st(lang, 'services'))}</h2>${services}
<label for="corrections">${esc(st(lang, 'corrections'))}</label><textarea id="corrections" name="corrections" maxlength="5000"></textarea>
<label for="respondent">${esc(st(lang, 'respondent'))}</label><input id="respondent" name="respondent" maxlength="200" autocomplete="name">
<p><button type="submit">${esc(st(lang, 'submit'))}</button></p></form>`;
  return layout(lang, st(lang, 'title'), body, `/survey?t=${data.token}&lang=${other}`);
}

export function surveyMessagePage(
  lang: SurveyLang,
  key: 'thanks' | 'already' | 'notFound',
  token = '',
): string {
  const other = lang === 'en' ? 'fr' : 'en';
  const href = token ? `/survey?t=${token}&lang=${other}` : `/survey?lang=${other}`;
  return layout(
    lang,
    st(lang, 'title'),
    `<h1>${esc(st(lang, 'title'))}</h1><p role="status">${esc(st(lang, key))}</p>`,
    href,
  );
}
