import { describe, expect, it } from 'vitest';
import {
  capacityChanges,
  cleanPhones,
  draftOf,
  ORG_TRANSLATED,
  organizationChanges,
  PARTNER_ORG_FIELDS,
  PARTNER_SERVICE_FIELDS,
  SERVICE_TRANSLATED,
  serviceChanges,
  translationDraft,
} from './partner.model';
import type { Organization, ServiceRecord } from './types';

const org: Organization = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Harbour Test Shelter (fictional)',
  alternateName: null,
  description: 'Emergency shelter.',
  email: 'info@shelter.example',
  website: null,
  organizationType: 'service_provider',
  jurisdiction: ['ON'],
  confidential: false,
  translations: { fr: { name: 'Refuge test (fictif)', description: 'Refuge d’urgence.' } },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

const service: ServiceRecord = {
  service: {
    id: '00000000-0000-4000-8000-000000000002',
    organizationId: org.id,
    name: 'Emergency beds (fictional)',
    alternateName: null,
    description: 'Beds for women.',
    url: null,
    email: null,
    status: 'active',
    interpretationServices: null,
    applicationProcess: null,
    feesDescription: null,
    eligibilityDescription: null,
    minimumAge: null,
    maximumAge: null,
    assuredDate: null,
    assurerEmail: null,
    verificationDue: null,
    intakeNotes: 'staff only',
    lastModified: '2026-01-01T00:00:00Z',
    confidential: false,
    translations: {},
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  },
  populations: [],
  serviceTypes: [],
  languages: [],
  phones: [{ number: '555-0100', type: 'voice', description: null }],
  capacity: [],
};

describe('partner proposals: organization', () => {
  it('sends nothing when nothing changed', () => {
    const draft = draftOf(org, PARTNER_ORG_FIELDS);
    const translated = translationDraft(org.translations, 'fr', ORG_TRANSLATED);
    expect(organizationChanges(org, draft, 'fr', translated)).toEqual({});
  });

  it('sends only the changed fields; a cleared field is null, never confidentiality', () => {
    const draft = { ...draftOf(org, PARTNER_ORG_FIELDS), website: ' https://shelter.example ', email: '' };
    const translated = translationDraft(org.translations, 'fr', ORG_TRANSLATED);
    const changes = organizationChanges(org, draft, 'fr', translated);
    expect(changes).toEqual({ website: 'https://shelter.example', email: null });
    expect(changes).not.toHaveProperty('confidential');
  });

  it('sends the whole translations object, other texts kept, when a French text changes', () => {
    const draft = draftOf(org, PARTNER_ORG_FIELDS);
    const translated = { ...translationDraft(org.translations, 'fr', ORG_TRANSLATED), description: 'Lits.' };
    expect(organizationChanges(org, draft, 'fr', translated)).toEqual({
      translations: { fr: { name: 'Refuge test (fictif)', description: 'Lits.' } },
    });
  });
});

describe('partner proposals: service', () => {
  const base = () => ({
    draft: draftOf(service.service, PARTNER_SERVICE_FIELDS),
    translated: translationDraft(service.service.translations, 'fr', SERVICE_TRANSLATED),
  });

  it('sends the status and the new phone list, never intake notes', () => {
    const { draft, translated } = base();
    const changes = serviceChanges(
      service,
      { ...draft, status: 'temporarily closed' },
      [...service.phones, { number: ' 555-0199 ', type: 'text', description: '  ' }],
      'fr',
      translated,
    );
    expect(changes).toEqual({
      status: 'temporarily closed',
      phones: [
        { number: '555-0100', type: 'voice' },
        { number: '555-0199', type: 'text' },
      ],
    });
    expect(changes).not.toHaveProperty('intakeNotes');
  });

  it('leaves phones out when only blank rows were added', () => {
    const { draft, translated } = base();
    const phones = [...service.phones, { number: '  ', type: 'voice', description: null }];
    expect(serviceChanges(service, draft, phones, 'fr', translated)).toEqual({});
    expect(cleanPhones(phones)).toHaveLength(1);
  });

  it('adds a French eligibility text as a translation', () => {
    const { draft, translated } = base();
    expect(
      serviceChanges(service, draft, service.phones, 'fr', {
        ...translated,
        eligibilityDescription: 'Femmes',
      }),
    ).toEqual({ translations: { fr: { eligibility_description: 'Femmes' } } });
  });
});

describe('partner proposals: capacity', () => {
  it('turns the boxes into numbers; a blank total is null', () => {
    expect(capacityChanges(' 3 ', '10')).toEqual({ changes: { available: 3, maximum: 10 } });
    expect(capacityChanges('0', '')).toEqual({ changes: { available: 0, maximum: null } });
  });

  it('refuses a missing, fractional, negative or too-large count', () => {
    expect(capacityChanges('', '4')).toEqual({ problem: 'availableRequired' });
    expect(capacityChanges('2.5', '')).toEqual({ problem: 'wholeNumber' });
    expect(capacityChanges('-1', '')).toEqual({ problem: 'wholeNumber' });
    expect(capacityChanges('3', 'ten')).toEqual({ problem: 'wholeNumber' });
    expect(capacityChanges('200000', '')).toEqual({ problem: 'wholeNumber' });
  });

  it('refuses more beds available than the total', () => {
    expect(capacityChanges('11', '10')).toEqual({ problem: 'moreThanTotal' });
  });
});
