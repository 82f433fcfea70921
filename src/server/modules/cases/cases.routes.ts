import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  AGE_BANDS,
  BREAK_GLASS_REASONS,
  CLOSE_REASONS,
  EXPLOITATION_TYPES,
  GENDERS,
  INDICATORS,
  ISIC_SECTIONS,
  MEANS_OF_CONTROL,
  PERSON_ROLES,
  PLACE_EVENT_TYPES,
  POLARIS_TYPES,
  RECRUITMENT_METHODS,
  RELATIONSHIPS,
} from '../../../shared/cases.js';
import { REGIONS } from '../../../shared/wrapup.js';
import { requireVersion } from '../../platform/http.js';
import { SearchText } from '../../platform/schemas.js';
import { CASE_ROLES, CASE_WORKERS } from './access.js';
import { Answer, AnswerList, CodeList, enumOf } from './answers.js';
import type { CasesDeps } from './cases.module.js';
import {
  CaseDetail,
  CaseError,
  CaseList,
  CaseSummary,
  MyTask,
  Note,
  Person,
  Place,
  Task,
  TimelinePage,
} from './cases.presenter.js';
import { createCasesService, MAX_KEYWORD_CHARS, MAX_KEYWORDS } from './cases.service.js';
import { createPartsService } from './parts.service.js';

/** Cases, their people, places, notes and tasks, break-glass (docs/api/cases.md). Thin: the services decide. */

const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid });
const errors = {
  400: CaseError,
  401: CaseError,
  403: CaseError,
  404: CaseError,
  409: CaseError,
  422: CaseError,
  428: CaseError,
};
const Text = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);
const Region = Type.Union([enumOf([...new Set([...REGIONS, 'declined', 'unknown'])]), Type.Null()]);
const Keywords = Type.Array(Type.String({ maxLength: MAX_KEYWORD_CHARS + 20 }), { maxItems: MAX_KEYWORDS });
const DateOnly = Type.String({ format: 'date' });
const Marker = enumOf(['declined', 'unknown'] as const);

const PersonFields = {
  name: Type.Optional(Text(200)),
  alias: Type.Optional(Text(200)),
  contact: Type.Optional(Text(200)),
  gender: Type.Optional(Answer(GENDERS)),
  age: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 120 }), Type.Null()])),
  age_band: Type.Optional(Answer(AGE_BANDS)),
  citizenship: Type.Optional(CodeList('^[A-Z]{2}$')),
  languages: Type.Optional(CodeList('^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$')),
  relationship_to_exploiter: Type.Optional(Answer(RELATIONSHIPS)),
  exploitation_types: Type.Optional(AnswerList(EXPLOITATION_TYPES)),
  venue: Type.Optional(Answer(POLARIS_TYPES)),
  industry: Type.Optional(Answer(ISIC_SECTIONS)),
  means_of_control: Type.Optional(AnswerList(MEANS_OF_CONTROL)),
  recruitment: Type.Optional(AnswerList(RECRUITMENT_METHODS)),
  indicators: Type.Optional(AnswerList(INDICATORS)),
};

export async function caseRoutes(app: FastifyInstance, deps: CasesDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const cases = createCasesService(deps);
  const parts = createPartsService(deps);
  const config = { policy: CASE_WORKERS };
  const tags = ['cases'];

  r.post(
    '/api/cases',
    {
      config,
      schema: {
        tags,
        summary: 'Open a case, empty or from a signal (attached; the region defaults to its wrap-up region)',
        body: Type.Object({
          signal_id: Type.Optional(Uuid),
          title: Type.Optional(Text(200)),
          keywords: Type.Optional(Keywords),
          region: Type.Optional(Region),
          restricted_team_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
        }),
        response: { 201: CaseDetail, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const d = await cases.create(request.actor, request.auth!.user, {
        signalId: b.signal_id,
        title: b.title,
        keywords: b.keywords,
        region: b.region,
        restrictedTeamId: b.restricted_team_id,
      });
      return reply.code(201).header('etag', `"${d.version}"`).send(d);
    },
  );

  r.get(
    '/api/cases',
    {
      config,
      schema: {
        tags,
        summary: 'Search the cases I may see (keywords, reference, status, place, dates, same contact, mine)',
        querystring: Type.Object({
          q: Type.Optional(SearchText(200)),
          reference: Type.Optional(
            Type.String({ maxLength: 20, pattern: '^\\s*[Hh][BbCc]-[0-9A-Za-z-]{1,15}\\s*$' }),
          ),
          status: Type.Optional(Type.String({ maxLength: 100 })),
          region: Type.Optional(enumOf(REGIONS)),
          city: Type.Optional(SearchText(100)),
          from: Type.Optional(DateOnly),
          to: Type.Optional(DateOnly),
          same_contact_as: Type.Optional(Uuid),
          mine: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: CaseList, ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return cases.search(request.actor, request.auth!.user, request.query);
    },
  );

  r.post(
    '/api/cases/break-glass',
    {
      config,
      schema: {
        tags,
        summary: 'Open a restricted case for 8 hours, with a reason (recorded, shown to supervisors)',
        body: Type.Object({
          reference: Type.String({ minLength: 4, maxLength: 20 }),
          reason: enumOf(BREAK_GLASS_REASONS),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: {
          200: Type.Object({ case_id: Uuid, expires_at: Type.Null() }),
          201: Type.Object({ case_id: Uuid, expires_at: Type.String({ format: 'date-time' }) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const res = await cases.breakGlass(request.actor, request.auth!.user, b.reference, b.reason, b.note);
      return reply.code(res.created ? 201 : 200).send({ case_id: res.case_id, expires_at: res.expires_at });
    },
  );

  r.get(
    '/api/cases/:id',
    {
      config,
      schema: {
        tags,
        summary: 'A case with its signals, people, places, tasks, referrals, escalations and newest timeline',
        params: IdParams,
        querystring: Type.Object({ timeline_cursor: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request, reply) => {
      const d = await cases.get(
        request.actor,
        request.auth!.user,
        request.params.id,
        request.query.timeline_cursor,
      );
      reply.header('etag', `"${d.version}"`).header('cache-control', 'no-store');
      return d;
    },
  );

  r.get(
    '/api/cases/:id/timeline',
    {
      config,
      schema: {
        tags,
        summary: 'Older timeline entries of a case (newest first)',
        params: IdParams,
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: TimelinePage, ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return cases.timeline(request.actor, request.auth!.user, request.params.id, request.query.cursor);
    },
  );

  r.patch(
    '/api/cases/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change a case (If-Match: its version; 409 with the current case when someone saved since)',
        params: IdParams,
        body: Type.Object({
          title: Type.Optional(Text(200)),
          keywords: Type.Optional(Keywords),
          region: Type.Optional(Region),
          status: Type.Optional(enumOf(['active', 'follow_up'] as const)),
          owner_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
          restricted_team_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
        }),
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const b = request.body;
      const d = await cases.update(request.actor, request.auth!.user, request.params.id, version, {
        title: b.title,
        keywords: b.keywords,
        region: b.region,
        status: b.status,
        ownerId: b.owner_id,
        restrictedTeamId: b.restricted_team_id,
      });
      reply.header('etag', `"${d.version}"`);
      return d;
    },
  );

  r.post(
    '/api/cases/:id/signals',
    {
      config,
      schema: {
        tags,
        summary: 'Attach a signal (409 when it is in a case already)',
        params: IdParams,
        body: Type.Object({ signal_id: Uuid }),
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request) =>
      cases.attachSignal(request.actor, request.auth!.user, request.params.id, request.body.signal_id),
  );

  r.delete(
    '/api/cases/:id/signals/:signal_id',
    {
      config,
      schema: {
        tags,
        summary: 'Detach a signal attached by mistake',
        params: Type.Object({ id: Uuid, signal_id: Uuid }),
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request) =>
      cases.detachSignal(request.actor, request.auth!.user, request.params.id, request.params.signal_id),
  );

  r.post(
    '/api/cases/:id/merge',
    {
      config,
      schema: {
        tags,
        summary: 'Merge another case into this one (If-Match: this case’s version); the other closes',
        params: IdParams,
        body: Type.Object({ from_case_id: Uuid }),
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const d = await cases.merge(
        request.actor,
        request.auth!.user,
        request.params.id,
        version,
        request.body.from_case_id,
      );
      reply.header('etag', `"${d.version}"`);
      return d;
    },
  );

  r.post(
    '/api/cases/:id/close',
    {
      config,
      schema: {
        tags,
        summary:
          'Close a case (409 CASE_PROTOCOL_PENDING for a minor without child protection, unless waived)',
        params: IdParams,
        body: Type.Object({
          reason: enumOf(CLOSE_REASONS),
          protocol_waiver: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const d = await cases.close(
        request.actor,
        request.auth!.user,
        request.params.id,
        version,
        request.body.reason,
        request.body.protocol_waiver,
      );
      reply.header('etag', `"${d.version}"`);
      return d;
    },
  );

  r.post(
    '/api/cases/:id/reopen',
    {
      config,
      schema: {
        tags,
        summary: 'Reopen a closed case (If-Match)',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const d = await cases.reopen(request.actor, request.auth!.user, request.params.id, version);
      reply.header('etag', `"${d.version}"`);
      return d;
    },
  );

  // People, places, notes, tasks -------------------------------------------------------------------------------

  r.post(
    '/api/cases/:id/people',
    {
      config,
      schema: {
        tags,
        summary: 'Add a person (name, alias and contact sealed)',
        params: IdParams,
        body: Type.Object({ role: enumOf(PERSON_ROLES), ...PersonFields }),
        response: { 201: Person, ...errors },
      },
    },
    async (request, reply) => {
      const p = await parts.addPerson(request.actor, request.auth!.user, request.params.id, request.body);
      return reply.code(201).header('etag', `"${p.version}"`).send(p);
    },
  );

  r.patch(
    '/api/cases/:id/people/:pid',
    {
      config,
      schema: {
        tags,
        summary: 'Change a person (If-Match: the person’s version)',
        params: Type.Object({ id: Uuid, pid: Uuid }),
        body: Type.Object({ role: Type.Optional(enumOf(PERSON_ROLES)), ...PersonFields }),
        response: { 200: Person, ...errors },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const p = await parts.updatePerson(
        request.actor,
        request.auth!.user,
        request.params.id,
        request.params.pid,
        version,
        request.body,
      );
      reply.header('etag', `"${p.version}"`);
      return p;
    },
  );

  r.delete(
    '/api/cases/:id/people/:pid',
    {
      config,
      schema: {
        tags,
        summary: 'Remove a person from a case',
        params: Type.Object({ id: Uuid, pid: Uuid }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await parts.removePerson(request.actor, request.auth!.user, request.params.id, request.params.pid);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/cases/:id/places',
    {
      config,
      schema: {
        tags,
        summary: 'Add where and when recruitment, transit or exploitation happened',
        params: IdParams,
        body: Type.Object({
          person_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
          type: enumOf(PLACE_EVENT_TYPES),
          region: Type.Optional(Region),
          city: Type.Optional(Text(100)),
          country: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]{2}$' }), Marker, Type.Null()])),
          occurred_from: Type.Optional(Type.Union([DateOnly, Type.Null()])),
          occurred_to: Type.Optional(Type.Union([DateOnly, Type.Null()])),
          date_marker: Type.Optional(Type.Union([Marker, Type.Null()])),
          description: Type.Optional(Text(2000)),
        }),
        response: { 201: Place, ...errors },
      },
    },
    async (request, reply) => {
      const p = await parts.addPlace(request.actor, request.auth!.user, request.params.id, request.body);
      return reply.code(201).send(p);
    },
  );

  r.delete(
    '/api/cases/:id/places/:place_id',
    {
      config,
      schema: {
        tags,
        summary: 'Remove a place event',
        params: Type.Object({ id: Uuid, place_id: Uuid }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await parts.removePlace(request.actor, request.auth!.user, request.params.id, request.params.place_id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/cases/:id/notes',
    {
      config,
      schema: {
        tags,
        summary: 'Add a note (append-only, sealed, stored exactly as typed)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 10_000 }) }),
        response: { 201: Note, ...errors },
      },
    },
    async (request, reply) => {
      const n = await parts.addNote(request.actor, request.auth!.user, request.params.id, request.body.body);
      return reply.code(201).send(n);
    },
  );

  r.post(
    '/api/cases/:id/tasks',
    {
      config,
      schema: {
        tags,
        summary: 'Add a task or a call-back (inside the safety plan’s safe times, on a safe number)',
        params: IdParams,
        body: Type.Object({
          kind: enumOf(['task', 'call_back'] as const),
          title: Type.Optional(Text(200)),
          due_at: Type.String({ format: 'date-time' }),
          assignee_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
          signal_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
          call_number_ref: Type.Optional(
            Type.Union([Type.String({ pattern: '^(contact|safe:[0-9]{1,2})$' }), Type.Null()]),
          ),
        }),
        response: { 201: Task, ...errors },
      },
    },
    async (request, reply) => {
      const t = await parts.addTask(request.actor, request.auth!.user, request.params.id, request.body);
      return reply.code(201).header('etag', `"${t.version}"`).send(t);
    },
  );

  r.patch(
    '/api/cases/:id/tasks/:tid',
    {
      config,
      schema: {
        tags,
        summary: 'Mark a task done or not, move it, reassign it, rename it (If-Match: the task’s version)',
        params: Type.Object({ id: Uuid, tid: Uuid }),
        body: Type.Object({
          done: Type.Optional(Type.Boolean()),
          due_at: Type.Optional(Type.String({ format: 'date-time' })),
          assignee_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
          title: Type.Optional(Text(200)),
        }),
        response: { 200: Task, ...errors },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const t = await parts.updateTask(
        request.actor,
        request.auth!.user,
        request.params.id,
        request.params.tid,
        version,
        request.body,
      );
      reply.header('etag', `"${t.version}"`);
      return t;
    },
  );

  r.get(
    '/api/cases/:id/assignees',
    {
      config,
      schema: {
        tags,
        summary:
          'Who a task of this case may be assigned to: active advocates and supervisors who open it without break-glass',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ id: Uuid, display_name: Type.String(), role: enumOf(CASE_ROLES) }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { items: await parts.assignees(request.auth!.user, request.params.id) };
    },
  );

  r.get(
    '/api/tasks/mine',
    {
      config,
      schema: {
        tags,
        summary: 'My open tasks on the cases I can see, due first',
        response: { 200: Type.Object({ items: Type.Array(MyTask) }), ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { items: await parts.myTasks(request.actor, request.auth!.user) };
    },
  );

  r.get(
    '/api/signals/:id/case',
    {
      config,
      schema: {
        tags,
        summary: 'The case a signal belongs to, if any',
        params: IdParams,
        response: { 200: Type.Object({ case: Type.Union([CaseSummary, Type.Null()]) }), ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { case: await cases.ofSignal(request.actor, request.auth!.user, request.params.id) };
    },
  );
}
