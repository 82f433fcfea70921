import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * React Aria bundles its built-in strings (e.g. "Select an item") for ~34 locales. The console speaks en-CA
 * and fr-CA only, so every other locale's import is replaced by `null`, which React Aria's dictionary skips
 * (the same technique as Adobe's optimize-locales plugin, without another dependency).
 */
export function keepReactAriaLocales(keep: readonly string[]): Plugin {
  const intlImport = /^import (\S+) from "([^"]*\/)([a-z]{2}-[A-Z]{2})\.mjs";$/gm;
  return {
    name: 'harbour:react-aria-locales',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]react-(aria|aria-components|stately)[\\/].*intlStrings\.mjs$/.test(id)) return null;
      return code.replace(intlImport, (line, name: string, _dir, locale: string) =>
        keep.includes(locale) ? line : `const ${name} = null;`,
      );
    },
  };
}

// The staff console is a static bundle served by the Harbour server under /console/.
// `npm run dev:web` proxies what the console calls on the server to a locally running one (HARBOUR_API_URL,
// default :8080): /api and /hsds (the taxonomy terms of the filters). The survey pages (/survey) are not
// proxied: the console never links to them; partners open them on the server from their e-mail.
/** Server paths the console calls (or links to) in development; everything else is Vite's. */
export const DEV_PROXIED = ['/api', '/hsds'] as const;
const webRoot = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/console', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/console/',
  plugins: [react(), keepReactAriaLocales(['en-US', 'fr-FR', 'fr-CA'])],
  build: {
    outDir,
    emptyOutDir: true,
    // Never inline assets as data: URIs in JS/CSS; the CSP only trusts 'self'.
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries change less often than the console: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            {
              name: 'react-aria',
              test: /node_modules[\\/](react-aria|react-aria-components|react-stately|@react-aria|@react-stately|@react-types|@internationalized)[\\/]/,
            },
            // The Twilio Voice SDK loads only when a call is answered in the browser (queue/voice.ts).
            {
              name: 'twilio-voice',
              test: /node_modules[\\/](@twilio[\\/]voice-sdk|@twilio[\\/]voice-errors|events|loglevel)[\\/]/,
            },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      DEV_PROXIED.map((prefix) => [
        prefix,
        // ws: the staff WebSocket (/api/ws) upgrades through the same proxy.
        { target: process.env.HARBOUR_API_URL ?? 'http://localhost:8080', changeOrigin: false, ws: true },
      ]),
    ),
  },
});
