/**
 * Text with ids and references taken out, for "no personal data here" checks: a random UUID or an `HB-`/`HC-`
 * reference may contain "555" by chance, a fictional phone number does not become an id.
 */
export function withoutIds(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\bH[BC]-[0-9A-Z]{4}-[0-9A-Z]{4}\b/g, '<ref>');
}
