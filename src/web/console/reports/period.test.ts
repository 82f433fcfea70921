import { describe, expect, it } from 'vitest';
import {
  fiscalYearLabel,
  fiscalYearOf,
  fiscalYearPresets,
  isoDay,
  matchingPreset,
  periodFromSearch,
  periodProblem,
  periodSearch,
} from './period';

describe('fiscal years (April 1 – March 31)', () => {
  it('starts a new year on April 1', () => {
    expect(fiscalYearOf('2022-03-31')).toBe(2021);
    expect(fiscalYearOf('2022-04-01')).toBe(2022);
    expect(fiscalYearOf('2022-01-15')).toBe(2021);
    expect(fiscalYearOf('2022-12-31')).toBe(2022);
  });

  it('offers the current fiscal year and the three before it', () => {
    expect(fiscalYearPresets('2022-02-10')).toEqual([
      { start: 2021, from: '2021-04-01', to: '2022-03-31' },
      { start: 2020, from: '2020-04-01', to: '2021-03-31' },
      { start: 2019, from: '2019-04-01', to: '2020-03-31' },
      { start: 2018, from: '2018-04-01', to: '2019-03-31' },
    ]);
    expect(fiscalYearPresets('2026-04-01').map((y) => y.start)).toEqual([2026, 2025, 2024, 2023]);
  });

  it('names them as the evaluation does', () => {
    expect(fiscalYearLabel(2021, 'en-CA')).toBe('2021-22');
    expect(fiscalYearLabel(2021, 'fr-CA')).toBe('2021-2022');
    expect(fiscalYearLabel(1999, 'en-CA')).toBe('1999-00');
  });

  it('reads the local calendar day', () => {
    expect(isoDay(new Date(2022, 2, 31, 23, 59))).toBe('2022-03-31');
    expect(isoDay(new Date(2022, 3, 1, 0, 0))).toBe('2022-04-01');
  });
});

describe('the period in the address', () => {
  it('defaults to the current fiscal year and round-trips', () => {
    expect(periodFromSearch('', '2022-05-02')).toEqual({ from: '2022-04-01', to: '2023-03-31' });
    const p = { from: '2021-06-01', to: '2021-06-30' };
    expect(periodFromSearch(periodSearch(p), '2022-05-02')).toEqual(p);
    expect(periodFromSearch('?from=2021-06-01', '2022-05-02')).toEqual({ from: '2021-06-01', to: '' });
  });

  it('finds problems as the server does', () => {
    expect(periodProblem({ from: '2021-04-01', to: '2022-03-31' })).toBeNull();
    expect(periodProblem({ from: '2021-04-01', to: '2021-04-01' })).toBeNull();
    expect(periodProblem({ from: '2021-04-02', to: '2021-04-01' })).toBe('order');
    expect(periodProblem({ from: '2021-02-30', to: '2021-04-01' })).toBe('invalid');
    expect(periodProblem({ from: '<script>', to: '2021-04-01' })).toBe('invalid');
    expect(periodProblem({ from: '', to: '2021-04-01' })).toBe('invalid');
    expect(periodProblem({ from: '2019-04-01', to: '2024-03-31' })).toBeNull();
    expect(periodProblem({ from: '2019-04-01', to: '2024-04-01' })).toBe('tooLong');
  });

  it('marks the preset a period is', () => {
    const presets = fiscalYearPresets('2022-05-02');
    expect(matchingPreset({ from: '2021-04-01', to: '2022-03-31' }, presets)?.start).toBe(2021);
    expect(matchingPreset({ from: '2021-04-01', to: '2022-03-30' }, presets)).toBeUndefined();
  });
});
