import type { ProvinceCode } from '../places.js';

/**
 * What the demo directory is made of: kinds of organisation and the services each offers, in English and
 * French. Every name is invented and carries "(fictional)" / « (fictif) ».
 */

/** Share of services per province/territory, like the evaluation's national directory. */
export const PROVINCE_WEIGHTS: Record<ProvinceCode, number> = {
  ON: 40,
  QC: 17,
  AB: 9,
  NS: 7,
  BC: 10,
  MB: 4.5,
  SK: 3.5,
  NB: 3.5,
  NL: 2.5,
  PE: 1,
  YT: 0.7,
  NT: 0.7,
  NU: 0.6,
};

/** Share of organisations whose records are written in French first. */
export const FRENCH_BASE_SHARE: Partial<Record<ProvinceCode, number>> = {
  QC: 0.92,
  NB: 0.35,
  ON: 0.06,
  MB: 0.04,
};

/** Telephone area codes; numbers are always 555-01xx, the range reserved for fiction. */
export const AREA_CODES: Record<ProvinceCode, string[]> = {
  ON: ['416', '613', '705', '519', '807', '905'],
  QC: ['514', '418', '819', '450'],
  AB: ['403', '780'],
  NS: ['902'],
  BC: ['604', '250'],
  MB: ['204'],
  SK: ['306'],
  NB: ['506'],
  NL: ['709'],
  PE: ['902'],
  YT: ['867'],
  NT: ['867'],
  NU: ['867'],
};

/** Invented name stems, English and French. */
export const STEMS: [string, string][] = [
  ['Harbourlight', 'Phare'],
  ['Northstar', 'Étoile-du-Nord'],
  ['Cedarbrook', 'Ruisseau-des-Cèdres'],
  ['Lantern', 'Lanterne'],
  ['Brightwater', 'Eau-Vive'],
  ['Willowgate', 'Porte-des-Saules'],
  ['Stillwater', 'Eau-Calme'],
  ['Bluebird', 'Merle-Bleu'],
  ['Sunrise', 'Aurore'],
  ['Trillium Path', 'Sentier-du-Trille'],
  ['Maple Hollow', 'Val-des-Érables'],
  ['Riverbend', 'Détour-de-la-Rivière'],
  ['Open Door', 'Porte-Ouverte'],
  ['Compass Rose', 'Rose-des-Vents'],
  ['Anchor', 'Ancrage'],
  ['Wayfinder', 'Boussole'],
  ['Hearthstone', 'Pierre-du-Foyer'],
  ['Safe Haven', 'Havre-Sûr'],
  ['Birchwood', 'Bois-de-Bouleau'],
  ['Kingfisher', 'Martin-Pêcheur'],
  ['Silver Birch', 'Bouleau-Argenté'],
  ['Tamarack', 'Mélèze'],
  ['Starling', 'Étourneau'],
  ['Fireweed', 'Épilobe'],
  ['Northern Lights', 'Aurores-Boréales'],
  ['Sweetgrass Circle', 'Cercle-du-Foin-d’Odeur'],
  ['Tidewater', 'Marée-Haute'],
  ['Prairie Rose', 'Rose-des-Prairies'],
  ['Driftwood', 'Bois-Flotté'],
  ['Morning Song', 'Chant-du-Matin'],
];

/** One service an organisation of some kind offers. */
export interface ServiceTemplate {
  en: { name: string; description: string };
  fr: { name: string; description: string };
  /** harbour-service-types codes. */
  types: string[];
  /** open-eligibility codes. */
  oe: string[];
  /** Beds (capacity) this service has. */
  beds?: [number, number];
  allDay?: boolean;
}

/** A kind of organisation: its name pattern, its services, the populations it tends to serve. */
export interface OrgKind {
  key: string;
  en: string;
  fr: string;
  /** relative frequency among service providers. */
  weight: number;
  services: ServiceTemplate[];
  populations: string[];
  /** chance that the location is confidential (shelters). */
  confidentialLocation: number;
  organizationType: 'service_provider' | 'law_enforcement' | 'child_protection';
}

const svc = (
  en: [string, string],
  fr: [string, string],
  types: string[],
  oe: string[],
  extra: Partial<ServiceTemplate> = {},
): ServiceTemplate => ({
  en: { name: en[0], description: en[1] },
  fr: { name: fr[0], description: fr[1] },
  types,
  oe,
  ...extra,
});

const SAFETY = svc(
  ['Safety planning', 'Plan for safety, by phone or in person, with a trained worker.'],
  ['Plan de sécurité', 'Planifier sa sécurité, au téléphone ou en personne, avec une intervenante formée.'],
  ['safety-planning'],
  ['1123'],
);
const CASE_MGMT = svc(
  [
    'Anti-trafficking case management',
    'A case worker who coordinates housing, health, legal and income supports with survivors.',
  ],
  [
    'Gestion de cas en matière de traite',
    'Une intervenante qui coordonne avec les personnes survivantes l’hébergement, la santé, le soutien juridique et le revenu.',
  ],
  ['trafficking-case-management'],
  ['1292', '1309'],
);
const CRISIS = svc(
  ['24-hour crisis line', 'Confidential support by phone and text, day and night.'],
  ['Ligne de crise 24 h', 'Soutien confidentiel par téléphone et texto, jour et nuit.'],
  ['crisis-line'],
  ['1305'],
  { allDay: true },
);
const INTERPRETATION = svc(
  ['Interpretation', 'Interpreters for appointments and calls, in many languages.'],
  ['Interprétation', 'Interprètes pour les rendez-vous et les appels, en plusieurs langues.'],
  ['interpretation'],
  ['1390'],
);
const COUNSELLING = svc(
  ['Trauma-informed counselling', 'Individual and group counselling at no cost.'],
  ['Relation d’aide tenant compte des traumatismes', 'Rencontres individuelles et de groupe, gratuites.'],
  ['trauma-counselling'],
  ['1220', '1304'],
);
const PEER = svc(
  ['Survivor peer support group', 'A weekly group led by people with lived experience.'],
  ['Groupe de soutien par les pairs', 'Un groupe hebdomadaire animé par des personnes ayant un vécu.'],
  ['survivor-peer-support'],
  ['1310', '1312'],
);
const IMMIGRATION = svc(
  [
    'Immigration status help',
    'Help with work permits, temporary resident permits for victims of trafficking and refugee claims.',
  ],
  [
    'Aide en matière d’immigration',
    'Aide pour les permis de travail, les permis de séjour temporaire pour victimes de la traite et les demandes d’asile.',
  ],
  ['immigration-status-support'],
  ['1381', '1346'],
);

export const PROVIDER_KINDS: OrgKind[] = [
  {
    key: 'womens-shelter',
    en: 'Women’s Shelter',
    fr: 'Maison d’hébergement pour femmes',
    weight: 22,
    organizationType: 'service_provider',
    confidentialLocation: 0.3,
    populations: ['women', 'children', 'families', 'survivors-sex-trafficking', '2slgbtqi'],
    services: [
      svc(
        [
          'Emergency shelter',
          'Emergency shelter for women and their children fleeing violence or exploitation.',
        ],
        [
          'Hébergement d’urgence',
          'Hébergement d’urgence pour les femmes et leurs enfants qui fuient la violence ou l’exploitation.',
        ],
        ['trafficking-emergency-shelter'],
        ['1121', '1124'],
        { beds: [6, 40], allDay: true },
      ),
      CRISIS,
      SAFETY,
      svc(
        ['Second-stage housing', 'Supported apartments for up to a year after an emergency stay.'],
        [
          'Hébergement de deuxième étape',
          'Appartements avec soutien pour une durée maximale d’un an après un séjour d’urgence.',
        ],
        ['transitional-housing'],
        ['1152'],
        { beds: [4, 16] },
      ),
      svc(
        ['Outreach and court accompaniment', 'Support in the community and at court.'],
        ['Accompagnement et soutien externe', 'Soutien dans la communauté et au tribunal.'],
        ['court-accompaniment'],
        ['1375'],
      ),
    ],
  },
  {
    key: 'trafficking-response',
    en: 'Anti-Trafficking Response Centre',
    fr: 'Centre d’intervention contre la traite',
    weight: 14,
    organizationType: 'service_provider',
    confidentialLocation: 0.08,
    populations: [
      'survivors-sex-trafficking',
      'survivors-labour-trafficking',
      'women',
      'youth',
      'migrants',
      '2slgbtqi',
    ],
    services: [
      CASE_MGMT,
      SAFETY,
      svc(
        [
          'Emergency housing for trafficking survivors',
          'Short-stay safe housing for survivors of trafficking.',
        ],
        [
          'Hébergement d’urgence pour personnes survivantes de la traite',
          'Hébergement sécuritaire de courte durée pour les personnes survivantes de la traite.',
        ],
        ['trafficking-emergency-shelter'],
        ['1121', '1125'],
        { beds: [3, 14], allDay: true },
      ),
      PEER,
      IMMIGRATION,
      INTERPRETATION,
    ],
  },
  {
    key: 'indigenous',
    en: 'Indigenous Healing Lodge',
    fr: 'Pavillon de guérison autochtone',
    weight: 9,
    organizationType: 'service_provider',
    confidentialLocation: 0.05,
    populations: ['first-nations', 'inuit', 'metis', 'women', 'youth', 'families'],
    services: [
      svc(
        ['Indigenous cultural supports', 'Elders, ceremony and land-based healing.'],
        ['Soutien culturel autochtone', 'Aînés, cérémonies et guérison sur le territoire.'],
        ['indigenous-cultural-support'],
        ['1311'],
      ),
      COUNSELLING,
      CASE_MGMT,
      svc(
        ['Healing lodge residence', 'A residential healing program for women and their children.'],
        [
          'Pavillon résidentiel de guérison',
          'Un programme résidentiel de guérison pour les femmes et leurs enfants.',
        ],
        ['transitional-housing', 'indigenous-cultural-support'],
        ['1182'],
        { beds: [4, 20], allDay: true },
      ),
    ],
  },
  {
    key: 'migrant-workers',
    en: 'Migrant Worker Support Centre',
    fr: 'Centre d’appui aux travailleurs migrants',
    weight: 8,
    organizationType: 'service_provider',
    confidentialLocation: 0,
    populations: ['temporary-foreign-workers', 'migrants', 'survivors-labour-trafficking', 'men', 'women'],
    services: [
      svc(
        ['Labour rights and wage recovery', 'Help to recover unpaid wages and complain about an employer.'],
        [
          'Droits du travail et recouvrement de salaires',
          'Aide pour récupérer un salaire impayé et porter plainte contre un employeur.',
        ],
        ['labour-rights'],
        ['1374', '1386'],
      ),
      IMMIGRATION,
      INTERPRETATION,
      CASE_MGMT,
    ],
  },
  {
    key: 'legal-clinic',
    en: 'Community Legal Clinic',
    fr: 'Clinique juridique communautaire',
    weight: 8,
    organizationType: 'service_provider',
    confidentialLocation: 0,
    populations: [
      'migrants',
      'refugees',
      'women',
      'survivors-labour-trafficking',
      'survivors-sex-trafficking',
    ],
    services: [
      svc(
        ['Free legal advice', 'Legal advice and representation for people with low income.'],
        [
          'Conseils juridiques gratuits',
          'Conseils et représentation juridiques pour les personnes à faible revenu.',
        ],
        ['court-accompaniment'],
        ['1375', '1389'],
      ),
      IMMIGRATION,
      svc(
        ['Identification replacement', 'Help to replace identity documents that were taken or lost.'],
        [
          'Remplacement de pièces d’identité',
          'Aide pour remplacer des pièces d’identité confisquées ou perdues.',
        ],
        [],
        ['1384'],
      ),
    ],
  },
  {
    key: 'sexual-assault',
    en: 'Sexual Assault Centre',
    fr: 'Centre d’aide et de lutte contre les agressions à caractère sexuel',
    weight: 9,
    organizationType: 'service_provider',
    confidentialLocation: 0.03,
    populations: ['women', 'youth', '2slgbtqi', 'survivors-sex-trafficking', 'gender-diverse'],
    services: [
      svc(
        ['Sexual assault support', 'Crisis support, counselling and accompaniment after sexual violence.'],
        [
          'Aide aux victimes d’agression sexuelle',
          'Intervention de crise, relation d’aide et accompagnement à la suite de violence sexuelle.',
        ],
        ['sexual-assault-support'],
        ['1124', '1220'],
      ),
      CRISIS,
      COUNSELLING,
      svc(
        ['Hospital accompaniment', 'A worker meets you at the hospital for medical and forensic care.'],
        [
          'Accompagnement à l’hôpital',
          'Une intervenante vous accompagne à l’hôpital pour les soins médicaux et médico-légaux.',
        ],
        ['medical-forensic-care'],
        ['1210'],
      ),
    ],
  },
  {
    key: 'youth',
    en: 'Youth Services',
    fr: 'Services jeunesse',
    weight: 9,
    organizationType: 'service_provider',
    confidentialLocation: 0.05,
    populations: ['youth', 'people-experiencing-homelessness', '2slgbtqi', 'survivors-sex-trafficking'],
    services: [
      svc(
        ['Youth emergency shelter', 'Emergency beds for young people aged 16 to 24.'],
        ['Hébergement d’urgence jeunesse', 'Lits d’urgence pour les jeunes de 16 à 24 ans.'],
        [],
        ['1121', '1135'],
        { beds: [6, 30], allDay: true },
      ),
      svc(
        ['Street outreach', 'Outreach workers on the street and online, evenings and nights.'],
        [
          'Travail de rue',
          'Des travailleuses et travailleurs de rue sur le terrain et en ligne, le soir et la nuit.',
        ],
        ['street-outreach'],
        ['1309'],
      ),
      PEER,
      svc(
        ['Drop-in centre', 'Meals, showers, laundry and a worker to talk to.'],
        ['Halte-accueil', 'Repas, douches, buanderie et une intervenante à qui parler.'],
        ['harm-reduction'],
        ['1131', '1218'],
      ),
    ],
  },
  {
    key: 'health',
    en: 'Community Health Centre',
    fr: 'Centre de santé communautaire',
    weight: 7,
    organizationType: 'service_provider',
    confidentialLocation: 0,
    populations: ['people-experiencing-homelessness', 'migrants', 'people-who-use-drugs', 'families'],
    services: [
      svc(
        ['Primary care clinic', 'Nurses and doctors, with or without a health card.'],
        ['Clinique de première ligne', 'Infirmières et médecins, avec ou sans carte d’assurance maladie.'],
        [],
        ['1206a', '1210'],
      ),
      svc(
        ['Mental health and addiction services', 'Counselling, harm reduction and referral to treatment.'],
        [
          'Services en santé mentale et en dépendances',
          'Relation d’aide, réduction des méfaits et orientation vers un traitement.',
        ],
        ['harm-reduction'],
        ['1178', '1214'],
      ),
      INTERPRETATION,
    ],
  },
  {
    key: 'newcomer',
    en: 'Newcomer Settlement Services',
    fr: 'Services d’établissement pour personnes immigrantes',
    weight: 7,
    organizationType: 'service_provider',
    confidentialLocation: 0,
    populations: ['migrants', 'refugees', 'international-students', 'temporary-foreign-workers', 'families'],
    services: [
      svc(
        ['Settlement support', 'Help with housing, school, work and government services.'],
        [
          'Soutien à l’établissement',
          'Aide pour le logement, l’école, l’emploi et les services gouvernementaux.',
        ],
        [],
        ['1292', '1293'],
      ),
      IMMIGRATION,
      INTERPRETATION,
      svc(
        ['Language classes', 'English and French classes for adults.'],
        ['Cours de langue', 'Cours d’anglais et de français pour adultes.'],
        [],
        ['1326'],
      ),
    ],
  },
  {
    key: 'victim-services',
    en: 'Victim Services Centre',
    fr: 'Centre d’aide aux victimes d’actes criminels',
    weight: 7,
    organizationType: 'service_provider',
    confidentialLocation: 0,
    populations: ['women', 'men', 'youth', 'seniors', 'people-with-disabilities'],
    services: [
      svc(
        ['Victim support', 'Information, support and referrals for victims of crime and their families.'],
        [
          'Aide aux victimes',
          'Information, soutien et orientation pour les victimes d’actes criminels et leurs proches.',
        ],
        ['victim-services-community'],
        ['1375'],
      ),
      svc(
        ['Court accompaniment', 'Preparation for court and accompaniment on the day.'],
        ['Accompagnement judiciaire', 'Préparation au tribunal et accompagnement le jour venu.'],
        ['court-accompaniment'],
        ['1375'],
      ),
      SAFETY,
    ],
  },
];

/** Police agencies: a trafficking unit and victim services. */
export const POLICE_KIND: OrgKind = {
  key: 'police',
  en: 'Police Service',
  fr: 'Service de police',
  weight: 0,
  organizationType: 'law_enforcement',
  confidentialLocation: 0,
  populations: [],
  services: [
    svc(
      [
        'Human trafficking unit',
        'Investigates human trafficking and sexual exploitation. In an emergency call 9-1-1.',
      ],
      [
        'Unité de lutte contre la traite de personnes',
        'Enquête sur la traite de personnes et l’exploitation sexuelle. En cas d’urgence, composez le 9-1-1.',
      ],
      ['law-enforcement'],
      [],
    ),
    svc(
      ['Police victim services', 'Support and referrals for victims after a report to police.'],
      ['Services aux victimes', 'Soutien et orientation pour les victimes après un signalement à la police.'],
      ['victim-services-police'],
      [],
    ),
  ],
};

/** Provincial and territorial child-protection services: one intake service each. */
export const CHILD_PROTECTION_KIND: OrgKind = {
  key: 'child-protection',
  en: 'Child and Family Services',
  fr: 'Protection de la jeunesse',
  weight: 0,
  organizationType: 'child_protection',
  confidentialLocation: 0,
  populations: ['children', 'youth', 'families'],
  services: [
    svc(
      ['Child protection intake', 'Receives reports about children and youth who may need protection, 24/7.'],
      [
        'Réception et traitement des signalements',
        'Reçoit les signalements concernant les enfants et les jeunes qui pourraient avoir besoin de protection, 24 heures sur 24.',
      ],
      ['child-protection'],
      ['1271'],
      { allDay: true },
    ),
    svc(
      ['Youth in care support', 'Support for young people in care and leaving care.'],
      [
        'Soutien aux jeunes placés',
        'Soutien aux jeunes placés et aux jeunes qui quittent un milieu de placement.',
      ],
      ['child-protection'],
      ['1272'],
    ),
  ],
};

/** Languages besides English and French, and where they are most likely. */
export const OTHER_LANGUAGES: { code: string; name: string; provinces?: ProvinceCode[] }[] = [
  { code: 'cr', name: 'Cree', provinces: ['AB', 'SK', 'MB', 'QC', 'ON'] },
  { code: 'oj', name: 'Ojibwe', provinces: ['ON', 'MB'] },
  { code: 'iu', name: 'Inuktitut', provinces: ['NU', 'QC', 'NL', 'NT'] },
  { code: 'mic', name: 'Mi’kmaq', provinces: ['NS', 'NB', 'PE', 'NL'] },
  { code: 'den', name: 'Dene', provinces: ['NT', 'SK', 'AB'] },
  { code: 'es', name: 'Spanish' },
  { code: 'tl', name: 'Tagalog' },
  { code: 'pa', name: 'Punjabi' },
  { code: 'zh', name: 'Chinese' },
  { code: 'ar', name: 'Arabic' },
  { code: 'uk', name: 'Ukrainian' },
  { code: 'pt', name: 'Portuguese' },
  { code: 'vi', name: 'Vietnamese' },
  { code: 'ko', name: 'Korean' },
  { code: 'th', name: 'Thai' },
];

export const STREETS: { en: string; fr: string }[] = [
  { en: 'Fictional Street', fr: 'rue Fictive' },
  { en: 'Imaginary Avenue', fr: 'avenue Imaginaire' },
  { en: 'Example Road', fr: 'chemin de l’Exemple' },
  { en: 'Placeholder Crescent', fr: 'croissant Factice' },
  { en: 'Makebelieve Lane', fr: 'ruelle du Faux-Semblant' },
  { en: 'Storybook Boulevard', fr: 'boulevard du Conte' },
];
