import type { Actor } from '../../platform/audit.js';
import { recordAudit } from '../../platform/audit.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { Mailer } from '../../platform/mail.js';
import { directoryRepository } from './directory.repository.js';
import { st } from './survey.messages.js';
import { surveyRepository as repo } from './survey.repository.js';

export interface SurveyDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  production: boolean;
  now?: () => Date;
}

export interface SurveyAnswer {
  services: Array<{ id: string; status?: string; available?: number }>;
  corrections?: string;
  respondent?: string;
}

/** A stored answer as the shape `respond` wrote it (anything else in the column is ignored). */
export function answerOf(response: Record<string, unknown> | null): SurveyAnswer | null {
  if (!response) return null;
  const services = Array.isArray(response.services) ? response.services : [];
  return {
    services: services.flatMap((s: unknown) => {
      if (!s || typeof s !== 'object') return [];
      const o = s as Record<string, unknown>;
      if (typeof o.id !== 'string') return [];
      return [
        {
          id: o.id,
          ...(typeof o.status === 'string' ? { status: o.status } : {}),
          ...(typeof o.available === 'number' ? { available: o.available } : {}),
        },
      ];
    }),
    ...(typeof response.corrections === 'string' ? { corrections: response.corrections } : {}),
    ...(typeof response.respondent === 'string' ? { respondent: response.respondent } : {}),
  };
}

const STATUSES = new Set(['active', 'temporarily closed', 'inactive', 'defunct']);

/**
 * Bulk status surveys (as the hotline ran at the start of the pandemic): every active partner gets a
 * personal link; answers are recorded and turned into change proposals that the directory team reviews.
 */
export function createSurveyService(deps: SurveyDeps) {
  const { db, mailer } = deps;
  const now = deps.now ?? (() => new Date());
  const link = (token: string) => `${deps.publicUrl}/survey?t=${token}`;

  async function deliver(surveyId: string, tokens: Map<string, string>) {
    const survey = await repo.findSurvey(db, surveyId);
    if (!survey) return;
    const date = survey.closesAt.toISOString().slice(0, 10);
    for (const r of await repo.recipients(db, surveyId)) {
      const token = tokens.get(r.recipient.id);
      if (!token || r.recipient.sentAt) continue;
      const values = { message: survey.message, organization: r.organizationName, link: link(token), date };
      try {
        await mailer.send({
          to: r.recipient.email,
          subject: `${st('en', 'mailSubject')} / ${st('fr', 'mailSubject')}`,
          text: `${st('en', 'mailBody', values)}\n\n— — —\n\n${st('fr', 'mailBody', values)}\n`,
        });
        await repo.markSent(db, r.recipient.id, now(), null);
      } catch (err) {
        await repo.markSent(db, r.recipient.id, null, (err as Error).name || 'send failed');
      }
    }
  }

  const api = {
    /** Creates the survey and its recipients, then sends in the background; `delivery` settles when done. */
    async start(input: { title: string; message: string; closesInDays: number }, actor: Actor) {
      if (deps.production && mailer.kind !== 'smtp') throw new AppError('MAIL_NOT_CONFIGURED', 409);
      const tokens = new Map<string, string>();
      const survey = await db.transaction(async (tx) => {
        const closesAt = new Date(now().getTime() + input.closesInDays * 86400_000);
        const row = await repo.insertSurvey(tx, {
          title: input.title,
          message: input.message,
          createdBy: actor.id,
          closesAt,
        });
        const partners = await repo.activePartners(tx);
        const recipients = partners.map((p) => {
          const token = randomToken();
          const id = crypto.randomUUID();
          tokens.set(id, token);
          return { id, surveyId: row.id, organizationId: p.id, email: p.email!, tokenHash: sha256(token) };
        });
        await repo.insertRecipients(tx, recipients);
        await recordAudit(tx, actor, {
          action: 'directory.survey_started',
          targetType: 'status_survey',
          targetId: row.id,
          details: { recipients: recipients.length },
        });
        return row;
      });
      const delivery = deliver(survey.id, tokens);
      return { survey, delivery };
    },

    list: () => repo.listSurveys(db),

    /** A survey, its recipients, and the names of the services their answers mention (ids alone mean nothing to a manager). */
    async detail(id: string) {
      const survey = await repo.findSurvey(db, id);
      if (!survey) throw notFound();
      const recipients = await repo.recipients(db, id);
      const ids = new Set<string>();
      for (const r of recipients)
        for (const s of answerOf(r.recipient.response)?.services ?? []) ids.add(s.id);
      const services = new Map((await repo.serviceNames(db, [...ids])).map((s) => [s.id, s]));
      return { survey, recipients, services };
    },

    /** The survey behind a link, if the link is valid and the survey still open. */
    async open(token: string) {
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
      const found = await repo.findByToken(db, sha256(token));
      if (!found || found.survey.closesAt < now()) return undefined;
      return { ...found, services: await repo.servicesOf(db, found.organization.id) };
    },

    /** Records an answer (once) and files each change as a proposal for review. */
    async respond(token: string, answer: SurveyAnswer) {
      const found = await api.open(token);
      if (!found) throw notFound();
      const known = new Map(found.services.map((s) => [s.id, s]));
      for (const s of answer.services) {
        if (!known.has(s.id) || (s.status !== undefined && !STATUSES.has(s.status))) {
          throw new AppError('VALIDATION_FAILED', 400, { fields: 'services' });
        }
        if (
          s.available !== undefined &&
          (!Number.isInteger(s.available) || s.available < 0 || s.available > 100000)
        ) {
          throw new AppError('VALIDATION_FAILED', 400, { fields: 'available' });
        }
      }
      return db.transaction(async (tx) => {
        const recorded = await repo.recordResponse(tx, found.recipient.id, { ...answer }, now());
        if (!recorded) return 'already' as const;
        const actor: Actor = { id: null, label: `survey:${found.organization.id}` };
        // A change the partner already proposed from the console (identical and still waiting) is not filed twice.
        const file = async (
          resourceType: 'service' | 'capacity',
          resourceId: string,
          changes: Record<string, unknown>,
        ) => {
          const target = { organizationId: found.organization.id, resourceType, resourceId, changes };
          await directoryRepository.lockProposalTarget(tx, resourceId);
          if (await directoryRepository.findPendingDuplicate(tx, target)) return;
          await directoryRepository.insertProposal(tx, { ...target, proposedAt: now() });
        };
        for (const s of answer.services) {
          const current = known.get(s.id)!;
          if (s.status && s.status !== current.status) await file('service', s.id, { status: s.status });
          if (s.available !== undefined && s.available !== current.capacity?.available) {
            await file('capacity', s.id, {
              available: s.available,
              maximum: current.capacity?.maximum ?? null,
            });
          }
        }
        await recordAudit(tx, actor, {
          action: 'directory.survey_answered',
          targetType: 'status_survey',
          targetId: found.survey.id,
          details: { organizationId: found.organization.id },
        });
        return 'recorded' as const;
      });
    },
  };
  return api;
}

export type SurveyService = ReturnType<typeof createSurveyService>;
