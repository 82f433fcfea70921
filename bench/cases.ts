import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { and, asc, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import {
  caseEvent,
  caseFile,
  caseNote,
  casePerson,
  caseSignal,
  caseTask,
  screening,
  signal,
  team,
  teamMember,
  users,
} from '../src/server/db/schema.js';
import { visibleCase } from '../src/server/modules/cases/access.js';
import { DEMO_PASSWORD } from '../src/server/modules/demo/demo.seed.js';
import { identityRepository } from '../src/server/modules/identity/identity.repository.js';
import { hashPassword } from '../src/server/modules/identity/identity.service.js';
import { decrypt, encrypt, keyring } from '../src/server/platform/crypto.js';
import { type Database, type Db, openPglite, openPostgres } from '../src/server/platform/db.js';
import { benchOnBothDatabases, percentile, type Row, startServer, summarise } from './lib.js';

/**
 * Cases (issue 6, docs/api/cases.md "Bench"), through the real server process (bundle) over HTTP:
 * - opening one case with 50 signals (screened), 6 people, 10 tasks and 200 timeline entries (40 of them notes):
 *   `GET /api/cases/:id`, one request at a time, as a member of the team the case is restricted to;
 * - case search over CASES (default 200,000) cases generated with SQL (statuses, regions, keywords from a small
 *   vocabulary, 5 % restricted to one of four teams, 0.2 % merged, break-glass grants, sealed titles; search_text
 *   as cases.service.ts buildSearchText writes it: reference, keywords, region, people's codes), as a member
 *   of one restricted team and as an advocate of no team who holds some grants (valid and expired):
 *   `?q=<keyword>`, `?region=ON&status=active`, `?reference=HC-…` (an open case; a restricted case of another team).
 * Before timing, the first CHECK_ROWS results of each search (pages of 100) are compared with the same query run in
 * SQL while preparing (visibleCase), and every restricted row returned must be one the user may see.
 * If the case routes are not in the bundle (404), the same predicates are timed in SQL instead (notes say so).
 * `node --import tsx bench/cases.ts` (or `npm run bench`; BENCH_SKIP_CASES=1 skips it). Figures are printed only.
 */
const PORT = process.env.BENCH_PORT ?? '18099';
const CASES = Number(process.env.BENCH_CASES ?? 200_000);
const OPENS = Number(process.env.BENCH_CASE_OPENS ?? 400);
const SEARCHES = Number(process.env.BENCH_CASE_SEARCHES ?? 200); // per query kind and user
const CHECK_ROWS = Number(process.env.BENCH_CASE_CHECK_ROWS ?? 300);
const FORCE_SQL = process.env.BENCH_CASES_SQL === '1';
/** Prints EXPLAIN (ANALYZE, BUFFERS) of the searches (as the outsider) after generating the data. */
const EXPLAIN = process.env.BENCH_CASES_EXPLAIN === '1';
/**
 * Adds, in the bench database only, the index proposed for `q` (the search's order as a btree, so that a common
 * term is found by walking the newest cases first instead of sorting every match). Not in the schema: a proposal.
 */
const PROPOSED_INDEX = process.env.BENCH_CASES_PROPOSED_INDEX === '1';
const PROPOSED_INDEX_SQL = 'create index case_file_activity_idx on case_file (last_activity_at desc, id)';
const TEAMS = 4;
const OTHER_USERS = 20;
const BATCH = 10_000;
const SIGNALS = 50;
const TIMELINE = 200;
const NOTES = 40;

/** The server seals with this key (HARBOUR_ENCRYPTION_KEY); the generator seals titles, notes and people with it. */
const KEY = randomBytes(32);
const RING = keyring(KEY);

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** Non-personal case tags, as staff choose them; the last one is rare (about 0.3 % of cases). */
export const VOCABULARY = [
  'nail salon',
  'trucking',
  'farm',
  'restaurant',
  'massage parlour',
  'construction',
  'domestic work',
  'hotel',
  'online ads',
  'cleaning',
  'fishing',
  'escort',
  'greenhouse',
  'meat packing',
  'warehouse',
  'landscaping',
  'student visa',
  'modelling',
  'seasonal worker',
  'forced marriage',
];
const RARE = 'tattoo parlour';
/** Search terms (one word each, as typed): common, and one rare. */
const TERMS = ['trucking', 'salon', 'greenhouse', 'warehouse', 'hotel', 'restaurant', 'tattoo'];

const sqlList = (values: readonly string[]) => `array[${values.map((v) => `'${v}'`).join(',')}]`;
/**
 * 32 well-mixed bits of (row number, salt) from md5: the columns below look random, are reproducible and are not
 * correlated with each other (a multiplicative hash's low bits follow n mod 4, which tied restriction, keywords and
 * statuses together).
 */
const h = (salt: number) => `(('x' || substr(md5((n * 31 + ${salt})::text), 1, 8))::bit(32)::bigint)`;
/** `HC-XXXX-XXXX` from 40 bits of the row number (a bijection: references are unique). */
function referenceSql(prefix: string, n: string): string {
  const bits = `((${n}::bigint * 1099511627) % 1099511627776)`;
  const chars = Array.from(
    { length: 8 },
    (_, k) => `substr('${ALPHABET}', ((${bits} >> ${5 * k}) & 31)::int + 1, 1)`,
  );
  return `'${prefix}-' || ${chars.slice(0, 4).join(' || ')} || '-' || ${chars.slice(4).join(' || ')}`;
}

interface Prepared {
  member: string;
  outsider: string;
  bigCaseId: string;
  /** Case ids restricted to the member's team; ids the outsider holds an unexpired grant for. */
  memberTeam: Set<string>;
  outsiderGrants: Set<string>;
  openReferences: string[];
  restrictedReferences: string[];
  /** The first CHECK_ROWS ids of each search, per `${kind}|${user}`, computed in SQL (visibleCase). */
  expected: Map<string, string[]>;
  counts: { cases: number; restricted: number; grants: number };
}

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

async function createUser(db: Db, email: string, name: string, passwordHash: string): Promise<string> {
  const existing = await identityRepository.findUserByEmail(db, email);
  if (existing) return existing.id;
  const user = await identityRepository.insertUser(db, {
    email,
    displayName: name,
    role: 'advocate',
    locale: 'en-CA',
    passwordHash,
    isDemo: true,
  });
  return user.id;
}

/** One case as busy as a long investigation: 50 screened signals, people, tasks, notes, 200 timeline entries. */
async function bigCase(db: Db, teamId: string, memberId: string): Promise<string> {
  const caseId = randomUUID();
  await db.insert(caseFile).values({
    id: caseId,
    reference: 'HC-BNCH-2222',
    titleSealed: encrypt(RING, 'Bench case — trucking (fictional)', caseId),
    keywords: ['trucking', 'warehouse'],
    region: 'ON',
    searchText: 'hc-bnch-2222 trucking warehouse on labour',
    restrictedTeamId: teamId,
    ownerId: memberId,
    createdBy: memberId,
  });
  const signalIds = await rows<{ id: string }>(
    db,
    sql.raw(`insert into signal (reference, channel, language, state, arrived_at, answered_at, ended_at,
        end_reason, assigned_user_id, caller_type, region)
      select ${referenceSql('HB', 'n + 7777')}, (array['chat','phone','sms','email','whatsapp'])[1 + n % 5],
        (array['en','fr'])[1 + n % 2], 'ended', now() - (n || ' days')::interval,
        now() - (n || ' days')::interval + interval '40 seconds', now() - (n || ' days')::interval + interval '20 minutes',
        'completed', '${memberId}', 'victim', 'ON'
      from generate_series(1, ${SIGNALS}) as n returning id`),
  );
  await db
    .insert(caseSignal)
    .values(signalIds.map((s) => ({ signalId: s.id, caseId, attachedBy: memberId })));
  await db.insert(screening).values(
    signalIds.map((s, i) => ({
      signalId: s.id,
      safety: ['safe_now', 'unsafe', 'declined'][i % 3]!,
      classification: 'trafficking',
      needs: i % 4 === 0 ? ['declined'] : ['shelter_housing', 'legal'],
      createdBy: memberId,
      updatedBy: memberId,
    })),
  );
  const people = Array.from({ length: 6 }, (_, i) => {
    const id = randomUUID();
    return {
      id,
      caseId,
      role: (
        [
          'potential_victim',
          'potential_victim',
          'caller_reporter',
          'exploiter',
          'witness',
          'family_member',
        ] as const
      )[i]!,
      identitySealed: encrypt(
        RING,
        JSON.stringify({ name: `Test Person ${'ABCDEF'[i]} (fictional)`, contact: `+1416555010${i}` }),
        id,
      ),
      gender: i % 2 ? 'declined' : 'feminine',
      ageBand: i === 0 ? '25_34' : 'unknown',
      languages: ['en'],
      exploitationTypes: i < 2 ? ['labour'] : [],
    };
  });
  await db.insert(casePerson).values(people);
  await db.insert(caseTask).values(
    Array.from({ length: 10 }, (_, i) => {
      const id = randomUUID();
      return {
        id,
        caseId,
        kind: 'task',
        titleSealed: encrypt(RING, `Bench task ${i + 1} (fictional)`, id),
        dueAt: new Date(Date.now() + (i - 3) * 86_400_000),
        assigneeId: memberId,
        doneAt: i < 4 ? new Date() : null,
        createdBy: memberId,
      };
    }),
  );
  const notes = Array.from({ length: NOTES }, (_, i) => {
    const id = randomUUID();
    return {
      id,
      caseId,
      authorId: memberId,
      bodySealed: encrypt(RING, `Bench note ${i + 1}: follow-up call went fine (fictional). `.repeat(6), id),
      createdAt: new Date(Date.now() - i * 3_600_000),
    };
  });
  await db.insert(caseNote).values(notes);
  const events: (typeof caseEvent.$inferInsert)[] = [];
  for (let i = 0; i < TIMELINE; i++) {
    const at = new Date(Date.now() - i * 3_600_000 - 1000);
    if (i < NOTES)
      events.push({ caseId, type: 'note_added', at, userId: memberId, data: { note_id: notes[i]!.id } });
    else if (i < NOTES + SIGNALS)
      events.push({
        caseId,
        type: 'signal_attached',
        at,
        userId: memberId,
        data: { signal_id: signalIds[i - NOTES]!.id },
      });
    else if (i < NOTES + SIGNALS + people.length)
      events.push({
        caseId,
        type: 'person_added',
        at,
        userId: memberId,
        data: { person_id: people[i - NOTES - SIGNALS]!.id, role: people[i - NOTES - SIGNALS]!.role },
      });
    else events.push({ caseId, type: 'updated', at, userId: memberId, data: { fields: ['keywords'] } });
  }
  await db.insert(caseEvent).values(events);
  return caseId;
}

/** CASES case rows in batches: ids and sealed titles from here, every other column from the row number in SQL. */
async function manyCases(db: Db, teamIds: string[], memberId: string, outsiderId: string, bigCaseId: string) {
  const vocab = sqlList(VOCABULARY);
  // People's coded labels as buildSearchText writes them (codes, and their words).
  const labels = sqlList([
    'labour construction',
    'sex escort_services escort services',
    'labour agriculture_animal_husbandry agriculture animal husbandry',
    'both restaurants_food_service restaurants food service',
    '',
    'labour domestic_work domestic work',
    'sex illicit_massage_health_beauty illicit massage health beauty',
  ]);
  const teams = `array[${teamIds.map((t) => `'${t}'::uuid`).join(',')}]`;
  for (let start = 1; start <= CASES; start += BATCH) {
    const count = Math.min(BATCH, CASES - start + 1);
    const batch = Array.from({ length: count }, (_, k) => {
      const id = randomUUID();
      return [id, encrypt(RING, `Test case ${start + k} (fictional)`, id)];
    });
    await db.execute(
      sql`with src as (
          select (e.v ->> 0)::uuid as id, e.v ->> 1 as title, (${start - 1} + e.n)::bigint as n
          from jsonb_array_elements(${JSON.stringify(batch)}::jsonb) with ordinality as e(v, n)
        ), shaped as (
          select id, title, n,
            case when ${sql.raw(h(11))} % 1000 < 3 then array['${sql.raw(RARE)}']
              when n % 3 = 0 then array[(${sql.raw(vocab)})[1 + ${sql.raw(h(1))} % 20], (${sql.raw(vocab)})[1 + ${sql.raw(h(2))} % 20]]
              else array[(${sql.raw(vocab)})[1 + ${sql.raw(h(1))} % 20]] end as keywords,
            case when ${sql.raw(h(3))} % 100 < 50 then 'active' when ${sql.raw(h(3))} % 100 < 65 then 'follow_up'
              when ${sql.raw(h(3))} % 100 < 95 then 'closed' else 'closed_referred' end as status,
            case when ${sql.raw(h(4))} % 100 < 39 then 'ON' when ${sql.raw(h(4))} % 100 < 61 then 'QC'
              when ${sql.raw(h(4))} % 100 < 74 then 'BC' when ${sql.raw(h(4))} % 100 < 85 then 'AB'
              when ${sql.raw(h(4))} % 100 < 89 then 'MB' when ${sql.raw(h(4))} % 100 < 92 then 'SK'
              when ${sql.raw(h(4))} % 100 < 95 then 'NS' when ${sql.raw(h(4))} % 100 < 97 then 'NB'
              when ${sql.raw(h(4))} % 100 < 98 then 'unknown' else 'PE' end as region,
            now() - (${sql.raw(h(5))} % (3 * 365 * 86400)) * interval '1 second' as active_at,
            (${sql.raw(labels)})[1 + ${sql.raw(h(6))} % 7] as label
          from src
        )
        insert into case_file (id, reference, status, title_sealed, keywords, region, search_text, restricted_team_id,
          owner_id, created_by, involves_minor, closed_at, close_reason, merged_into_id, last_activity_at, created_at, updated_at)
        select id, ${sql.raw(referenceSql('HC', 'n'))},
          case when n % 500 = 3 then 'closed' else status end, title, keywords, region,
          trim(lower(${sql.raw(referenceSql('HC', 'n'))} || ' ' || array_to_string(keywords, ' ')
            || case when region = 'unknown' then '' else ' ' || region end || ' ' || label)),
          case when n % 20 = 7 then (${sql.raw(teams)})[1 + (n / 20) % ${TEAMS}] end,
          case n % 3 when 0 then ${memberId}::uuid when 1 then ${outsiderId}::uuid end,
          ${memberId}::uuid, n % 50 = 0,
          case when status like 'closed%' or n % 500 = 3 then active_at end,
          case when status like 'closed%' or n % 500 = 3 then 'services_in_place' end,
          case when n % 500 = 3 then ${bigCaseId}::uuid end,
          active_at, active_at - (${sql.raw(h(7))} % (90 * 86400)) * interval '1 second', active_at
        from shaped`,
    );
  }
}

type Kind = 'q' | 'region' | 'reference (open)' | 'reference (restricted)';

/** The search predicates of GET /api/cases, as the repository builds them (visibleCase, not merged, order). */
function searchWhere(kind: Kind, userId: string, term: string): SQL {
  const base = [visibleCase(userId), isNull(caseFile.mergedIntoId)];
  if (kind === 'q') base.push(sql`${caseFile.searchText} ilike ${`%${term}%`}`);
  else if (kind === 'region') base.push(eq(caseFile.region, 'ON'), eq(caseFile.status, 'active'));
  else base.push(eq(caseFile.reference, term));
  return and(...base)!;
}

function searchQuery(db: Db, kind: Kind, userId: string, term: string, limit: number) {
  return db
    .select({
      id: caseFile.id,
      restricted: sql<boolean>`${caseFile.restrictedTeamId} is not null`,
      title: caseFile.titleSealed,
      signalCount: sql<number>`(select count(*)::int from ${caseSignal} where ${caseSignal.caseId} = ${caseFile.id})`,
      openTaskCount: sql<number>`(select count(*)::int from ${caseTask} where ${caseTask.caseId} = ${caseFile.id} and ${caseTask.doneAt} is null)`,
      owner: users.displayName,
    })
    .from(caseFile)
    .leftJoin(users, eq(users.id, caseFile.ownerId))
    .where(searchWhere(kind, userId, term))
    .orderBy(desc(caseFile.lastActivityAt), asc(caseFile.id))
    .limit(limit);
}

const sqlSearch = async (db: Db, kind: Kind, userId: string, term: string, limit: number) =>
  await searchQuery(db, kind, userId, term, limit);

async function prepare(database: Database): Promise<Prepared> {
  const { db } = database;
  const t0 = performance.now();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const member = 'bench-cases-member@demo.harbour.example';
  const outsider = 'bench-cases-outsider@demo.harbour.example';
  const memberId = await createUser(db, member, 'Bench Cases Member (fictional)', passwordHash);
  const outsiderId = await createUser(db, outsider, 'Bench Cases Outsider (fictional)', passwordHash);
  const others: string[] = [];
  for (let i = 1; i <= OTHER_USERS; i++)
    others.push(
      await createUser(
        db,
        `bench-cases-${i}@demo.harbour.example`,
        `Bench Cases Advocate ${i} (fictional)`,
        passwordHash,
      ),
    );
  const teamIds = (
    await db
      .insert(team)
      .values(Array.from({ length: TEAMS }, (_, i) => ({ name: `Bench team ${i + 1} (fictional)` })))
      .returning({ id: team.id })
  ).map((t) => t.id);
  await db
    .insert(teamMember)
    .values([
      { teamId: teamIds[0]!, userId: memberId },
      ...others.map((u, i) => ({ teamId: teamIds[i % TEAMS]!, userId: u })),
    ]);
  const bigCaseId = await bigCase(db, teamIds[0]!, memberId);
  await manyCases(db, teamIds, memberId, outsiderId, bigCaseId);
  // Break-glass: the outsider holds 30 valid grants (team 2's cases) and 30 expired ones (team 3's); colleagues
  // hold 2,000 more on random restricted cases.
  await db.execute(sql`insert into case_access_grant (case_id, user_id, reason, granted_at, expires_at)
    select id, ${outsiderId}::uuid, 'covering_for_team', now() - interval '1 hour', now() + interval '7 hours'
    from case_file where restricted_team_id = ${teamIds[1]!}::uuid order by reference limit 30`);
  await db.execute(sql`insert into case_access_grant (case_id, user_id, reason, granted_at, expires_at)
    select id, ${outsiderId}::uuid, 'supervision', now() - interval '10 hours', now() - interval '2 hours'
    from case_file where restricted_team_id = ${teamIds[2]!}::uuid order by reference limit 30`);
  await db.execute(sql`insert into case_access_grant (case_id, user_id, reason, granted_at, expires_at)
    select c.id, (${sql.raw(`array[${others.map((o) => `'${o}'::uuid`).join(',')}]`)})[1 + (c.rn % ${OTHER_USERS})],
      'covering_for_team', now() - (c.rn % 48 || ' hours')::interval, now() - (c.rn % 48 || ' hours')::interval + interval '8 hours'
    from (select id, row_number() over (order by id) as rn from case_file where restricted_team_id is not null) c
    where c.rn <= 2000`);
  if (PROPOSED_INDEX) await db.execute(sql.raw(PROPOSED_INDEX_SQL));
  await db.execute(sql`analyze`);
  const ready = performance.now();
  if (EXPLAIN) {
    // Per search: the execution time and the plan's outline; the whole plan for the broadest term and the region.
    const searches: [Kind, string][] = [...TERMS.map((t) => ['q', t] as [Kind, string]), ['region', '']];
    for (const [kind, term] of searches) {
      const plan = (
        await rows<Record<string, string>>(
          db,
          sql`explain (analyze, buffers) ${searchQuery(db, kind, outsiderId, term, 26).getSQL()}`,
        )
      ).map((r) => Object.values(r)[0]!);
      const full = term === 'restaurant' || kind === 'region';
      const outline = plan.filter(
        (l) =>
          /->|Execution Time|Rows Removed/.test(l) &&
          !/SubPlan|Aggregate|Seq Scan on (case_signal|case_task|team_member)|Memoize|users|case_access_grant/.test(
            l,
          ),
      );
      console.log(
        `\nEXPLAIN ANALYZE (${database.kind}) ${kind} ${term}:\n${(full ? plan : outline).join('\n')}`,
      );
    }
  }

  const memberTeam = new Set(
    (
      await rows<{ id: string }>(
        db,
        sql`select id from case_file where restricted_team_id = ${teamIds[0]!}::uuid`,
      )
    ).map((r) => r.id),
  );
  const outsiderGrants = new Set(
    (
      await rows<{ id: string }>(
        db,
        sql`select case_id as id from case_access_grant where user_id = ${outsiderId}::uuid and expires_at > now()`,
      )
    ).map((r) => r.id),
  );
  const openReferences = (
    await rows<{ reference: string }>(
      db,
      sql`select reference from case_file where restricted_team_id is null and merged_into_id is null order by id limit 50`,
    )
  ).map((r) => r.reference);
  const restrictedReferences = (
    await rows<{ reference: string }>(
      db,
      sql`select reference from case_file where restricted_team_id = ${teamIds[0]!}::uuid and merged_into_id is null
        order by id limit 50`,
    )
  ).map((r) => r.reference);
  const expected = new Map<string, string[]>();
  for (const [userLabel, userId] of [
    ['member', memberId],
    ['outsider', outsiderId],
  ] as const) {
    for (const term of TERMS)
      expected.set(
        `q:${term}|${userLabel}`,
        (await sqlSearch(db, 'q', userId, term, CHECK_ROWS)).map((r) => r.id),
      );
    expected.set(
      `region|${userLabel}`,
      (await sqlSearch(db, 'region', userId, '', CHECK_ROWS)).map((r) => r.id),
    );
  }
  const [counts] = await rows<{ cases: number; restricted: number; grants: number }>(
    db,
    sql`select (select count(*)::int from case_file) as cases,
      (select count(*)::int from case_file where restricted_team_id is not null) as restricted,
      (select count(*)::int from case_access_grant) as grants`,
  );
  console.log(
    `cases bench (${database.kind}): ${counts!.cases} cases (${counts!.restricted} restricted, ${counts!.grants} grants) ` +
      `generated in ${((ready - t0) / 1000).toFixed(1)} s`,
  );
  return {
    member,
    outsider,
    bigCaseId,
    memberTeam,
    outsiderGrants,
    openReferences,
    restrictedReferences,
    expected,
    counts: counts!,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

interface Session {
  cookie: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(base: string, s: Session, url: string): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.get(`${base}${url}`, { agent, headers: { cookie: s.cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          ms: performance.now() - t,
        }),
      );
    });
    req.on('error', reject);
  });
}

async function signIn(base: string, email: string): Promise<Session> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const cookie = /harbour_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  if (res.status !== 200 || !cookie) throw new Error(`sign-in ${email}: ${res.status} ${await res.text()}`);
  return { cookie };
}

interface Summary {
  id: string;
  restricted: boolean;
}
interface Page {
  items: Summary[];
  next_cursor: string | null;
  restricted?: { reference: string };
}

const searchPath = (kind: Kind, term: string, extra = '') =>
  kind === 'q'
    ? `/api/cases?q=${encodeURIComponent(term)}${extra}`
    : kind === 'region'
      ? `/api/cases?region=ON&status=active${extra}`
      : `/api/cases?reference=${encodeURIComponent(term)}${extra}`;

/** Walks the first CHECK_ROWS results in pages of 100 and compares them with the SQL computed while preparing. */
async function checkSearch(
  base: string,
  s: Session,
  kind: Kind,
  term: string,
  expected: string[] | undefined,
) {
  const seen: Summary[] = [];
  let cursor: string | null = null;
  do {
    const r = await get(
      base,
      s,
      searchPath(kind, term, `&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    );
    if (r.status !== 200) throw new Error(`${searchPath(kind, term)}: ${r.status} ${r.body}`);
    const page = JSON.parse(r.body) as Page;
    seen.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && seen.length < CHECK_ROWS);
  const ids = seen.slice(0, CHECK_ROWS).map((i) => i.id);
  if (expected && JSON.stringify(ids) !== JSON.stringify(expected))
    throw new Error(`${searchPath(kind, term)}: the API's first ${ids.length} rows differ from the SQL's`);
  return seen.slice(0, CHECK_ROWS);
}

async function runHttp(base: string, p: Prepared, label: string, rows: Row[]) {
  const member = await signIn(base, p.member);
  const outsider = await signIn(base, p.outsider);
  const allowed = { member: p.memberTeam, outsider: p.outsiderGrants };

  // 1. Opening the big case.
  const first = await get(base, member, `/api/cases/${p.bigCaseId}`);
  if (first.status !== 200) throw new Error(`GET /api/cases/:id: ${first.status} ${first.body}`);
  const detail = JSON.parse(first.body) as {
    signals: unknown[];
    timeline: { items: unknown[] };
    people: unknown[];
  };
  if (detail.signals.length !== SIGNALS || detail.timeline.items.length !== TIMELINE)
    throw new Error(
      `the case has ${detail.signals.length} signals, ${detail.timeline.items.length} timeline entries`,
    );
  const denied = await get(base, outsider, `/api/cases/${p.bigCaseId}`);
  if (denied.status !== 403) throw new Error(`the outsider opened the restricted case: ${denied.status}`);
  for (let i = 0; i < 20; i++) await get(base, member, `/api/cases/${p.bigCaseId}`);
  const opens: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const r = await get(base, member, `/api/cases/${p.bigCaseId}`);
    if (r.status !== 200) throw new Error(`GET /api/cases/:id: ${r.status}`);
    opens.push(r.ms);
  }
  rows.push(
    summarise(
      'open a case: 50 signals, 200 timeline entries',
      label,
      'ms',
      opens,
      'p99',
      `GET /api/cases/:id, sequential; ${Math.round(first.body.length / 1024)} KB`,
    ),
  );

  // 2. Permission check on the first CHECK_ROWS results of each search, then the timings.
  const restrictedSeen = { member: 0, outsider: 0 };
  for (const who of ['member', 'outsider'] as const) {
    const s = who === 'member' ? member : outsider;
    for (const [kind, term] of [...TERMS.map((t) => ['q', t] as const), ['region', ''] as const]) {
      const key = kind === 'q' ? `q:${term}|${who}` : `region|${who}`;
      for (const item of await checkSearch(base, s, kind, term, p.expected.get(key))) {
        if (!item.restricted) continue;
        if (!allowed[who].has(item.id))
          throw new Error(`${who} was shown restricted case ${item.id} (${searchPath(kind, term)})`);
        restrictedSeen[who]++;
      }
    }
  }
  const refChecks = {
    open: await get(base, outsider, searchPath('reference (open)', p.openReferences[0]!)),
    restrictedMember: await get(
      base,
      member,
      searchPath('reference (restricted)', p.restrictedReferences[0]!),
    ),
    restrictedOutsider: await get(
      base,
      outsider,
      searchPath('reference (restricted)', p.restrictedReferences[0]!),
    ),
  };
  const parsed = Object.fromEntries(
    Object.entries(refChecks).map(([k, v]) => [k, JSON.parse(v.body) as Page]),
  );
  if (
    parsed.open!.items.length !== 1 ||
    parsed.restrictedMember!.items.length !== 1 ||
    parsed.restrictedOutsider!.items.length !== 0 ||
    parsed.restrictedOutsider!.restricted?.reference !== p.restrictedReferences[0]
  )
    throw new Error(`reference lookups: ${JSON.stringify(parsed)}`);
  console.log(
    `cases bench (${label}): permission filter checked on ${CHECK_ROWS} rows × ${TERMS.length + 1} searches × 2 users ` +
      `(same ids as SQL); restricted rows seen: member ${restrictedSeen.member} (own team), outsider ` +
      `${restrictedSeen.outsider} (unexpired grants only); exact reference of another team's case: items [] + restricted`,
  );

  await timeSearches(
    label,
    rows,
    async (kind, who, term) => {
      const r = await get(base, who === 'member' ? member : outsider, searchPath(kind, term));
      if (r.status !== 200) throw new Error(`${searchPath(kind, term)}: ${r.status} ${r.body}`);
      const page = JSON.parse(r.body) as Page;
      return {
        ms: r.ms,
        items: page.items.length,
        restrictedItems: page.items.filter((i) => i.restricted).length,
      };
    },
    p,
    `HTTP, default page (25), sequential${PROPOSED_INDEX ? ', + proposed index' : ''}`,
  );
}

type Measure = (
  kind: Kind,
  who: 'member' | 'outsider',
  term: string,
) => Promise<{ ms: number; items: number; restrictedItems: number }>;

async function timeSearches(label: string, rows: Row[], measure: Measure, p: Prepared, how: string) {
  const kinds: [Kind, (i: number) => string, string][] = [
    ['q', (i) => TERMS[i % TERMS.length]!, `?q=<keyword> (${TERMS.length} terms in turn, one rare)`],
    ['region', () => '', '?region=ON&status=active'],
    [
      'reference (open)',
      (i) => p.openReferences[i % p.openReferences.length]!,
      '?reference=HC-… (open case)',
    ],
    [
      'reference (restricted)',
      (i) => p.restrictedReferences[i % p.restrictedReferences.length]!,
      "?reference=HC-… (team 1's restricted case)",
    ],
  ];
  for (const [kind, term, title] of kinds)
    for (const who of ['member', 'outsider'] as const) {
      for (let i = 0; i < 10; i++) await measure(kind, who, term(i));
      const ms: number[] = [];
      let items = 0;
      let restrictedItems = 0;
      const perTerm = new Map<string, number[]>();
      for (let i = 0; i < SEARCHES; i++) {
        const r = await measure(kind, who, term(i));
        ms.push(r.ms);
        items += r.items;
        restrictedItems += r.restrictedItems;
        if (kind === 'q') perTerm.set(term(i), [...(perTerm.get(term(i)) ?? []), r.ms]);
      }
      if (kind === 'q')
        console.log(
          `cases bench (${label}) q per term, ${who}: ` +
            [...perTerm]
              .map(([t, v]) => `${t} ${percentile(v, 50).toFixed(1)}/${percentile(v, 95).toFixed(1)}`)
              .join(', ') +
            ' (median/p95 ms)',
        );
      rows.push(
        summarise(
          `search ${title}, ${who === 'member' ? "team 1's member" : 'no team, grants'}`,
          label,
          'ms',
          ms,
          'p95',
          `${how}; ${(items / SEARCHES).toFixed(1)} rows/req, ${restrictedItems} restricted rows in all`,
        ),
      );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// SQL fallback (the case routes not in the bundle): the same predicates, timed in-process.

async function runSql(database: Database, p: Prepared, label: string, rows: Row[]) {
  const { db } = database;
  const userId = async (email: string) => (await identityRepository.findUserByEmail(db, email))!.id;
  const ids = { member: await userId(p.member), outsider: await userId(p.outsider) };
  const open = async () => {
    const t = performance.now();
    const [c] = await db
      .select({ row: caseFile, visible: sql<boolean>`${visibleCase(ids.member)}` })
      .from(caseFile)
      .where(eq(caseFile.id, p.bigCaseId));
    if (!c?.visible) throw new Error('big case not visible to its team');
    await db
      .select()
      .from(caseSignal)
      .innerJoin(signal, eq(signal.id, caseSignal.signalId))
      .leftJoin(screening, eq(screening.signalId, signal.id))
      .where(eq(caseSignal.caseId, p.bigCaseId));
    for (const person of await db.select().from(casePerson).where(eq(casePerson.caseId, p.bigCaseId)))
      decrypt(RING, person.identitySealed!, person.id);
    await db.select().from(caseTask).where(eq(caseTask.caseId, p.bigCaseId));
    const events = await db
      .select()
      .from(caseEvent)
      .where(eq(caseEvent.caseId, p.bigCaseId))
      .orderBy(desc(caseEvent.at), desc(caseEvent.id))
      .limit(TIMELINE + 1);
    const noteIds = events.flatMap((e) => (e.type === 'note_added' ? [String(e.data.note_id)] : []));
    for (const n of await db.select().from(caseNote).where(sql`${caseNote.id} in ${noteIds}`))
      decrypt(RING, n.bodySealed!, n.id);
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await open();
  const opens: number[] = [];
  for (let i = 0; i < OPENS; i++) opens.push(await open());
  rows.push(
    summarise(
      'open a case: 50 signals, 200 timeline entries',
      label,
      'ms',
      opens,
      'p99',
      'SQL only: routes not landed',
    ),
  );
  await timeSearches(
    label,
    rows,
    async (kind, who, term) => {
      const t = performance.now();
      const found = await sqlSearch(db, kind, ids[who], term, 26);
      for (const f of found.slice(0, 25)) if (f.title) decrypt(RING, f.title, f.id);
      const ms = performance.now() - t;
      for (const f of found)
        if (f.restricted && !(who === 'member' ? p.memberTeam : p.outsiderGrants).has(f.id))
          throw new Error(`${who} was shown restricted case ${f.id}`);
      return {
        ms,
        items: Math.min(found.length, 25),
        restrictedItems: found.filter((f) => f.restricted).length,
      };
    },
    p,
    'SQL only (visibleCase): routes not landed',
  );
}

async function run(env: Record<string, string | undefined>, label: string, p: Prepared, rows: Row[]) {
  const keyEnv = { HARBOUR_ENCRYPTION_KEY: KEY.toString('base64') };
  if (!FORCE_SQL) {
    const server = await startServer({
      PORT,
      HARBOUR_SIGN_IN_RATE_LIMIT: '100000',
      HARBOUR_RETENTION_DAYS: '0',
      ...keyEnv,
      ...env,
    });
    try {
      const probe = await get(server.url, await signIn(server.url, p.member), '/api/cases?limit=1');
      if (probe.status !== 404) return await runHttp(server.url, p, label, rows);
      console.log(
        'cases bench: GET /api/cases answers 404 (routes not in the bundle): timing the SQL instead',
      );
    } finally {
      await server.stop();
    }
  }
  const database = env.DATABASE_URL
    ? await openPostgres(env.DATABASE_URL, { max: 1 })
    : await openPglite(path.join(env.HARBOUR_DATA_DIR!, 'pg'));
  try {
    await runSql(database, p, label, rows);
  } finally {
    await database.close();
  }
}

await benchOnBothDatabases('cases', prepare, run);
agent.destroy();
