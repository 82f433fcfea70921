import { json } from '../../../../test/helpers/app.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import type { Role } from '../../../shared/roles.js';
import type { HarbourApp } from '../../app.js';
import { signal, team, teamMember } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { generateReference } from '../queue/signals.service.js';

/** Test helpers shared by the case test files (synthetic data only). */

export interface Staff {
  id: string;
  session: TestSession;
}

export async function staffMember(db: Db, role: Role = 'advocate'): Promise<Staff> {
  const user = await createUser(db, { role });
  return { id: user.id, session: await sessionFor(db, user) };
}

export async function testSignal(
  db: Db,
  values: { region?: string; contactHash?: string | null; assignedUserId?: string } = {},
) {
  const at = new Date(Date.now() - 120_000);
  const [row] = await db
    .insert(signal)
    .values({
      reference: generateReference(),
      channel: 'sms',
      language: 'en',
      state: 'ended',
      arrivedAt: at,
      queuedAt: at,
      answeredAt: new Date(at.getTime() + 5000),
      endedAt: new Date(at.getTime() + 60_000),
      region: values.region ?? 'ON',
      contactHash: values.contactHash ?? null,
      assignedUserId: values.assignedUserId ?? null,
    })
    .returning();
  return row!;
}

export async function testTeam(db: Db, members: string[]) {
  const [t] = await db
    .insert(team)
    .values({ name: `Test Team ${Math.random().toString(36).slice(2, 10)} (fictional)` })
    .returning();
  if (members.length)
    await db.insert(teamMember).values(members.map((userId) => ({ teamId: t!.id, userId })));
  return t!;
}

// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely and asserted on.
export type Body = any;

export function caller(harbour: HarbourApp) {
  return async (
    who: Staff,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Body }> => {
    const res = await harbour.app.inject({
      method,
      url,
      headers: { ...who.session.headers, ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? json(res) : undefined };
  };
}
