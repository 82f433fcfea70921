import { describe, expect, it } from 'vitest';
import {
  AGE_BANDS,
  BREAK_GLASS_REASONS,
  ESCALATION_KINDS,
  ESCALATION_STATUSES,
  GENDERS,
  NEEDS,
  OVERRIDE_REASONS,
  REFERRAL_SHARE_FIELDS,
  REFERRAL_STATUSES,
} from '../../../shared/cases';
import en from '../../i18n/en-CA.json';
import fr from '../../i18n/fr-CA.json';
import { safeTimesText } from '../partner/partnerReferrals.model';
import { newStepKey } from '../supervision/protocols.model';
import {
  ESCALATION_KIND_LABELS,
  ESCALATION_OUTCOME_LABELS,
  ESCALATION_STATUS_LABELS,
  labelFor,
  NEED_LABELS,
  OVERRIDE_REASON_LABELS,
  REFERRAL_STATUS_LABELS,
  SHARE_FIELD_HELP,
  SHARE_FIELD_LABELS,
  statusBadge,
} from './referrals.labels';
import { consentInput, consentProblem, emptyConsent, primaryLanguage } from './referrals.model';

// Referrals, escalations, the partner's page and supervision: every code shown in words in both languages, and the
// small rules of the forms (consent, language, protocol step keys, safe times).

const catalogues: Record<string, Record<string, string>> = { en, fr };

describe('labels of referral and escalation codes', () => {
  const maps = {
    NEED_LABELS,
    REFERRAL_STATUS_LABELS,
    SHARE_FIELD_LABELS,
    SHARE_FIELD_HELP,
    ESCALATION_KIND_LABELS,
    ESCALATION_STATUS_LABELS,
    OVERRIDE_REASON_LABELS,
    ESCALATION_OUTCOME_LABELS,
  };
  const codes: Record<keyof typeof maps, readonly string[]> = {
    NEED_LABELS: NEEDS,
    REFERRAL_STATUS_LABELS: REFERRAL_STATUSES,
    SHARE_FIELD_LABELS: REFERRAL_SHARE_FIELDS,
    SHARE_FIELD_HELP: REFERRAL_SHARE_FIELDS,
    ESCALATION_KIND_LABELS: ESCALATION_KINDS,
    ESCALATION_STATUS_LABELS: ESCALATION_STATUSES,
    OVERRIDE_REASON_LABELS: OVERRIDE_REASONS,
    ESCALATION_OUTCOME_LABELS: Object.keys(ESCALATION_OUTCOME_LABELS),
  };

  for (const [name, map] of Object.entries(maps) as [keyof typeof maps, Record<string, string>][]) {
    it(`${name}: every code has a message in English and French`, () => {
      const missing: string[] = [];
      for (const code of codes[name]) {
        const id = map[code];
        if (!id) missing.push(`${code}: no id`);
        else
          for (const [lang, cat] of Object.entries(catalogues)) if (!cat[id]) missing.push(`${lang} ${id}`);
      }
      expect(missing).toEqual([]);
    });
  }

  it('the partner page and the supervision page name every gender, age band and break-glass reason', () => {
    const ids = [
      ...[...GENDERS, 'declined', 'unknown'].map((g) => `partnerReferrals.gender.${g}`),
      ...[...AGE_BANDS, 'declined', 'unknown'].map((a) => `partnerReferrals.ageBand.${a}`),
      ...BREAK_GLASS_REASONS.map((r) => `supervision.breakGlass.reason.${r}`),
      ...['accepted', 'declined', 'service_received', 'could_not_reach'].map(
        (o) => `partnerReferrals.option.${o}`,
      ),
      ...['verbal', 'written', 'none'].map((k) => `referrals.consent.kind.${k}`),
    ];
    const missing = ids.filter((id) => !en[id as keyof typeof en] || !fr[id as keyof typeof fr]);
    expect(missing).toEqual([]);
  });

  it('a code the console does not know yet is shown as sent, not as an empty chip', () => {
    const t = (id: string) => `«${id}»`;
    expect(labelFor(REFERRAL_STATUS_LABELS, 'sent', t)).toBe('«referrals.status.sent»');
    expect(labelFor(REFERRAL_STATUS_LABELS, 'on_hold', t)).toBe('on_hold');
    expect(labelFor(REFERRAL_STATUS_LABELS, null, t)).toBe('');
  });

  it('every status has an icon besides its colour', () => {
    for (const s of [...REFERRAL_STATUSES, ...ESCALATION_STATUSES]) expect(statusBadge(s).icon).not.toBe('');
  });
});

describe('consent', () => {
  it('"not yet" sends no consent; verbal or written needs what was agreed, trimmed', () => {
    expect(consentInput(emptyConsent())).toBeUndefined();
    expect(consentProblem(emptyConsent())).toBe(false);
    const draft = { kind: 'verbal' as const, agreed: '   ', shared: ['first_name' as const] };
    expect(consentProblem(draft)).toBe(true);
    expect(consentInput({ ...draft, agreed: '  Call me at the shelter  ' })).toEqual({
      kind: 'verbal',
      agreed: 'Call me at the shelter',
      shared_fields: ['first_name'],
    });
  });

  it('the search starts with the person’s first language, as the directory knows it', () => {
    expect(primaryLanguage(['fr-CA', 'en'])).toBe('fr');
    expect(primaryLanguage(['declined'])).toBe('');
    expect(primaryLanguage(['unknown', 'ES'])).toBe('es');
    expect(primaryLanguage(null)).toBe('');
  });
});

describe('protocol step keys', () => {
  it('are new, and of the form the server accepts (letters and underscores)', () => {
    const pattern = /^[a-z_]{2,40}$/;
    expect(newStepKey([])).toBe('step_a');
    expect(newStepKey([{ key: 'step_a' }, { key: 'report_made' }])).toBe('step_b');
    const many = Array.from({ length: 30 }, () => ({ key: '' }));
    for (const s of many) s.key = newStepKey(many);
    expect(new Set(many.map((s) => s.key)).size).toBe(30);
    expect(many.every((s) => pattern.test(s.key))).toBe(true);
    expect(many.map((s) => s.key)).toContain('step_aa');
  });
});

describe('safe times shown to a partner', () => {
  it('in words, in the reader’s language, with the plan’s time zone', () => {
    const plan = {
      time_zone: 'America/Toronto',
      times: [
        { days: ['mon', 'tue'], from: '09:00', to: '11:30' },
        { days: [], from: '22:00', to: '06:00' },
      ],
    };
    expect(safeTimesText(plan, 'en-CA', 'Every day')).toBe(
      'Mon, Tue 09:00–11:30; Every day 22:00–06:00 (America/Toronto)',
    );
    expect(safeTimesText(plan, 'fr-CA', 'Tous les jours')).toMatch(
      /^lun\.?, mar\.? 09:00–11:30; Tous les jours/,
    );
    expect(safeTimesText(undefined, 'en-CA', 'Every day')).toBe('');
  });
});
