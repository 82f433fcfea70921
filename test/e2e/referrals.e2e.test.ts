import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  address,
  attribute,
  caseAccessGrant,
  caseFile,
  casePerson,
  casePlaceEvent,
  escalation,
  location,
  organization,
  place,
  protocol,
  referral,
  service,
  serviceAtLocation,
  taxonomyTerm,
  team,
} from '../../src/server/db/schema.js';
import { refreshSearch } from '../../src/server/modules/directory/directory.projection.js';
import { encrypt } from '../../src/server/platform/crypto.js';
import type { Db } from '../../src/server/platform/db.js';
import { TEST_KEY } from '../helpers/app.js';
import { axeViolations } from '../helpers/browser.js';
import { type ConsoleE2e, signIn, startConsole } from '../helpers/console-e2e.js';
import { createUser } from '../helpers/factories.js';

// Referrals, escalations, the partner's page and supervision in a real browser, against the real server: an
// advocate refers a person from the case (directory search in context, consent, what may be shared) and sends it;
// the partner accepts it and records "service received"; an escalation without consent waits for a supervisor,
// who approves it from the supervision page; its checklist, "made" and completion. axe finds nothing, EN and FR.

let browser: Browser;
let base: string;
let e2e: ConsoleE2e | undefined;
let db: Db;

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tag = () => randomBytes(4).toString('hex').toUpperCase();

beforeAll(async () => {
  // The supervision lists are global (every approval, every break-glass read): a database of its own.
  e2e = await startConsole();
  ({ db, base, browser } = e2e);
}, 120_000);
afterAll(async () => {
  await e2e?.close();
});

async function open(page: Page, pathname: string, heading: string | RegExp) {
  await page.goto(`${base}${pathname}`);
  await page.getByRole('heading', { name: heading }).first().waitFor({ timeout: 15_000 });
}

async function choose(
  scope: Page | ReturnType<Page['getByRole']>,
  page: Page,
  label: RegExp,
  option: string,
) {
  await scope.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function noViolations(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

async function toFrench(page: Page) {
  await page.getByRole('button', { name: 'Français' }).click();
  await page.locator('html[lang="fr-CA"]').waitFor();
}

/** A city with coordinates, a case there, and one potential victim (synthetic). */
async function seedCase(options: { minor?: boolean } = {}) {
  const city = `Refertown ${tag()}`;
  await db.insert(place).values({
    kind: 'city',
    name: city,
    key: sql`lower(unaccent(${city}::text))`,
    province: 'ON',
    latitude: 46.5 + Math.random(),
    longitude: -84.5 + Math.random(),
    population: 1000,
  });
  const [c] = await db
    .insert(caseFile)
    .values({
      reference: `HC-E2E${tag().slice(0, 2)}-${tag()}`,
      region: 'ON',
      involvesMinor: Boolean(options.minor),
    })
    .returning();
  await db.insert(casePlaceEvent).values({ caseId: c!.id, type: 'exploitation', region: 'ON', city });
  const personId = randomUUID();
  await db.insert(casePerson).values({
    id: personId,
    caseId: c!.id,
    role: 'potential_victim',
    identitySealed: encrypt(
      TEST_KEY,
      JSON.stringify({ name: 'Test Person (fictional)', contact: '555-0142' }),
      personId,
    ),
    languages: ['es'],
    ageBand: options.minor ? '16_17' : '25_34',
    gender: 'declined',
    isMinor: Boolean(options.minor),
  });
  return { caseId: c!.id, reference: c!.reference, personId, city };
}

/** A shelter (Open Eligibility 1121) in that city that speaks Spanish, found by the case's referral search. */
async function seedShelter(city: string) {
  const [p] = await db.select().from(place).where(eq(place.name, city));
  const [term] = await db
    .select({ id: taxonomyTerm.id })
    .from(taxonomyTerm)
    .where(and(eq(taxonomyTerm.code, '1121'), eq(taxonomyTerm.taxonomy, 'open-eligibility')))
    .limit(1);
  const termId =
    term?.id ??
    (
      await db
        .insert(taxonomyTerm)
        .values({
          code: '1121',
          name: 'Emergency shelter',
          description: '1121',
          taxonomy: 'open-eligibility',
        })
        .returning()
    )[0]!.id;
  const orgName = `Harbour Test Shelter Org ${tag()} (fictional)`;
  const [org] = await db
    .insert(organization)
    .values({ name: orgName, jurisdiction: ['ON'] })
    .returning();
  const serviceName = `Safe Beds ${tag()} (fictional)`;
  const [svc] = await db.insert(service).values({ organizationId: org!.id, name: serviceName }).returning();
  const [loc] = await db
    .insert(location)
    .values({ organizationId: org!.id, latitude: p!.latitude! + 0.01, longitude: p!.longitude! })
    .returning();
  await db.insert(address).values({
    locationId: loc!.id,
    address1: '1 Fictional Street',
    city,
    stateProvince: 'ON',
    postalCode: 'P0P 0P0',
    country: 'CA',
  });
  await db.insert(serviceAtLocation).values({ serviceId: svc!.id, locationId: loc!.id });
  await db.insert(attribute).values({ linkId: svc!.id, linkEntity: 'service', taxonomyTermId: termId });
  await db.execute(sql`insert into language (service_id, code) values (${svc!.id}, 'es')`);
  await db.transaction((tx) => refreshSearch(tx, [svc!.id]));
  return { organizationId: org!.id, orgName, serviceName };
}

describe('referrals, escalations, partner and supervision in a real browser', () => {
  it('an advocate refers from the case with consent and sends it; the partner accepts and records the outcome', {
    timeout: 180_000,
  }, async () => {
    const { caseId, city } = await seedCase();
    const shelter = await seedShelter(city);
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const partner = await createUser(db, {
      role: 'partner',
      mfa: true,
      organizationId: shelter.organizationId,
    });

    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await open(page, `/console/cases/${caseId}`, 'Referrals');
    await page.getByText('No referral yet').waitFor();

    // Refer: the need, a service found for this case (near its city, in the person's language), consent.
    // Keyboard only: Enter opens the dialog with focus inside it, Escape closes it and focus returns to "Refer".
    const referButton = page.getByRole('button', { name: 'Refer', exact: true });
    await referButton.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Refer to a service' });
    await dialog.waitFor();
    await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => referButton.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await choose(dialog, page, /Need/, 'Shelter or housing');
    const serviceRadio = dialog.getByRole('radio', { name: new RegExp(literal(shelter.serviceName)) });
    await serviceRadio.waitFor({ timeout: 15_000 });
    await serviceRadio.check({ force: true });
    // Without consent the referral can be proposed but not sent: the dialog says so.
    await dialog.getByRole('radio', { name: 'Not yet' }).check({ force: true });
    await dialog.getByText(/cannot be sent until consent is recorded/).waitFor();
    await dialog.getByRole('radio', { name: 'Yes, verbally' }).check({ force: true });
    await dialog.getByLabel('What was agreed').fill('Agreed to be called by the shelter <b>tomorrow</b>.');
    await dialog.getByRole('checkbox', { name: /First name/ }).check({ force: true });
    await dialog.getByRole('checkbox', { name: /Language/ }).check({ force: true });
    await noViolations(page);
    await dialog.getByRole('button', { name: 'Create the referral' }).click();
    await dialog.waitFor({ state: 'detached' });

    const item = page.getByRole('listitem').filter({ hasText: shelter.orgName });
    await item.getByText('Proposed (not sent)').waitFor();
    // Hostile-looking text is shown as typed, never as markup.
    await item.getByText('Agreed to be called by the shelter <b>tomorrow</b>.').waitFor();
    await noViolations(page);
    await item.getByRole('button', { name: `Send to ${shelter.orgName}` }).click();
    await item.getByText('Sent, waiting for an answer').waitFor();
    await page.getByRole('status').filter({ hasText: 'A follow-up task was added' }).waitFor();
    const [stored] = await db.select().from(referral).where(eq(referral.caseId, caseId));
    expect(stored!.status).toBe('sent');
    expect(stored!.sharedFields.sort()).toEqual(['first_name', 'language']);
    await toFrench(page);
    await page.getByRole('heading', { name: 'Références' }).waitFor();
    await noViolations(page);
    await context.close();

    // The partner: only what was shared; accepts, then records "service received".
    const partnerContext = await browser.newContext({ locale: 'en-CA' });
    const partnerPage = await partnerContext.newPage();
    await signIn(partnerPage, base, partner);
    await open(partnerPage, '/console/partner/referrals', 'Referrals to your organization');
    const card = partnerPage.getByRole('listitem').filter({ hasText: 'Shelter or housing' });
    // The first name only (the first word of the name the person gave), and their language.
    await card.getByText('Test', { exact: true }).waitFor();
    await card.getByText('Spanish', { exact: true }).waitFor();
    expect(await card.getByText('Test Person (fictional)').count()).toBe(0);
    // Not consented: the contact never reaches the partner.
    expect(await card.getByText('555-0142').count()).toBe(0);
    await noViolations(partnerPage);
    await card.getByRole('button', { name: 'Accept' }).click();
    const respond = partnerPage.getByRole('dialog', { name: 'Your answer to the referral' });
    await respond.getByRole('radio', { name: 'Yes, we accept it' }).waitFor();
    await noViolations(partnerPage);
    await respond.getByRole('button', { name: 'Save' }).click();
    await respond.waitFor({ state: 'detached' });
    await card.getByText('Accepted by the service').waitFor();
    await card.getByRole('button', { name: 'Record the outcome' }).click();
    const outcome = partnerPage.getByRole('dialog', { name: 'Outcome of the referral' });
    await outcome.getByRole('radio', { name: 'Service received' }).check({ force: true });
    await outcome.getByLabel(/Note for the hotline/).fill('Stayed three nights (fictional).');
    await outcome.getByRole('button', { name: 'Save' }).click();
    await outcome.waitFor({ state: 'detached' });
    await card.getByText('Service received').waitFor();
    const [done] = await db.select().from(referral).where(eq(referral.caseId, caseId));
    expect(done!.status).toBe('service_received');
    await toFrench(partnerPage);
    await partnerPage.getByRole('heading', { name: 'Références à votre organisme' }).waitFor();
    await noViolations(partnerPage);
    await partnerContext.close();
  });

  it('a stale answer (409) shows what is stored now instead of overwriting it', {
    timeout: 120_000,
  }, async () => {
    const { caseId, city } = await seedCase();
    const shelter = await seedShelter(city);
    const partner = await createUser(db, {
      role: 'partner',
      mfa: true,
      organizationId: shelter.organizationId,
    });
    const [r] = await db
      .insert(referral)
      .values({
        caseId,
        need: 'counselling',
        organizationId: shelter.organizationId,
        status: 'sent',
        sentAt: new Date(),
      })
      .returning();
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, partner);
    await open(page, '/console/partner/referrals', 'Referrals to your organization');
    const card = page.getByRole('listitem').filter({ hasText: 'Counselling' });
    await card.getByRole('button', { name: 'Decline' }).click();
    // Meanwhile the hotline withdrew it.
    await db
      .update(referral)
      .set({ status: 'withdrawn', version: sql`${referral.version} + 1` })
      .where(eq(referral.id, r!.id));
    const dialog = page.getByRole('dialog', { name: 'Your answer to the referral' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'This referral changed meanwhile' }).waitFor();
    await card.getByText('Withdrawn').waitFor();
    const [still] = await db.select().from(referral).where(eq(referral.id, r!.id));
    expect(still!.status).toBe('withdrawn');
    await noViolations(page);
    await context.close();
  });

  it('an escalation without consent waits for a supervisor, who approves it; checklist, made, completed', {
    timeout: 180_000,
  }, async () => {
    const { caseId, reference } = await seedCase({ minor: true });
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const supervisor = await createUser(db, { role: 'supervisor', mfa: true });

    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await open(page, `/console/cases/${caseId}`, 'Escalations');
    // A minor: the child-protection protocol is pending.
    await page.getByText('A child is involved: the child-protection protocol must be followed.').waitFor();
    await page.getByRole('button', { name: 'Start an escalation' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start an escalation' });
    await dialog.getByRole('radio', { name: 'Law enforcement' }).check({ force: true });
    // The agencies load below the kind and push the consent question down: wait for them before clicking it.
    await dialog.getByText('Agency', { exact: true }).first().waitFor();
    await dialog.getByRole('radio', { name: 'No: going ahead without consent' }).check({ force: true });
    await dialog.getByRole('button', { name: 'Start', exact: true }).click();
    // No reason yet: the form says what is missing, nothing is sent.
    await dialog.getByText('Without consent, choose the reason.').waitFor();
    await dialog.getByRole('radio', { name: 'Imminent danger' }).check({ force: true });
    await dialog.getByLabel(/Note/).fill('Threats made today (fictional).');
    await noViolations(page);
    await dialog.getByRole('button', { name: 'Start', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const item = page.getByRole('listitem').filter({ hasText: 'Law enforcement' });
    await item.getByText('Waiting for a supervisor’s approval').first().waitFor();
    await item.getByText('A supervisor must approve this escalation before it is made.').waitFor();
    await noViolations(page);

    // The supervisor approves it from the supervision page (in French).
    const supContext = await browser.newContext({ locale: 'en-CA' });
    const supPage = await supContext.newPage();
    await signIn(supPage, base, supervisor);
    await open(supPage, '/console/supervision', 'Supervision');
    const approval = supPage
      .getByRole('listitem', { name: 'Law enforcement' })
      .filter({ hasText: reference });
    await approval.waitFor();
    await noViolations(supPage);
    await toFrench(supPage);
    await supPage.getByRole('heading', { name: 'Signalements en attente d’approbation' }).waitFor();
    await noViolations(supPage);
    await supPage
      .getByRole('listitem', { name: 'Forces de l’ordre' })
      .filter({ hasText: reference })
      .getByRole('button', { name: /^Approuver/ })
      .click();
    await supPage.getByText('Aucun signalement n’attend d’approbation.').waitFor();
    const [approved] = await db.select().from(escalation).where(eq(escalation.caseId, caseId));
    expect(approved!.status).toBe('open');
    await supContext.close();

    // Back to the advocate: the checklist, "made" with the agency's reference, completed.
    await page.reload();
    await page.getByRole('heading', { name: 'Escalations' }).waitFor();
    const open_ = page.getByRole('listitem').filter({ hasText: 'Law enforcement' });
    await open_.getByText(/Approved by/).waitFor();
    await open_.getByRole('button', { name: 'Mark as made' }).click();
    const made = page.getByRole('dialog', { name: 'The escalation was made' });
    await made.getByLabel(/The agency’s reference/).fill('OPP-0001-TEST');
    await made.getByRole('button', { name: 'Save' }).click();
    await made.waitFor({ state: 'detached' });
    await open_.getByText(/their reference: OPP-0001-TEST/).waitFor();
    // Completing before the required steps are done is refused, in words, and nothing changes.
    await open_.getByRole('button', { name: 'Complete', exact: true }).click();
    const early = page.getByRole('dialog', { name: 'Complete the escalation' });
    await choose(early, page, /Outcome/, 'The agency took the report');
    await early.getByRole('button', { name: 'Complete', exact: true }).click();
    await early
      .getByRole('alert')
      .filter({ hasText: 'Complete every required step of the protocol first.' })
      .waitFor();
    expect(await page.getByText('Someone else changed this meanwhile.').count()).toBe(0);
    await early.getByRole('button', { name: 'Cancel', exact: true }).click();
    await early.waitFor({ state: 'detached' });
    const required = [
      'Consent recorded, or the reason to go ahead without it',
      'Police service chosen for the place where the exploitation happens',
      'Only the minimum needed was shared',
      'Agency file number recorded',
    ];
    for (const label of required) {
      const box = open_.getByRole('checkbox', { name: new RegExp(`^${label}`) });
      // The box shows what the server stored: it turns checked once the step is saved.
      await box.click({ force: true });
      await expect.poll(() => box.isChecked(), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => box.isDisabled(), { timeout: 10_000 }).toBe(false);
    }
    await open_.getByText('Every required step is done.').waitFor();
    await open_.getByRole('button', { name: 'Complete', exact: true }).click();
    const complete = page.getByRole('dialog', { name: 'Complete the escalation' });
    await choose(complete, page, /Outcome/, 'The agency took the report');
    await noViolations(page);
    await complete.getByRole('button', { name: 'Complete', exact: true }).click();
    await complete.waitFor({ state: 'detached' });
    await open_.locator('.status-chip').filter({ hasText: 'Completed' }).waitFor();
    const [completed] = await db.select().from(escalation).where(eq(escalation.caseId, caseId));
    expect(completed!.status).toBe('completed');
    expect(completed!.agencyReference).toBe('OPP-0001-TEST');
    await toFrench(page);
    await page.getByRole('heading', { name: 'Signalements' }).waitFor();
    await noViolations(page);
    await context.close();
  });

  it('supervision: a break-glass read is reviewed; a referral without consent is sent on an override', {
    timeout: 150_000,
  }, async () => {
    const { caseId, reference, city } = await seedCase();
    const shelter = await seedShelter(city);
    const supervisor = await createUser(db, { role: 'supervisor', mfa: true });
    const reader = await createUser(db, { role: 'advocate' });
    const [t] = await db
      .insert(team)
      .values({ name: `Test Team ${tag()} (fictional)` })
      .returning();
    await db.update(caseFile).set({ restrictedTeamId: t!.id }).where(eq(caseFile.id, caseId));
    await db.insert(caseAccessGrant).values({
      caseId,
      userId: reader.id,
      reason: 'covering_for_team',
      expiresAt: new Date(Date.now() + 8 * 3600_000),
    });
    const { caseId: openCaseId } = await seedCase();
    await db.insert(referral).values({
      caseId: openCaseId,
      need: 'legal',
      organizationId: shelter.organizationId,
    });

    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, supervisor);
    await open(page, '/console/supervision', 'Supervision');
    const grant = page.getByRole('listitem').filter({ hasText: reference });
    await grant.getByText('Covering for the team').waitFor();
    await noViolations(page);
    await grant.getByRole('button', { name: /^Mark reviewed/ }).click();
    await page.getByRole('status').filter({ hasText: 'Marked as reviewed.' }).waitFor();
    await expect.poll(() => grant.count(), { timeout: 10_000 }).toBe(0);

    // The supervisor overrides the missing consent on a case, with a reason, and the referral can leave.
    await open(page, `/console/cases/${openCaseId}`, 'Referrals');
    const item = page.getByRole('listitem').filter({ hasText: shelter.orgName });
    await item
      .getByText('Cannot be sent yet: record the person’s consent, or override with a reason.')
      .waitFor();
    expect(await item.getByRole('button', { name: `Send to ${shelter.orgName}` }).isDisabled()).toBe(true);
    await item.getByRole('button', { name: 'Override with a reason' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Send without consent?' });
    await dialog.getByLabel('Reason').fill('Court date tomorrow; the person cannot be reached (fictional).');
    await noViolations(page);
    await dialog.getByRole('button', { name: 'Record the override' }).click();
    await dialog.waitFor({ state: 'detached' });
    await item.getByText(/Supervisor override/).waitFor();
    await item.getByRole('button', { name: `Send to ${shelter.orgName}` }).click();
    await item.getByText('Sent, waiting for an answer').waitFor();
    // The partner answered by phone: recorded on their behalf; a final answer closes the follow-up.
    await item.getByRole('button', { name: 'Record the service’s answer' }).click();
    const answer = page.getByRole('dialog', { name: 'The service’s answer' });
    await answer.getByRole('radio', { name: 'Declined by the service' }).check({ force: true });
    await answer.getByLabel(/Note/).fill('No bed until next month (fictional).');
    await noViolations(page);
    await answer.getByRole('button', { name: 'Save' }).click();
    await answer.waitFor({ state: 'detached' });
    await item.getByText('Declined by the service').first().waitFor();
    await item.getByText('No bed until next month (fictional).').waitFor();
    await item.getByText(/^Done/).waitFor();
    expect(await item.getByRole('button', { name: 'Withdraw' }).count()).toBe(0);

    await open(page, '/console/supervision', 'Supervision');
    await page.getByText('Court date tomorrow; the person cannot be reached (fictional).').waitFor();

    // The protocol editor: a new step, in both languages; the protocol's version moves on.
    await page.getByRole('button', { name: 'Edit — Emergency services (911)' }).click();
    const editor = page.getByRole('dialog', { name: 'Protocol: Emergency services (911)' });
    await editor.getByRole('button', { name: 'Add a step' }).click();
    const step = editor.getByRole('group', { name: 'Step 5' });
    await step.getByLabel('In English').fill('Debrief with the advocate (fictional step)');
    await step.getByLabel('In French').fill('Retour avec l’intervenante (étape fictive)');
    await noViolations(page);
    await editor.getByRole('button', { name: 'Save the protocol' }).click();
    await editor.waitFor({ state: 'detached' });
    await page.getByText('Debrief with the advocate (fictional step)').waitFor();
    await page.getByRole('heading', { name: /Emergency services \(911\) version 2/ }).waitFor();
    const [emergency] = await db.select().from(protocol).where(eq(protocol.kind, 'emergency'));
    expect(emergency!.version).toBe(2);
    expect(emergency!.steps.at(-1)).toEqual({
      key: 'step_a',
      en: 'Debrief with the advocate (fictional step)',
      fr: 'Retour avec l’intervenante (étape fictive)',
      required: true,
    });
    await toFrench(page);
    await page.getByRole('heading', { name: 'Dérogations des 90 derniers jours' }).waitFor();
    await noViolations(page);
    await context.close();
  });
});
