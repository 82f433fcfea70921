import { describe, expect, it } from 'vitest';
import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs it, defuses formulas, ends lines with CRLF after a byte-order mark', () => {
    expect(
      toCsv([
        ['Need', 'Count'],
        ['Hébergement ou logement', 3],
        ['Say "hi", then', 0],
        ['=1+1', -2],
      ]),
    ).toBe('\uFEFFNeed,Count\r\nHébergement ou logement,3\r\n"Say ""hi"", then",0\r\n\'=1+1,-2\r\n');
  });
});
