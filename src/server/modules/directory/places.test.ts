import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../../test/helpers/db.js';
import { place } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import {
  CANADIAN_PLACES,
  findPlace,
  fsaCentroid,
  fsaProvince,
  importFsaCentroids,
  loadPlaces,
  parseFsaCsv,
  toFsa,
} from './places.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo', 'fixtures');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

let db: Db;
beforeAll(async () => {
  db = (await testDatabase()).db;
  await db.transaction((tx) => loadPlaces(tx));
});

/** Runs `fn` in a transaction that is always rolled back, so FSA rows never leak to other tests. */
async function inRolledBack(fn: (tx: Db) => Promise<void>): Promise<void> {
  const done = new Error('rollback');
  await expect(
    db.transaction(async (tx) => {
      await fn(tx);
      throw done;
    }),
  ).rejects.toBe(done);
}

describe('places', () => {
  it('ships Canadian cities and towns in every province and territory, with ISO codes', () => {
    const provinces = new Set(CANADIAN_PLACES.map((p) => p[1]));
    expect([...provinces].sort()).toEqual(
      ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'].sort(),
    );
    expect(CANADIAN_PLACES.length).toBeGreaterThan(900);
    const iqaluit = CANADIAN_PLACES.find((p) => p[0] === 'Iqaluit');
    expect(iqaluit?.[1]).toBe('NU');
    expect(iqaluit?.[2]).toBeCloseTo(63.75, 1);
  });

  it('loading is idempotent: a second load inserts nothing and duplicates nothing', async () => {
    const count = async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(place)
          .where(and(eq(place.kind, 'city'), eq(place.name, 'Rimouski')))
      )[0]!.n;
    const before = await count();
    const again = await db.transaction((tx) => loadPlaces(tx));
    expect(again.inserted).toBe(0);
    expect(await count()).toBe(before);
    expect(before).toBe(1);
  });

  it('finds a place by exact unaccented name, then by trigram; the larger population wins', async () => {
    expect(await findPlace(db, 'Montreal')).toMatchObject({ name: 'Montréal', province: 'QC' });
    expect(await findPlace(db, '  TROIS-RIVIÈRES ')).toMatchObject({
      name: 'Trois-Rivières',
      province: 'QC',
    });
    expect(await findPlace(db, 'Windsor')).toMatchObject({ name: 'Windsor', province: 'ON' });
    expect(await findPlace(db, 'Windsor, NS')).toMatchObject({ name: 'Windsor', province: 'NS' });
    expect(await findPlace(db, 'Saskatoonn')).toMatchObject({ name: 'Saskatoon', province: 'SK' });
    expect(await findPlace(db, 'st johns')).toMatchObject({ name: "St. John's", province: 'NL' });
    expect(await findPlace(db, 'Qwxzyv Fictional Nowhere')).toBeUndefined();
  });

  it('never fails on hostile text', async () => {
    for (const text of [
      "'; drop table place; --",
      'x'.repeat(10_000),
      '🏠🆘',
      'a\u0000b\u0007c',
      '',
      '%_%',
    ]) {
      const found = await findPlace(db, text);
      if (found) expect(found.kind).toBe('city');
    }
  });
});

describe('FSA centroids', () => {
  it('normalises postal codes and knows the province of every first letter', () => {
    expect(toFsa('k1a 0b1')).toBe('K1A');
    expect(toFsa('H2X')).toBe('H2X');
    expect(toFsa('D1A 0A0')).toBeUndefined();
    expect(toFsa('K1D')).toBeUndefined();
    expect(toFsa('12345')).toBeUndefined();
    const expected: Record<string, string> = {
      A: 'NL',
      B: 'NS',
      C: 'PE',
      E: 'NB',
      G: 'QC',
      H: 'QC',
      J: 'QC',
      K: 'ON',
      L: 'ON',
      M: 'ON',
      N: 'ON',
      P: 'ON',
      R: 'MB',
      S: 'SK',
      T: 'AB',
      V: 'BC',
      Y: 'YT',
    };
    for (const [letter, province] of Object.entries(expected))
      expect(fsaProvince(`${letter}1A`)).toBe(province);
    expect(fsaProvince('X0A')).toBe('NU');
    expect(fsaProvince('X1A')).toBe('NT');
  });

  it('falls back to the province, marked approximate, when no centroid was imported', async () => {
    await inRolledBack(async (tx) => {
      await tx.delete(place).where(and(eq(place.kind, 'fsa'), eq(place.key, 'r3c')));
      expect(await fsaCentroid(tx, 'R3C 4T3')).toEqual({ fsa: 'R3C', province: 'MB', approximate: true });
      expect(await fsaCentroid(tx, 'X0A 0H0')).toEqual({ fsa: 'X0A', province: 'NU', approximate: true });
      expect(await fsaCentroid(tx, 'not a postal code')).toBeUndefined();
    });
  });

  it('imports a good file and then locates its FSAs exactly', async () => {
    await inRolledBack(async (tx) => {
      const result = await importFsaCentroids(tx, fixture('fsa-good.csv'));
      expect(result).toEqual({ ok: true, imported: 4 });
      expect(await fsaCentroid(tx, 'k0z 1a1')).toMatchObject({
        fsa: 'K0Z',
        province: 'ON',
        latitude: 45.1,
        longitude: -75.9,
        approximate: false,
      });
      expect(await fsaCentroid(tx, 'H0Z')).toMatchObject({ province: 'QC', approximate: false });
      // A re-import replaces, never duplicates.
      await importFsaCentroids(tx, fixture('fsa-good.csv'));
      const [n] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(place)
        .where(and(eq(place.kind, 'fsa'), eq(place.key, 'k0z')));
      expect(n!.n).toBe(1);
    });
  });

  it('rejects a file with any bad row entirely, reporting every bad row', async () => {
    await inRolledBack(async (tx) => {
      await tx.delete(place).where(eq(place.kind, 'fsa'));
      const result = await importFsaCentroids(tx, fixture('fsa-bad.csv'));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);
      expect(result.errors.find((e) => e.line === 6)?.reason).toMatch(/province/);
      expect(result.errors.find((e) => e.line === 7)?.reason).toMatch(/already given on line 2/);
      const [n] = await tx.select({ n: sql<number>`count(*)::int` }).from(place).where(eq(place.kind, 'fsa'));
      expect(n!.n).toBe(0);
    });
  });

  it('reports an empty file and a header-only file as bad', () => {
    expect(parseFsaCsv('').errors).toHaveLength(1);
    expect(parseFsaCsv('fsa,latitude,longitude\n').errors).toHaveLength(1);
  });
});
