import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/helpers/app.js';
import { QUICK_EXIT_URL } from './chat.page.js';

let app: FastifyInstance;

beforeAll(async () => {
  ({ app } = await testApp());
});
afterAll(() => app.close());

describe('GET /chat (the visitor test page)', () => {
  it('is server-rendered in English with a visible Quick exit, a live log and no inline script', async () => {
    const res = await app.inject({ method: 'GET', url: '/chat' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    const html = res.body;
    expect(html).toContain('<html lang="en-CA">');
    expect(html).toMatch(
      new RegExp(`<a class="quick-exit" id="quick-exit" href="${QUICK_EXIT_URL}"[^>]*>Quick exit</a>`),
    );
    expect(html).toContain('role="log"');
    expect(html).toContain('aria-live="polite"');
    expect(html).toContain('<label for="text">Your message</label>');
    // Every script is a file or a data block: nothing the CSP would have to allow inline.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([' type="application/json" id="chat-strings"', ' src="/chat/chat.js"']);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toContain('style=');
  });

  it('speaks French with ?lang=fr (or Accept-Language)', async () => {
    const res = await app.inject({ method: 'GET', url: '/chat?lang=fr' });
    expect(res.body).toContain('<html lang="fr-CA">');
    expect(res.body).toContain('Sortie rapide');
    expect(res.body).toContain('Clavarder avec une intervenante ou un intervenant');
    const header = await app.inject({ method: 'GET', url: '/chat', headers: { 'accept-language': 'fr-CA' } });
    expect(header.body).toContain('Sortie rapide');
  });

  it('serves its script and styles as files, and the script ends the chat on Quick exit', async () => {
    const js = await app.inject({ method: 'GET', url: '/chat/chat.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.body).toContain("type: 'quick_close'");
    expect(js.body).toContain('location.replace');
    const css = await app.inject({ method: 'GET', url: '/chat/chat.css' });
    expect(css.headers['content-type']).toMatch(/text\/css/);
    // The script parses (a syntax error would leave the page dead).
    expect(() => new Function(js.body)).not.toThrow();
  });
});
