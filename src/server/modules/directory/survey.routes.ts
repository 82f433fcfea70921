import fastifyFormbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Translations } from '../../db/directory.schema.js';
import { AppError } from '../../platform/errors.js';
import { publicPolicy, staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import type { SurveyLang } from './survey.messages.js';
import { SURVEY_CSS, surveyFormPage, surveyMessagePage } from './survey.page.js';
import { answerOf, type SurveyAnswer, type SurveyService } from './survey.service.js';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};

/** Text in each language of the record's `translations` that has it, e.g. `{ fr: 'Hébergement' }`. */
const NameTranslations = Type.Record(Type.String({ maxLength: 20 }), Type.String());
const SurveyShape = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    message: Type.String(),
    createdBy: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    closesAt: Type.String(),
  },
  { additionalProperties: false },
);
const SurveySummaryShape = Type.Object(
  {
    ...SurveyShape.properties,
    total: Type.Integer(),
    sent: Type.Integer(),
    failed: Type.Integer(),
    responded: Type.Integer(),
  },
  { additionalProperties: false },
);
const AnsweredService = Type.Object(
  {
    id: Type.String(),
    status: Type.Optional(Type.String()),
    available: Type.Optional(Type.Integer()),
    /** Null when the service no longer exists. */
    name: Type.Union([Type.String(), Type.Null()]),
    nameTranslations: NameTranslations,
  },
  { additionalProperties: false },
);
const RecipientShape = Type.Object(
  {
    id: Type.String(),
    organizationId: Type.String(),
    organizationName: Type.String(),
    organizationNameTranslations: NameTranslations,
    email: Type.String(),
    sentAt: Type.Union([Type.String(), Type.Null()]),
    sendError: Type.Union([Type.String(), Type.Null()]),
    respondedAt: Type.Union([Type.String(), Type.Null()]),
    response: Type.Union([
      Type.Object(
        {
          services: Type.Array(AnsweredService),
          corrections: Type.Optional(Type.String()),
          respondent: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

/** The `name` of each language in HSDS-profile `translations` ({ fr: { name: … } } → { fr: … }). */
export function nameTranslations(translations: Translations | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [lang, fields] of Object.entries(translations ?? {})) {
    const name = fields?.name;
    if (typeof name === 'string' && name.trim() !== '') out[lang] = name;
  }
  return out;
}

function langOf(request: FastifyRequest, query: { lang?: string }): SurveyLang {
  if (query.lang === 'fr' || query.lang === 'en') return query.lang;
  return request.locale === 'fr-CA' ? 'fr' : 'en';
}

function html(reply: FastifyReply, status: number, body: string) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .send(body);
}

/** Staff start and follow surveys; partners answer through their personal link (server-rendered pages). */
export async function surveyRoutes(
  app: FastifyInstance,
  deps: { surveys: SurveyService; publicRateLimit: number },
) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { surveys } = deps;
  const managers = staff(['directory_manager', 'admin'], 'directory:write');

  r.post(
    '/api/directory/surveys',
    {
      config: { policy: managers },
      schema: {
        tags: ['directory'],
        summary: 'E-mail every active partner a personal link to confirm or correct its listing',
        body: Type.Object({
          title: Type.String({ minLength: 1, maxLength: 200 }),
          message: Type.String({ minLength: 1, maxLength: 5000 }),
          closesInDays: Type.Integer({ minimum: 1, maximum: 90 }),
        }),
        response: {
          201: Type.Object(
            { survey: SurveyShape, recipients: Type.Integer() },
            { additionalProperties: false },
          ),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { survey, delivery } = await surveys.start(request.body, request.actor);
      delivery.catch((err: Error) =>
        request.log.error({ err: { type: err.name } }, 'survey delivery failed'),
      );
      const detail = await surveys.detail(survey.id);
      return reply.code(201).send({
        survey: {
          ...survey,
          createdAt: survey.createdAt.toISOString(),
          closesAt: survey.closesAt.toISOString(),
        },
        recipients: detail.recipients.length,
      });
    },
  );

  r.get(
    '/api/directory/surveys',
    {
      config: { policy: staff(['directory_manager', 'admin'], 'directory:read') },
      schema: {
        tags: ['directory'],
        summary: 'Surveys with their progress',
        response: {
          200: Type.Object({ surveys: Type.Array(SurveySummaryShape) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async () => ({
      surveys: (await surveys.list()).map((s) => ({
        ...s.survey,
        createdAt: s.survey.createdAt.toISOString(),
        closesAt: s.survey.closesAt.toISOString(),
        total: s.total,
        sent: s.sent,
        failed: s.failed,
        responded: s.responded,
      })),
    }),
  );

  r.get(
    '/api/directory/surveys/:id',
    {
      config: { policy: staff(['directory_manager', 'admin'], 'directory:read') },
      schema: {
        tags: ['directory'],
        summary: 'One survey: who was sent it, who answered, what they said',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object(
            { survey: SurveyShape, recipients: Type.Array(RecipientShape) },
            { additionalProperties: false },
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      const { survey, recipients, services } = await surveys.detail(request.params.id);
      return {
        survey: {
          id: survey.id,
          title: survey.title,
          message: survey.message,
          createdBy: survey.createdBy,
          createdAt: survey.createdAt.toISOString(),
          closesAt: survey.closesAt.toISOString(),
        },
        recipients: recipients.map(({ recipient, organizationName, organizationTranslations }) => {
          const answer = answerOf(recipient.response);
          return {
            id: recipient.id,
            organizationId: recipient.organizationId,
            organizationName,
            organizationNameTranslations: nameTranslations(organizationTranslations),
            email: recipient.email,
            sentAt: recipient.sentAt?.toISOString() ?? null,
            sendError: recipient.sendError,
            respondedAt: recipient.respondedAt?.toISOString() ?? null,
            response: answer && {
              ...answer,
              services: answer.services.map((s) => {
                const found = services.get(s.id);
                return {
                  ...s,
                  name: found?.name ?? null,
                  nameTranslations: nameTranslations(found?.translations),
                };
              }),
            },
          };
        }),
      };
    },
  );

  // Public pages, in their own context so that only they accept form posts.
  await app.register(async (pages) => {
    await pages.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
    const limit = { max: deps.publicRateLimit, timeWindow: '1 minute' };
    const Query = Type.Object({
      t: Type.Optional(Type.String({ maxLength: 200 })),
      lang: Type.Optional(Type.String({ maxLength: 5 })),
    });
    const p = pages.withTypeProvider<TypeBoxTypeProvider>();

    p.get(
      '/survey/survey.css',
      { config: { policy: publicPolicy }, schema: { hide: true } },
      async (_request, reply) =>
        reply
          .type('text/css; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .send(SURVEY_CSS),
    );

    p.get(
      '/survey',
      { config: { policy: publicPolicy, rateLimit: limit }, schema: { hide: true, querystring: Query } },
      async (request, reply) => {
        const lang = langOf(request, request.query);
        const token = request.query.t ?? '';
        const found = await surveys.open(token);
        if (!found) return html(reply, 404, surveyMessagePage(lang, 'notFound'));
        if (found.recipient.respondedAt) return html(reply, 200, surveyMessagePage(lang, 'already', token));
        return html(
          reply,
          200,
          surveyFormPage(lang, {
            token,
            organizationName: found.organization.name,
            closesAt: found.survey.closesAt,
            services: found.services,
          }),
        );
      },
    );

    p.post(
      '/survey',
      {
        config: { policy: publicPolicy, rateLimit: limit },
        schema: {
          hide: true,
          querystring: Query,
          body: Type.Record(
            Type.String({ maxLength: 100 }),
            Type.Union([
              Type.String({ maxLength: 5000 }),
              Type.Array(Type.String({ maxLength: 5000 }), { maxItems: 5 }),
            ]),
          ),
        },
      },
      async (request, reply) => {
        const lang = langOf(request, request.query);
        const token = request.query.t ?? '';
        const form = request.body;
        const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
        const byId = new Map<string, SurveyAnswer['services'][number]>();
        const entry = (id: string) => byId.get(id) ?? byId.set(id, { id }).get(id)!;
        for (const [key, value] of Object.entries(form)) {
          const v = one(value) ?? '';
          if (key.startsWith('status:')) entry(key.slice(7)).status = v;
          if (key.startsWith('available:') && v.trim() !== '') entry(key.slice(10)).available = Number(v);
        }
        const answer: SurveyAnswer = {
          services: [...byId.values()],
          ...(one(form.corrections)?.trim() ? { corrections: one(form.corrections)!.trim() } : {}),
          ...(one(form.respondent)?.trim() ? { respondent: one(form.respondent)!.trim() } : {}),
        };
        try {
          const result = await surveys.respond(token, answer);
          return html(
            reply,
            200,
            surveyMessagePage(lang, result === 'already' ? 'already' : 'thanks', token),
          );
        } catch (err) {
          if (err instanceof AppError && err.statusCode === 404)
            return html(reply, 404, surveyMessagePage(lang, 'notFound'));
          if (err instanceof AppError && err.statusCode === 400) {
            const found = await surveys.open(token);
            if (found) {
              return html(
                reply,
                400,
                surveyFormPage(
                  lang,
                  {
                    token,
                    organizationName: found.organization.name,
                    closesAt: found.survey.closesAt,
                    services: found.services,
                  },
                  true,
                ),
              );
            }
          }
          throw err;
        }
      },
    );
  });
}
