import fastifyFormbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { publicPolicy } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import type { ReportInput, SignalsService } from './signals.service.js';
import { generateReference } from './signals.service.js';

/**
 * The online report form, `POST /api/public/reports` (docs/api/live-queue.md): JSON, or a plain HTML form post
 * (application/x-www-form-urlencoded, with `contact_name`, `safe_how`… flat fields). Anonymous by default; the
 * answer is `201 {reference}` and nothing else, never echoing what was sent. The honeypot `website` answers
 * exactly like a success (a fresh-looking reference) and stores nothing.
 */

/** Larger than any legitimate report (10,000 characters of situation + short fields, in UTF-8 and encoding). */
export const REPORT_BODY_LIMIT = 64 * 1024;

const text = (max: number) => Type.String({ maxLength: max });
const How = Type.Union([
  Type.Literal('phone'),
  Type.Literal('sms'),
  Type.Literal('email'),
  Type.Literal('none'),
]);
const Bool = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false'), Type.Literal('on')]);

/** One schema for both encodings: nested objects (JSON) or flat `contact_*` / `safe_*` fields (form). */
const ReportBody = Type.Object({
  situation: Type.String({ minLength: 1, maxLength: 10_000 }),
  where: Type.Optional(text(500)),
  when: Type.Optional(text(500)),
  language: Type.Optional(text(35)),
  contact: Type.Optional(
    Type.Object({
      name: Type.Optional(text(200)),
      phone: Type.Optional(text(40)),
      email: Type.Optional(text(254)),
    }),
  ),
  safe_to_contact: Type.Optional(
    Type.Object({
      how: Type.Optional(How),
      when: Type.Optional(text(500)),
      leave_message: Type.Optional(Bool),
    }),
  ),
  contact_name: Type.Optional(text(200)),
  contact_phone: Type.Optional(text(40)),
  contact_email: Type.Optional(text(254)),
  safe_how: Type.Optional(Type.Union([How, Type.Literal('')])),
  safe_when: Type.Optional(text(500)),
  safe_leave_message: Type.Optional(Bool),
  /** Honeypot: hidden from people, filled by bots. */
  website: Type.Optional(text(2000)),
});

const Created = Type.Object({ reference: Type.String() }, { additionalProperties: false });

const truthy = (v: boolean | string | undefined) =>
  v === undefined ? undefined : v === true || v === 'true' || v === 'on';

/** A report as either encoding sends it (nested JSON objects or flat form fields). */
export type ReportBodyValue = Static<typeof ReportBody>;

/** One mapping from the request's fields to the service's input, shared by the API and the HTML page (`/report`). */
export function reportInputFrom(b: ReportBodyValue): ReportInput {
  const how = b.safe_to_contact?.how ?? (b.safe_how === '' ? undefined : b.safe_how);
  return {
    situation: b.situation,
    where: b.where,
    when: b.when,
    language: b.language,
    contact: {
      name: b.contact?.name ?? b.contact_name,
      phone: b.contact?.phone ?? b.contact_phone,
      email: b.contact?.email ?? b.contact_email,
    },
    safeToContact: {
      how,
      when: b.safe_to_contact?.when ?? b.safe_when,
      leaveMessage: truthy(b.safe_to_contact?.leave_message ?? b.safe_leave_message),
    },
  };
}

/** Registers the report form route, in its own context so that only it accepts form-encoded bodies. */
export async function reportRoutes(
  app: FastifyInstance,
  deps: { signals: SignalsService; publicRateLimit: number; reportsPerMinute?: number },
) {
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody, { bodyLimit: REPORT_BODY_LIMIT });
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    const max = deps.reportsPerMinute ?? Math.max(2, Math.ceil(deps.publicRateLimit / 4));
    r.post(
      '/api/public/reports',
      {
        bodyLimit: REPORT_BODY_LIMIT,
        config: { policy: publicPolicy, rateLimit: { max, timeWindow: '1 minute' } },
        schema: {
          tags: ['queue'],
          summary: 'Signal a situation (the online report form)',
          description:
            'Anonymous by default. JSON or application/x-www-form-urlencoded. Answers a reference number only.',
          body: ReportBody,
          response: {
            201: Created,
            400: ErrorResponse,
            413: ErrorResponse,
            415: ErrorResponse,
            429: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        // The honeypot: answer exactly like a success, store nothing.
        if (b.website && b.website.trim() !== '') {
          return reply.code(201).header('cache-control', 'no-store').send({ reference: generateReference() });
        }
        const input = reportInputFrom(b);
        const { reference } = await deps.signals.createReport(input);
        return reply.code(201).header('cache-control', 'no-store').send({ reference });
      },
    );
  });
}
