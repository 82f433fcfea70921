import { and, asc, count, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import {
  organization,
  service,
  serviceCapacity,
  statusSurvey,
  statusSurveyRecipient,
} from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

export type SurveyRow = typeof statusSurvey.$inferSelect;
export type RecipientRow = typeof statusSurveyRecipient.$inferSelect;

/** All SQL of the status surveys. */
export const surveyRepository = {
  /** Active partners: service providers with an e-mail address and at least one active service. */
  async activePartners(db: Db) {
    return db
      .select({ id: organization.id, email: organization.email })
      .from(organization)
      .where(
        and(
          eq(organization.organizationType, 'service_provider'),
          isNotNull(organization.email),
          sql`exists (select 1 from ${service} s where s.organization_id = ${organization.id} and s.status = 'active')`,
        ),
      )
      .orderBy(asc(organization.name));
  },
  async insertSurvey(db: Db, values: typeof statusSurvey.$inferInsert) {
    const [row] = await db.insert(statusSurvey).values(values).returning();
    return row!;
  },
  async insertRecipients(db: Db, rows: Array<typeof statusSurveyRecipient.$inferInsert>) {
    for (let i = 0; i < rows.length; i += 500)
      await db.insert(statusSurveyRecipient).values(rows.slice(i, i + 500));
  },
  async recipientsToSend(db: Db, surveyId: string) {
    return db
      .select()
      .from(statusSurveyRecipient)
      .where(and(eq(statusSurveyRecipient.surveyId, surveyId), sql`${statusSurveyRecipient.sentAt} is null`));
  },
  async markSent(db: Db, id: string, at: Date | null, error: string | null) {
    await db
      .update(statusSurveyRecipient)
      .set({ sentAt: at, sendError: error })
      .where(eq(statusSurveyRecipient.id, id));
  },
  async listSurveys(db: Db) {
    const rows = await db.select().from(statusSurvey).orderBy(desc(statusSurvey.createdAt)).limit(100);
    const counts = rows.length
      ? await db
          .select({
            surveyId: statusSurveyRecipient.surveyId,
            total: count(),
            sent: sql<number>`count(${statusSurveyRecipient.sentAt})::int`,
            failed: sql<number>`count(${statusSurveyRecipient.sendError})::int`,
            responded: sql<number>`count(${statusSurveyRecipient.respondedAt})::int`,
          })
          .from(statusSurveyRecipient)
          .where(
            inArray(
              statusSurveyRecipient.surveyId,
              rows.map((r) => r.id),
            ),
          )
          .groupBy(statusSurveyRecipient.surveyId)
      : [];
    return rows.map((survey) => {
      const c = counts.find((x) => x.surveyId === survey.id);
      return {
        survey,
        total: Number(c?.total ?? 0),
        sent: c?.sent ?? 0,
        failed: c?.failed ?? 0,
        responded: c?.responded ?? 0,
      };
    });
  },
  async findSurvey(db: Db, id: string) {
    const [row] = await db.select().from(statusSurvey).where(eq(statusSurvey.id, id)).limit(1);
    return row;
  },
  async recipients(db: Db, surveyId: string) {
    return db
      .select({
        recipient: statusSurveyRecipient,
        organizationName: organization.name,
        organizationTranslations: organization.translations,
      })
      .from(statusSurveyRecipient)
      .innerJoin(organization, eq(organization.id, statusSurveyRecipient.organizationId))
      .where(eq(statusSurveyRecipient.surveyId, surveyId))
      .orderBy(asc(organization.name));
  },
  /** Names (and their translations) of the services answers refer to; a deleted service is simply absent. */
  async serviceNames(db: Db, ids: string[]) {
    if (ids.length === 0) return [];
    return db
      .select({
        id: service.id,
        name: service.name,
        translations: service.translations,
      })
      .from(service)
      .where(inArray(service.id, ids));
  },
  async findByToken(db: Db, tokenHash: string) {
    const [row] = await db
      .select({ recipient: statusSurveyRecipient, survey: statusSurvey, organization })
      .from(statusSurveyRecipient)
      .innerJoin(statusSurvey, eq(statusSurvey.id, statusSurveyRecipient.surveyId))
      .innerJoin(organization, eq(organization.id, statusSurveyRecipient.organizationId))
      .where(eq(statusSurveyRecipient.tokenHash, tokenHash))
      .limit(1);
    return row;
  },
  async servicesOf(db: Db, organizationId: string) {
    const rows = await db
      .select({
        id: service.id,
        name: service.name,
        status: service.status,
        translations: service.translations,
      })
      .from(service)
      .where(eq(service.organizationId, organizationId))
      .orderBy(asc(service.name));
    const caps = rows.length
      ? await db
          .select()
          .from(serviceCapacity)
          .where(
            inArray(
              serviceCapacity.serviceId,
              rows.map((r) => r.id),
            ),
          )
      : [];
    return rows.map((r) => ({ ...r, capacity: caps.find((c) => c.serviceId === r.id) }));
  },
  /** Records the answer once: a second submission of the same link changes nothing. */
  async recordResponse(db: Db, id: string, response: Record<string, unknown>, at: Date) {
    const [row] = await db
      .update(statusSurveyRecipient)
      .set({ response, respondedAt: at })
      .where(and(eq(statusSurveyRecipient.id, id), sql`${statusSurveyRecipient.respondedAt} is null`))
      .returning();
    return row;
  },
};
