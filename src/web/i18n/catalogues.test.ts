import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import en from './en-CA.json';
import fr from './fr-CA.json';

// Both official languages must be complete everywhere: same keys, nothing empty, every message valid ICU,
// and the same placeholders on both sides (a French message that drops {name} is a bug, not a style choice).

type Catalogue = Record<string, string>;
const catalogues: Record<string, Catalogue> = { 'en-CA': en, 'fr-CA': fr };

interface AstNode {
  type: number;
  value?: string;
  options?: Record<string, { value: AstNode[] }>;
  children?: AstNode[];
}

/** Placeholder and tag names used by a message, found by walking the parsed ICU tree. */
function argumentNames(nodes: AstNode[], names = new Set<string>()): Set<string> {
  for (const node of nodes) {
    // Literal (0) and pound (7) carry no name; arguments, plurals, selects, dates… and tags (8) do.
    if (node.type !== 0 && node.type !== 7 && typeof node.value === 'string') names.add(node.value);
    if (node.options) for (const option of Object.values(node.options)) argumentNames(option.value, names);
    if (node.children) argumentNames(node.children, names);
  }
  return names;
}

function parse(message: string, locale: string): AstNode[] {
  return new IntlMessageFormat(message, locale).getAst() as unknown as AstNode[];
}

describe('message catalogues', () => {
  it('have exactly the same keys in English and French', () => {
    const enKeys = Object.keys(en).sort();
    const frKeys = Object.keys(fr).sort();
    expect(
      frKeys.filter((k) => !enKeys.includes(k)),
      'keys only in fr-CA',
    ).toEqual([]);
    expect(
      enKeys.filter((k) => !frKeys.includes(k)),
      'keys only in en-CA',
    ).toEqual([]);
  });

  for (const [locale, catalogue] of Object.entries(catalogues)) {
    it(`${locale}: has no empty or blank message`, () => {
      const empty = Object.entries(catalogue)
        .filter(([, message]) => typeof message !== 'string' || message.trim() === '')
        .map(([key]) => key);
      expect(empty).toEqual([]);
    });

    it(`${locale}: every message parses as ICU MessageFormat`, () => {
      const broken: string[] = [];
      for (const [key, message] of Object.entries(catalogue)) {
        try {
          parse(message, locale);
        } catch (error) {
          broken.push(`${key}: ${(error as Error).message}`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  it('use the same placeholders and tags in both languages', () => {
    const mismatched: string[] = [];
    for (const [key, enMessage] of Object.entries(en as Catalogue)) {
      const frMessage = (fr as Catalogue)[key];
      if (frMessage === undefined) continue;
      const a = [...argumentNames(parse(enMessage, 'en-CA'))].sort();
      const b = [...argumentNames(parse(frMessage, 'fr-CA'))].sort();
      if (a.join() !== b.join()) mismatched.push(`${key}: en {${a.join()}} fr {${b.join()}}`);
    }
    expect(mismatched).toEqual([]);
  });

  it('detects a broken message (the checks above can fail)', () => {
    expect(() => parse('Bienvenue, {name', 'fr-CA')).toThrow();
    expect(
      [...argumentNames(parse('Hi <b>{name}</b>, {n, plural, one {# x} other {# {y}}}', 'en-CA'))].sort(),
    ).toEqual(['b', 'n', 'name', 'y']);
  });
});
