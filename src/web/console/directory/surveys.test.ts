import { describe, expect, it } from 'vitest';
import type { SurveyRecipient } from './surveys.api';
import {
  answeredPercent,
  countByFilter,
  isDelivering,
  isOpen,
  matchesFilter,
  recipientState,
  summarise,
} from './surveys.model';

// Where each partner stands in a survey, and the filters of the recipients table.

const recipient = (over: Partial<SurveyRecipient>): SurveyRecipient => ({
  id: crypto.randomUUID(),
  organizationId: crypto.randomUUID(),
  organizationName: 'Harbour House (fictional)',
  email: 'intake@example.org',
  sentAt: null,
  sendError: null,
  respondedAt: null,
  response: null,
  ...over,
});

const at = '2026-11-28T14:00:00.000Z';
const queued = recipient({});
const sent = recipient({ sentAt: at });
const failed = recipient({ sendError: 'Error' });
const answered = recipient({ sentAt: at, respondedAt: at, response: { corrections: 'New hours' } });

describe('recipient state and filters', () => {
  it('answered wins, then failed, then sent, else still sending', () => {
    expect([queued, sent, failed, answered].map(recipientState)).toEqual([
      'pending',
      'sent',
      'failed',
      'answered',
    ]);
  });

  it('"not answered" includes failed and queued; "failed" only failed', () => {
    const all = [queued, sent, failed, answered];
    expect(all.filter((r) => matchesFilter(r, 'notAnswered'))).toEqual([queued, sent, failed]);
    expect(all.filter((r) => matchesFilter(r, 'failed'))).toEqual([failed]);
    expect(countByFilter(all)).toEqual({ all: 4, notAnswered: 3, answered: 1, failed: 1 });
  });

  it('summarises like the list endpoint counts (sent, failed, responded of total)', () => {
    expect(summarise([queued, sent, failed, answered])).toEqual({
      total: 4,
      sent: 2,
      failed: 1,
      responded: 1,
    });
  });
});

describe('progress', () => {
  it('is delivering until every e-mail is sent or failed', () => {
    expect(isDelivering({ total: 3, sent: 1, failed: 1 })).toBe(true);
    expect(isDelivering({ total: 3, sent: 2, failed: 1 })).toBe(false);
    expect(isDelivering({ total: 0, sent: 0, failed: 0 })).toBe(false);
  });

  it('rounds the answered share and copes with nobody to ask', () => {
    expect(answeredPercent({ total: 3, responded: 1 })).toBe(33);
    expect(answeredPercent({ total: 0, responded: 0 })).toBe(0);
  });

  it('is open until its closing time', () => {
    const now = Date.parse(at);
    expect(isOpen({ closesAt: '2026-11-28T14:00:01.000Z' }, now)).toBe(true);
    expect(isOpen({ closesAt: at }, now)).toBe(false);
  });
});
