import { createIntl } from 'react-intl';
import { describe, expect, it } from 'vitest';
import en from '../../i18n/en-CA.json';
import fr from '../../i18n/fr-CA.json';
import type { MessageId } from '../../i18n/messages';
import { exclusiveList } from './answers';
import { draftToParams, emptyDraft, paramsToDraft } from './CaseSearch';
import { CODE_GROUPS, codeKey, TIMELINE_TYPES } from './labels';
import { planDraft, planInput, planProblems, screeningInput } from './screening.model';
import { localInstant } from './TasksSection';
import { detailOf } from './TimelineSection';
import type { TimelineEntry } from './types';

// Pure rules of the screening and case screens: exclusive markers, the safety plan body, search parameters, and a
// label in both languages for every code of src/shared/cases.ts.

describe('exclusive "declined" / "unknown" in a list', () => {
  it('a marker replaces the codes, a code replaces the marker', () => {
    expect(exclusiveList(['sex', 'labour'], ['sex', 'labour', 'declined'])).toEqual(['declined']);
    expect(exclusiveList(['declined'], ['declined', 'sex'])).toEqual(['sex']);
    expect(exclusiveList(['unknown'], ['unknown', 'declined'])).toEqual(['declined']);
    expect(exclusiveList(['sex', 'labour'], ['sex'])).toEqual(['sex']);
    expect(exclusiveList([], [])).toEqual([]);
  });
});

describe('safety plan body', () => {
  it('leaves out empty rows and unanswered questions; null when nothing is in it', () => {
    const draft = planDraft(null);
    expect(planInput(draft)).toBeNull();
    draft.contacts.push({ name: '', relationship: '', phone: '' });
    draft.times.push({ days: ['mon'], from: '09:00', to: '11:30' });
    draft.numbers.push({ label: '', number: ' 555-0100 ' });
    draft.voicemail = 'declined';
    draft.timeZone = 'America/Halifax';
    expect(planInput(draft)).toEqual({
      safe_times: [{ days: ['mon'], from: '09:00', to: '11:30' }],
      safe_numbers: [{ number: '555-0100' }],
      voicemail_allowed: 'declined',
      time_zone: 'America/Halifax',
    });
  });

  it('reads a stored plan back as the same body', () => {
    const plan = {
      safe_contacts: [{ name: 'Test Person (fictional)', phone: '555-0101' }],
      code_word: 'blue',
      safe_times: [{ days: ['sat', 'sun'], from: '22:00', to: '02:00' }],
      time_zone: 'America/Toronto',
      contact_number_safe: true as const,
      safe_numbers: [{ label: 'Friend', number: '555-0102' }],
      voicemail_allowed: false as const,
      notes: 'Text first (fictional).',
    };
    expect(planInput(planDraft(plan))).toEqual(plan);
  });

  it('finds what the server would refuse: no day, a malformed time, an empty window, a label without a number', () => {
    const draft = planDraft(null);
    draft.times.push({ days: [], from: '9h', to: '10:00' }, { days: ['mon'], from: '10:00', to: '10:00' });
    draft.numbers.push({ label: 'Sister', number: '' });
    expect(planProblems(draft)).toEqual([
      { field: 'safe-time-0-days', problem: 'days' },
      { field: 'safe-time-0-from', problem: 'time' },
      { field: 'safe-time-1-to', problem: 'same' },
      { field: 'safe-number-0', problem: 'number' },
    ]);
  });

  it('stamps the emergency prompt only when asked', () => {
    const draft = { safety: 'immediate_danger', classification: null, needs: [], plan: planDraft(null) };
    expect(screeningInput(draft, true).emergency_prompted).toBe(true);
    expect('emergency_prompted' in screeningInput(draft, false)).toBe(false);
  });
});

describe('case search parameters', () => {
  it('turns the form into API parameters, and back', () => {
    const draft = {
      ...emptyDraft(),
      q: ' salon ',
      reference: 'hc-abcd-efgh',
      region: 'ON',
      sameContact: true,
    };
    const params = draftToParams(draft, 'sig-1');
    expect(params).toEqual({
      q: 'salon',
      reference: 'HC-ABCD-EFGH',
      status: 'active,follow_up',
      region: 'ON',
      same_contact_as: 'sig-1',
    });
    // "Same contact" needs a conversation; never a number.
    expect(draftToParams(draft).same_contact_as).toBeUndefined();
    const back = paramsToDraft(new URLSearchParams({ q: 'salon', status: 'active,follow_up' }));
    expect(back.q).toBe('salon');
    expect(back.status).toBe('open');
  });
});

describe('call-back times', () => {
  it('reads a date and a time typed on the local clock; refuses malformed ones', () => {
    expect(localInstant('2026-03-31', '14:30')).toBe(new Date('2026-03-31T14:30:00').toISOString());
    expect(localInstant('31/03/2026', '14:30')).toBeNull();
    expect(localInstant('2026-03-31', '2:30')).toBeNull();
    expect(localInstant('2026-03-31', '24:00')).toBeNull();
  });
});

describe('labels', () => {
  it('every code of src/shared/cases.ts, every marker and timeline type has a label in EN and FR', () => {
    const missing: string[] = [];
    const catalogues: Record<string, Record<string, string>> = { en, fr };
    for (const [group, codes] of Object.entries(CODE_GROUPS))
      for (const code of codes) {
        const key = codeKey(group as keyof typeof CODE_GROUPS, code);
        for (const [name, catalogue] of Object.entries(catalogues))
          if (!catalogue[key]) missing.push(`${name} ${key}`);
      }
    for (const type of TIMELINE_TYPES)
      for (const [name, catalogue] of Object.entries(catalogues))
        if (!catalogue[`cases.timeline.type.${type}`]) missing.push(`${name} timeline ${type}`);
    for (const marker of ['declined', 'unknown', 'notAsked'])
      for (const [name, catalogue] of Object.entries(catalogues))
        if (!catalogue[`cases.answer.${marker}`]) missing.push(`${name} ${marker}`);
    expect(missing).toEqual([]);
  });
});

describe('timeline detail of a restriction', () => {
  const entry = (data: Record<string, unknown>) =>
    ({ id: '1', type: 'restricted', at: '2026-01-15T12:00:00Z', user: null, data }) as TimelineEntry;
  const tOf = (locale: string, messages: Record<string, string>) => {
    const intl = createIntl({ locale, messages });
    return (id: MessageId, values?: Record<string, string | number>) => intl.formatMessage({ id }, values);
  };
  it('says what was handed over, in both languages, and nothing when nothing moved', () => {
    const handed = entry({ team_id: 'x', tasks_handed_over: 2, owner_handed_over: true });
    expect(detailOf(tOf('en-CA', en), handed)).toBe('Handed over to them: 2 open tasks, and the case');
    expect(detailOf(tOf('fr-CA', fr), handed)).toBe(
      'Confié à cette personne : 2 tâches ouvertes, et le dossier',
    );
    expect(detailOf(tOf('en-CA', en), entry({ tasks_handed_over: 1, owner_handed_over: false }))).toBe(
      'Handed over to them: 1 open task',
    );
    expect(detailOf(tOf('en-CA', en), entry({ tasks_handed_over: 0, owner_handed_over: false }))).toBeNull();
    expect(detailOf(tOf('en-CA', en), entry({ team_id: null }))).toBeNull();
    const merged = { ...entry({ reference: 'HC-TEST-0001', tasks_handed_over: 1 }), type: 'merged_from' };
    expect(detailOf(tOf('en-CA', en), merged)).toBe('HC-TEST-0001 · Handed over to them: 1 open task');
  });
});
