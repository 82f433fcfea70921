import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../../test/helpers/app.js';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { withoutIds } from '../../../../test/helpers/privacy.js';
import {
  caseEvent,
  caseFile,
  caseNote,
  casePerson,
  caseSignal,
  caseTask,
  escalation,
  organization,
  referral,
  screening,
  signal,
  team,
  teamMember,
  users,
} from '../../db/schema.js';
import { decrypt } from '../../platform/crypto.js';
import { visibleCase } from '../cases/access.js';
import { createCasesService } from '../cases/cases.service.js';
import { openSafetyPlan } from '../cases/safety.js';
import { DEMO_CASES, DEMO_TEAM_NAME } from './cases.seed.js';
import { demoEmail, seedDemo } from './demo.seed.js';

let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
beforeAll(async () => {
  iso = await isolatedDatabase();
});
afterAll(() => iso.drop());

describe('demo data', () => {
  it('creates one fictional account per role, links the partner to a public demo provider, and is idempotent', async () => {
    const first = await seedDemo(iso.database.db, { id: null, label: 'test' });
    expect(first.created).toHaveLength(8);
    const [partner] = await iso.database.db
      .select()
      .from(users)
      .where(eq(users.email, demoEmail('partner')));
    expect(partner?.organizationId).toBeTruthy();
    const [org] = await iso.database.db
      .select()
      .from(organization)
      .where(eq(organization.id, partner!.organizationId!));
    expect(org).toMatchObject({ isDemo: true, confidential: false, organizationType: 'service_provider' });
    expect(org!.name).toMatch(/fictional|fictif/i);
    const again = await seedDemo(iso.database.db, { id: null, label: 'test' });
    expect(again.created).toEqual([]);
    expect(again.cases).toEqual([]); // no configuration (no key): no cases
  }, 300_000);

  it('adds a few fictional cases through the services once: screened signals, people with declined/unknown answers, a note, tasks, a referral accepted by the partner, a restricted case, a minor with child protection', async () => {
    const db = iso.database.db;
    const config = testConfig();
    const ring = config.encryptionKey;
    const actor = { id: null, label: 'test' };
    const counts = async () => {
      const result = (await db.execute(sql`select
        (select count(*)::int from case_file) as cases, (select count(*)::int from case_person) as people,
        (select count(*)::int from case_note) as notes, (select count(*)::int from case_task) as tasks,
        (select count(*)::int from signal) as signals, (select count(*)::int from screening) as screenings,
        (select count(*)::int from case_event) as events, (select count(*)::int from team) as teams,
        (select count(*)::int from referral) as referrals, (select count(*)::int from escalation) as escalations,
        (select count(*)::int from audit_log) as audits`)) as unknown as { rows: Record<string, number>[] };
      return result.rows[0]!;
    };
    const before = await counts();
    const first = await seedDemo(db, actor, config);
    expect(first.created).toEqual([]);
    expect(first.cases).toHaveLength(DEMO_CASES.length);
    for (const r of first.cases) expect(r).toMatch(/^HC-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);

    const rows = await db.select().from(caseFile);
    expect(rows).toHaveLength(DEMO_CASES.length);
    const titles = rows.map((c) => decrypt(ring, c.titleSealed!, c.id).toString());
    expect(titles.sort()).toEqual(DEMO_CASES.map((c) => c.title).sort());
    for (const t of titles) expect(t).toMatch(/^Test case — .+ \(fictional\)$/);
    for (const c of rows) expect(c.searchText).toContain(c.reference.toLowerCase());

    // People: every name fictional, every number 555-01xx; declined and unknown answers are there, apart.
    const people = await db.select().from(casePerson);
    expect(people.length).toBeGreaterThanOrEqual(5);
    for (const p of people) {
      const identity = JSON.parse(decrypt(ring, p.identitySealed!, p.id).toString()) as Record<
        string,
        string
      >;
      for (const v of [identity.name, identity.alias].filter(Boolean)) expect(v).toMatch(/\(fictional\)$/);
      if (identity.contact) expect(identity.contact).toMatch(/555-01\d\d$/);
    }
    const answers = people.flatMap((p) => [p.gender, p.ageBand, p.relationshipToExploiter, ...p.citizenship]);
    expect(answers).toContain('declined');
    expect(answers).toContain('unknown');
    expect(people.some((p) => p.meansOfControl.join() === 'declined')).toBe(true);
    expect(people.some((p) => p.isMinor)).toBe(true);
    const farm = rows.find((c) => c.keywords.includes('farm'));
    expect(farm?.involvesMinor).toBe(true);

    // Signals: screened, held by the demo advocate, fictional numbers sealed and hashed (repeat contact).
    const signals = await db.select().from(signal).innerJoin(caseSignal, eq(caseSignal.signalId, signal.id));
    expect(signals).toHaveLength(DEMO_CASES.flatMap((c) => c.signals).length);
    const screenings = await db.select().from(screening);
    expect(screenings.map((s) => s.signalId).sort()).toEqual(signals.map((s) => s.signal.id).sort());
    expect(screenings.some((s) => s.needs.join() === 'declined')).toBe(true);
    const planned = screenings.find((s) => s.safetyPlanSealed);
    expect(
      openSafetyPlan(ring, planned!.safetyPlanSealed, planned!.signalId)?.safe_numbers?.[0]?.number,
    ).toMatch(/555-01\d\d$/);
    const hashes = signals.map((s) => s.signal.contactHash).filter(Boolean);
    expect(new Set(hashes).size).toBeLessThan(hashes.length);

    // A note and tasks on every case; the call-back on the safe number, no voicemail (the plan declined it).
    expect(await db.select().from(caseNote)).toHaveLength(DEMO_CASES.length);
    const tasks = await db.select().from(caseTask);
    const callBack = tasks.find((t) => t.kind === 'call_back');
    expect(callBack).toMatchObject({
      callNumberRef: 'safe:0',
      voicemailAllowed: false,
      signalId: planned!.signalId,
    });
    expect(tasks.filter((t) => t.kind === 'task')).toHaveLength(DEMO_CASES.length);
    expect(tasks.filter((t) => t.kind === 'call_back')).toHaveLength(1);
    // Closing the loop: a consented referral to the demo partner's organisation, sent and accepted by the partner.
    const [partner] = await db
      .select()
      .from(users)
      .where(eq(users.email, demoEmail('partner')));
    const [sent] = await db.select().from(referral);
    expect(sent).toMatchObject({
      status: 'accepted',
      organizationId: partner!.organizationId,
      consentKind: 'verbal',
      sharedFields: ['first_name', 'language', 'safe_times'],
    });
    expect(sent!.respondedBy).toBe(partner!.id);
    const shared = JSON.parse(decrypt(ring, sent!.sharedSealed!, sent!.id).toString()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(shared).sort()).toEqual(['first_name', 'language', 'safe_times']);
    expect(tasks.some((t) => t.kind === 'referral_follow_up' && t.referralId === sent!.id)).toBe(true);
    // The minor: child protection started without consent on the "minor" override.
    const [childProtection] = await db.select().from(escalation);
    expect(childProtection).toMatchObject({
      caseId: farm!.id,
      kind: 'child_protection',
      consentGiven: false,
      overrideReason: 'minor',
    });
    expect(['open', 'awaiting_approval']).toContain(childProtection!.status);
    // Timeline entries hold ids and codes only.
    for (const e of await db.select().from(caseEvent))
      expect(withoutIds(JSON.stringify(e.data))).not.toMatch(/fictional|555/);

    // The restricted case: the demo advocate's team only; the demo supervisor would break glass.
    const [demoTeam] = await db.select().from(team).where(eq(team.name, DEMO_TEAM_NAME));
    const restricted = rows.filter((c) => c.restrictedTeamId);
    expect(restricted).toHaveLength(1);
    expect(restricted[0]!.restrictedTeamId).toBe(demoTeam!.id);
    const members = await db.select().from(teamMember).where(eq(teamMember.teamId, demoTeam!.id));
    const [advocate] = await db
      .select()
      .from(users)
      .where(eq(users.email, demoEmail('advocate')));
    const [supervisor] = await db
      .select()
      .from(users)
      .where(eq(users.email, demoEmail('supervisor')));
    expect(members.map((m) => m.userId)).toEqual([advocate!.id]);
    const visibleTo = async (userId: string) =>
      (await db.select({ id: caseFile.id }).from(caseFile).where(visibleCase(userId))).length;
    expect(await visibleTo(advocate!.id)).toBe(DEMO_CASES.length);
    expect(await visibleTo(supervisor!.id)).toBe(DEMO_CASES.length - 1);

    // Found by the case search as the console would search.
    const found = await createCasesService({ db, config }).search(
      actor,
      {
        id: advocate!.id,
        email: advocate!.email,
        role: 'advocate',
        locale: 'en-CA',
        isDemo: true,
        totpEnabled: false,
      },
      { q: 'nail salon' },
    );
    expect(found.items.map((i) => i.title)).toEqual(['Test case — nail salon (fictional)']);

    // Idempotent: a second run adds nothing at all (no case, signal, audit row…).
    const after = await counts();
    const again = await seedDemo(db, actor, config);
    expect(again).toEqual({ created: [], cases: [] });
    expect(await counts()).toEqual(after);
    expect(after.cases! - before.cases!).toBe(DEMO_CASES.length);
  }, 300_000);
});
