import { describe, expect, it } from 'vitest';
import type { SurveyRecipient } from './surveys.api';
import {
  answeredPercent,
  answeredServiceName,
  countByFilter,
  isDelivering,
  isOpen,
  matchesFilter,
  nameIn,
  recipientState,
  summarise,
} from './surveys.model';

// Where each partner stands in a survey, and the filters of the recipients table.

const recipient = (over: Partial<SurveyRecipient>): SurveyRecipient => ({
  id: crypto.randomUUID(),
  organizationId: crypto.randomUUID(),
  organizationName: 'Harbour House (fictional)',
  organizationNameTranslations: {},
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
const answered = recipient({
  sentAt: at,
  respondedAt: at,
  response: { services: [], corrections: 'New hours' },
});

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

describe('names in answers', () => {
  const beds = { name: 'Emergency beds (fictional)', nameTranslations: { fr: 'Lits d’urgence (fictif)' } };

  it('names an answered service in the UI language, falling back to its main name', () => {
    expect(answeredServiceName(beds, 'fr-CA')).toBe('Lits d’urgence (fictif)');
    expect(answeredServiceName(beds, 'en-CA')).toBe('Emergency beds (fictional)');
    expect(answeredServiceName({ name: 'Hébergement (fictif)', nameTranslations: {} }, 'en-CA')).toBe(
      'Hébergement (fictif)',
    );
  });

  it('says when the service no longer exists instead of showing an id', () => {
    expect(answeredServiceName({ name: null, nameTranslations: {} }, 'fr-CA')).toBeNull();
  });

  it('prefers the exact language tag, then the language, and ignores blank translations', () => {
    const names = { fr: 'Maison (fictif)', 'fr-CA': 'Maison canadienne (fictif)' };
    expect(nameIn('House (fictional)', names, 'fr-CA')).toBe('Maison canadienne (fictif)');
    expect(nameIn('House (fictional)', { 'fr-CA': 'Maison (fictif)' }, 'fr-CA')).toBe('Maison (fictif)');
    expect(nameIn('House (fictional)', { 'fr-FR': 'Maison (fictif)' }, 'fr-CA')).toBe('Maison (fictif)');
    expect(nameIn('House (fictional)', { fr: '  ' }, 'fr-CA')).toBe('House (fictional)');
  });
});
