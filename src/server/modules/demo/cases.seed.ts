import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Role } from '../../../shared/roles.js';
import type { Config } from '../../config.js';
import { settings, signal, team, teamMember, users } from '../../db/schema.js';
import type { Actor } from '../../platform/audit.js';
import type { Bus } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { createMailer } from '../../platform/mail.js';
import type { AuthUser } from '../../platform/policy.js';
import { createCasesService } from '../cases/cases.service.js';
import { createEscalationsService } from '../cases/escalations.service.js';
import { createPartsService, type PersonInput } from '../cases/parts.service.js';
import { createReferralsService } from '../cases/referrals.service.js';
import { inSafeTime, type SafetyPlan } from '../cases/safety.js';
import { createScreeningService, type ScreeningChanges } from '../cases/screening.service.js';
import { contactHash, normalizeAddress, sealAddress } from '../channels/contact.js';
import { generateReference } from '../queue/signals.service.js';

/**
 * Fictional demo cases (issue 6): a few cases made through the case services (timeline, audit, search text as the
 * console would leave them), with screened signals, people whose answers include `declined` and `unknown`, a note,
 * tasks (one call-back inside the safety plan's safe times), a referral to the demo partner's organisation (sent,
 * accepted by the partner: its "referral waiting" e-mail goes to the configured mailer), a restricted case and a
 * case involving a minor with a child-protection escalation started on the "minor" override.
 * Every name says "(fictional)"; numbers are 555-01xx. Runs once per database (settings `demo_cases_seeded_at`).
 */
export const DEMO_CASES_SETTING = 'demo_cases_seeded_at';
export const DEMO_TEAM_NAME = 'Demo team (fictional)';

interface DemoSignal {
  channel: 'phone' | 'sms' | 'chat';
  language: 'en' | 'fr';
  /** Fictional caller number (phone, SMS): sealed, and hashed so that repeat contacts are recognised. */
  from?: string;
  daysAgo: number;
  callerType: string;
  region: string;
  screening: ScreeningChanges;
}

interface DemoCase {
  title: string;
  keywords: string[];
  region: string;
  restricted?: boolean;
  signals: DemoSignal[];
  people: (PersonInput & { role: string })[];
  note: string;
  task: string;
  /** A call-back on the first signal, inside its safety plan's safe times. */
  callBack?: boolean;
  /** A referral for the first person, to the demo partner's organisation: sent and accepted. */
  referral?: { need: string; agreed: string; shared: string[] };
  /** A child-protection escalation (the case involves a minor). */
  escalation?: boolean;
}

const ZONE = 'America/Toronto';

const SAFETY_PLAN_A: SafetyPlan = {
  safe_contacts: [{ name: 'Test Friend (fictional)', relationship: 'friend', phone: '+1 416-555-0142' }],
  code_word: 'blue umbrella (fictional)',
  safe_times: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '10:00', to: '14:00' }],
  time_zone: ZONE,
  contact_number_safe: false,
  safe_numbers: [{ label: 'Friend (fictional)', number: '+1 416-555-0142' }],
  voicemail_allowed: 'declined',
  notes: 'Call from a blocked number; ask for "Test Person A" only (fictional).',
};

export const DEMO_CASES: DemoCase[] = [
  {
    title: 'Test case — nail salon (fictional)',
    keywords: ['nail salon', 'documents held'],
    region: 'ON',
    callBack: true,
    signals: [
      {
        channel: 'phone',
        language: 'en',
        from: '+1 416-555-0123',
        daysAgo: 9,
        callerType: 'potential_victim',
        region: 'ON',
        screening: {
          safety: 'unsafe',
          classification: 'trafficking',
          needs: ['shelter_housing', 'legal', 'immigration'],
          safety_plan: SAFETY_PLAN_A,
        },
      },
      {
        channel: 'sms',
        language: 'en',
        from: '+1 416-555-0123',
        daysAgo: 2,
        callerType: 'potential_victim',
        region: 'ON',
        screening: { safety: 'safe_now', classification: 'trafficking', needs: ['declined'] },
      },
    ],
    people: [
      {
        role: 'potential_victim',
        name: 'Test Person A (fictional)',
        contact: '+1 416-555-0123',
        gender: 'feminine',
        age: 27,
        citizenship: ['declined'],
        languages: ['vi', 'en'],
        relationship_to_exploiter: 'employer',
        exploitation_types: ['labour'],
        venue: 'health_beauty_services',
        industry: 'S',
        means_of_control: ['debt_bondage', 'false_promises'],
        recruitment: ['unknown'],
        indicators: ['documents_held', 'lives_at_workplace', 'unpaid_or_underpaid'],
      },
      {
        role: 'exploiter',
        alias: 'Test Manager B (fictional)',
        gender: 'unknown',
        age_band: 'unknown',
        relationship_to_exploiter: 'unknown',
      },
    ],
    note: 'Fictional demo note: the caller works long hours at a salon and her passport is kept by the manager. She asked us to call only from a blocked number.',
    task: 'Check shelter availability in Toronto (fictional)',
    referral: {
      need: 'shelter_housing',
      agreed:
        'Test Person A agreed that the shelter may know her first name, language and safe times (fictional).',
      shared: ['first_name', 'language', 'safe_times'],
    },
  },
  {
    title: 'Test case — farm work (fictional)',
    keywords: ['farm', 'seasonal worker'],
    region: 'QC',
    signals: [
      {
        channel: 'chat',
        language: 'fr',
        daysAgo: 4,
        callerType: 'potential_victim',
        region: 'QC',
        screening: {
          safety: 'safe_now',
          classification: 'indicators_early_stage',
          needs: ['counselling', 'interpretation'],
        },
      },
    ],
    people: [
      {
        role: 'potential_victim',
        name: 'Test Person C (fictional)',
        gender: 'declined',
        age_band: '16_17',
        citizenship: ['unknown'],
        languages: ['fr', 'es'],
        relationship_to_exploiter: 'recruiter',
        exploitation_types: ['labour'],
        venue: 'agriculture_animal_husbandry',
        industry: 'A',
        means_of_control: ['declined'],
        recruitment: ['online_advertisement'],
        indicators: ['not_free_to_leave'],
      },
    ],
    note: 'Note de démonstration fictive : la personne parle d’heures de travail non payées ; un autre appel est prévu.',
    task: 'Call child protection to ask about the protocol (fictional)',
    escalation: true,
  },
  {
    title: 'Test case — online ads (fictional)',
    keywords: ['online ads'],
    region: 'BC',
    restricted: true,
    signals: [
      {
        channel: 'phone',
        language: 'en',
        from: '+1 604-555-0177',
        daysAgo: 1,
        callerType: 'family_friend',
        region: 'BC',
        screening: { safety: 'unknown', classification: 'trafficking', needs: ['unknown'] },
      },
    ],
    people: [
      {
        role: 'family_member',
        name: 'Test Person D (fictional)',
        contact: '+1 604-555-0177',
        gender: 'masculine',
        age_band: '50_64',
        languages: ['en'],
      },
      {
        role: 'potential_victim',
        name: 'Test Person E (fictional)',
        gender: 'unknown',
        age_band: 'unknown',
        citizenship: ['CA'],
        exploitation_types: ['sex'],
        venue: 'escort_services',
        recruitment: ['intimate_partner_grooming'],
        means_of_control: ['unknown'],
      },
    ],
    note: 'Fictional demo note: a relative calls about online ads; restricted to the demo team while it is checked.',
    task: 'Follow up with the relative (fictional)',
  },
];

/** The seed listens to nothing and logs only warnings (a failed partner e-mail) to the console. */
const NO_BUS: Bus = { subscribe: () => () => {}, close: async () => {}, connected: () => true };
const noop = () => {};
const WARN_LOG = {
  level: 'warn',
  fatal: noop,
  error: noop,
  warn: (obj: unknown, msg?: string) => console.warn(msg ?? obj),
  info: noop,
  debug: noop,
  trace: noop,
  silent: noop,
  child: () => WARN_LOG,
} as unknown as FastifyBaseLogger;

/** The first hour on the hour, a day or more from now, that falls in the plan's safe times. */
function nextSafeTime(plan: SafetyPlan, now: Date): Date {
  const at = new Date(now.getTime() + 86_400_000);
  at.setUTCMinutes(0, 0, 0);
  for (let i = 0; i < 24 * 14; i++, at.setTime(at.getTime() + 3_600_000))
    if (inSafeTime(plan, at, ZONE)) return new Date(at.getTime() + 30 * 60_000);
  throw new Error('no safe time in the demo safety plan');
}

async function authUser(tx: Db, email: string): Promise<AuthUser | undefined> {
  const [u] = await tx.select().from(users).where(eq(users.email, email));
  if (!u) return undefined;
  return {
    id: u.id,
    email: u.email,
    role: u.role as Role,
    locale: u.locale as AuthUser['locale'],
    isDemo: u.isDemo,
    totpEnabled: false,
  };
}

/**
 * Adds the demo cases once (idempotent), worked by the advocate `advocateEmail`, who alone is in the demo team (the
 * restricted case shows others the break-glass flow). Returns the references created ([] when already done).
 */
export async function seedDemoCases(
  tx: Db,
  actor: Actor,
  config: Config,
  advocateEmail: string,
  partnerEmail: string,
): Promise<string[]> {
  const [done] = await tx.select().from(settings).where(eq(settings.key, DEMO_CASES_SETTING));
  if (done) return [];
  const advocate = await authUser(tx, advocateEmail);
  if (!advocate) return [];
  const [partner] = await tx.select().from(users).where(eq(users.email, partnerEmail));
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir });
  try {
    return await seed(tx, actor, config, advocate, partner, mailer);
  } finally {
    mailer.close();
  }
}

async function seed(
  tx: Db,
  actor: Actor,
  config: Config,
  advocate: AuthUser,
  partner: typeof users.$inferSelect | undefined,
  mailer: ReturnType<typeof createMailer>,
): Promise<string[]> {
  const deps = { db: tx, config, bus: NO_BUS, mailer, log: WARN_LOG };
  const cases = createCasesService(deps);
  const parts = createPartsService(deps);
  const screenings = createScreeningService(deps);
  const referrals = createReferralsService(deps);
  const escalations = createEscalationsService(deps);
  const ring = config.encryptionKey;
  const now = new Date();

  let [demoTeam] = await tx.select().from(team).where(eq(team.name, DEMO_TEAM_NAME));
  if (!demoTeam) [demoTeam] = await tx.insert(team).values({ name: DEMO_TEAM_NAME }).returning();
  await tx.insert(teamMember).values({ teamId: demoTeam!.id, userId: advocate.id }).onConflictDoNothing();

  const references: string[] = [];
  for (const demo of DEMO_CASES) {
    const signalIds: string[] = [];
    for (const s of demo.signals) {
      const id = randomUUID();
      const arrivedAt = new Date(now.getTime() - s.daysAgo * 86_400_000);
      const address = s.from ? normalizeAddress(s.channel === 'sms' ? 'sms' : 'phone', s.from) : undefined;
      await tx.insert(signal).values({
        id,
        reference: generateReference(),
        channel: s.channel,
        language: s.language,
        state: 'ended',
        arrivedAt,
        queuedAt: arrivedAt,
        answeredAt: new Date(arrivedAt.getTime() + 45_000),
        endedAt: new Date(arrivedAt.getTime() + 25 * 60_000),
        endReason: 'completed',
        assignedUserId: advocate.id,
        callerType: s.callerType,
        region: s.region,
        wrapUpLanguage: s.language,
        wrappedUpAt: new Date(arrivedAt.getTime() + 30 * 60_000),
        wrappedUpBy: advocate.id,
        ...(address
          ? { contactHash: contactHash(ring, address), addressSealed: sealAddress(ring, id, address) }
          : {}),
      });
      // The advocate who held the signal screens it (version 0: the first save).
      await screenings.update(actor, advocate, id, 0, s.screening);
      signalIds.push(id);
    }
    const created = await cases.create(actor, advocate, {
      signalId: signalIds[0],
      title: demo.title,
      keywords: demo.keywords,
      region: demo.region,
      restrictedTeamId: demo.restricted ? demoTeam!.id : undefined,
    });
    for (const signalId of signalIds.slice(1))
      await cases.attachSignal(actor, advocate, created.id, signalId);
    const people = [];
    for (const person of demo.people) people.push(await parts.addPerson(actor, advocate, created.id, person));
    await parts.addNote(actor, advocate, created.id, demo.note);
    await parts.addTask(actor, advocate, created.id, {
      kind: 'task',
      title: demo.task,
      // In three days, in the morning in Toronto (15:00 UTC is 10:00 or 11:00 there), as an advocate would set it.
      due_at: new Date(new Date(now.getTime() + 3 * 86_400_000).setUTCHours(15, 0, 0, 0)).toISOString(),
      assignee_id: advocate.id,
    });
    const plan = demo.signals[0]?.screening.safety_plan;
    if (demo.callBack && plan)
      await parts.addTask(actor, advocate, created.id, {
        kind: 'call_back',
        title: 'Call back Test Person A on the safe number (fictional)',
        due_at: nextSafeTime(plan, now).toISOString(),
        assignee_id: advocate.id,
        signal_id: signalIds[0],
        call_number_ref: 'safe:0',
      });
    // Closing the loop: a consented referral to the demo partner's organisation, sent, and accepted by the partner.
    if (demo.referral && partner?.organizationId) {
      const proposed = await referrals.create(actor, advocate, created.id, {
        person_id: people[0]!.id,
        need: demo.referral.need,
        organization_id: partner.organizationId,
        consent: { kind: 'verbal', agreed: demo.referral.agreed, shared_fields: demo.referral.shared },
      });
      const sent = await referrals.send(actor, advocate, proposed.id, proposed.version);
      await referrals.partnerUpdate(
        { id: partner.id, label: partner.email },
        partner.id,
        sent.id,
        sent.version,
        'accepted',
        'We can offer a bed this week (fictional).',
        'referral.partner_respond',
      );
    }
    // A minor: the child-protection protocol starts without consent (override "minor"), with the nearest agency;
    // it waits for a supervisor's approval when the protocol asks for one.
    if (demo.escalation) {
      const [agency] = await escalations.agencies(actor, advocate, created.id, 'child_protection');
      await escalations.create(actor, advocate, created.id, {
        kind: 'child_protection',
        organization_id: agency?.id,
        consent_given: false,
        override_reason: 'minor',
        override_note: 'Fictional demo: the person said they are 16 or 17.',
      });
    }
    references.push(created.reference);
  }
  await tx
    .insert(settings)
    .values({ key: DEMO_CASES_SETTING, value: now.toISOString() })
    .onConflictDoNothing();
  return references;
}
