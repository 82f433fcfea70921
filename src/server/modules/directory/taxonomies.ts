import { and, eq, sql } from 'drizzle-orm';
import { taxonomy, taxonomyTerm, unit } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { POPULATIONS_TAXONOMY } from './directory.projection.js';
import openEligibilityTerms from './reference/open-eligibility.json' with { type: 'json' };

/**
 * Reference taxonomies of the directory: Open Eligibility (service types, CC BY-SA 3.0, shipped with French
 * labels in reference/open-eligibility.json), the Harbour extension of service types an anti-trafficking hotline
 * needs and OE lacks, and the controlled list of populations served. Codes are stable: search filters,
 * imports and exports refer to them.
 */

export const OPEN_ELIGIBILITY = 'open-eligibility';
export const HARBOUR_SERVICE_TYPES = 'harbour-service-types';
export const HARBOUR_POPULATIONS = POPULATIONS_TAXONOMY;

/** A term as defined in code or data: English base text, French translation, optional parent code. */
export interface TermDefinition {
  code: string;
  parent?: string | null;
  name: string;
  description: string;
  fr: { name: string; description: string };
}

interface TaxonomyDefinition {
  name: string;
  description: string;
  uri?: string;
  version?: string;
  terms: TermDefinition[];
}

const term = (code: string, name: string, description: string, frName: string, frDescription: string) => ({
  code,
  name,
  description,
  fr: { name: frName, description: frDescription },
});

/** Service types an anti-trafficking referral needs that Open Eligibility does not have. */
export const HARBOUR_SERVICE_TYPE_TERMS: TermDefinition[] = [
  term(
    'trafficking-case-management',
    'Anti-trafficking case management',
    'A worker who coordinates services with and for a survivor of human trafficking, from first contact to recovery.',
    'Gestion de cas en matière de traite de personnes',
    'Une intervenante ou un intervenant qui coordonne les services avec et pour une personne survivante de la traite, du premier contact au rétablissement.',
  ),
  term(
    'safety-planning',
    'Safety planning',
    'Help to plan for safety when leaving or living near a trafficker or abuser.',
    'Plan de sécurité',
    'Aide pour planifier sa sécurité au moment de quitter une personne exploiteuse ou violente, ou en vivant à proximité.',
  ),
  term(
    'trafficking-emergency-shelter',
    'Emergency shelter for trafficking survivors',
    'Emergency housing for survivors of human trafficking, often at a confidential address.',
    'Hébergement d’urgence pour personnes survivantes de la traite',
    'Hébergement d’urgence pour les personnes survivantes de la traite, souvent à une adresse confidentielle.',
  ),
  term(
    'transitional-housing',
    'Transitional (second-stage) housing',
    'Longer-term supported housing after an emergency shelter stay.',
    'Hébergement de deuxième étape',
    'Logement avec soutien à plus long terme après un séjour en hébergement d’urgence.',
  ),
  term(
    'crisis-line',
    '24/7 crisis line',
    'A telephone or text line answered at any hour.',
    'Ligne de crise 24 heures sur 24',
    'Une ligne téléphonique ou texto où l’on répond à toute heure.',
  ),
  term(
    'immigration-status-support',
    'Immigration and legal status help',
    'Help with immigration status, including temporary foreign workers, open work permits for vulnerable workers and temporary resident permits for victims of trafficking.',
    'Aide en matière d’immigration et de statut',
    'Aide relative au statut d’immigration, y compris pour les travailleuses et travailleurs étrangers temporaires, les permis de travail ouverts pour travailleurs vulnérables et les permis de séjour temporaire pour les victimes de la traite.',
  ),
  term(
    'labour-rights',
    'Labour rights and wage recovery',
    'Help to assert employment rights, recover unpaid wages and file complaints about an employer or recruiter.',
    'Droits du travail et recouvrement de salaires',
    'Aide pour faire valoir ses droits en emploi, récupérer un salaire impayé et porter plainte contre un employeur ou un recruteur.',
  ),
  term(
    'interpretation',
    'Interpretation',
    'Spoken or signed interpretation for appointments, calls and interviews.',
    'Interprétation',
    'Interprétation orale ou gestuelle pour les rendez-vous, les appels et les entrevues.',
  ),
  term(
    'indigenous-cultural-support',
    'Indigenous cultural supports',
    'Elders, ceremony, land-based and culturally grounded healing for First Nations, Inuit and Métis people.',
    'Soutien culturel autochtone',
    'Aînés, cérémonies, activités sur le territoire et guérison ancrée dans la culture pour les Premières Nations, les Inuit et les Métis.',
  ),
  term(
    'victim-services-police',
    'Police-based victim services',
    'Victim services workers attached to a police service: support, information and referrals after a report.',
    'Services aux victimes en milieu policier',
    'Intervenantes et intervenants rattachés à un service de police : soutien, information et orientation après un signalement.',
  ),
  term(
    'victim-services-community',
    'Community-based victim services',
    'Support, information and court accompaniment for victims of crime, whether or not they report to police.',
    'Services communautaires d’aide aux victimes',
    'Soutien, information et accompagnement judiciaire pour les victimes d’actes criminels, qu’elles portent plainte ou non.',
  ),
  term(
    'court-accompaniment',
    'Court accompaniment',
    'Preparation for and accompaniment to court, police interviews and legal appointments.',
    'Accompagnement judiciaire',
    'Préparation et accompagnement au tribunal, aux entrevues policières et aux rendez-vous juridiques.',
  ),
  term(
    'sexual-assault-support',
    'Sexual assault support',
    'Crisis support, counselling and accompaniment after sexual violence.',
    'Aide aux victimes d’agression sexuelle',
    'Intervention de crise, relation d’aide et accompagnement à la suite de violence sexuelle.',
  ),
  term(
    'trauma-counselling',
    'Trauma-informed counselling',
    'Counselling that recognises the effects of trauma and exploitation.',
    'Relation d’aide tenant compte des traumatismes',
    'Relation d’aide qui reconnaît les effets des traumatismes et de l’exploitation.',
  ),
  term(
    'survivor-peer-support',
    'Survivor-led peer support',
    'Support from people with lived experience of trafficking or exploitation.',
    'Soutien par des pairs ayant un vécu',
    'Soutien offert par des personnes ayant vécu la traite ou l’exploitation.',
  ),
  term(
    'sex-trade-exit-support',
    'Support to leave the sex trade',
    'Non-judgemental support for people who want to leave the sex trade.',
    'Soutien à la sortie de l’industrie du sexe',
    'Soutien sans jugement pour les personnes qui souhaitent quitter l’industrie du sexe.',
  ),
  term(
    'street-outreach',
    'Street outreach',
    'Workers who meet people where they are: streets, encampments, truck stops, online.',
    'Travail de rue',
    'Intervenantes et intervenants qui vont à la rencontre des gens là où ils sont : rue, campements, haltes routières, en ligne.',
  ),
  term(
    'harm-reduction',
    'Harm reduction',
    'Services that reduce the harms of substance use without requiring abstinence.',
    'Réduction des méfaits',
    'Services qui réduisent les méfaits liés à la consommation sans exiger l’abstinence.',
  ),
  term(
    'medical-forensic-care',
    'Medical and forensic care after sexual assault',
    'Hospital-based care and optional evidence collection after sexual assault.',
    'Soins médicaux et médico-légaux après une agression sexuelle',
    'Soins en milieu hospitalier et prélèvement facultatif d’éléments de preuve après une agression sexuelle.',
  ),
  term(
    'safe-return',
    'Safe return and repatriation',
    'Help for a survivor who chooses to return safely to their home community or country.',
    'Retour sécuritaire et rapatriement',
    'Aide à une personne survivante qui choisit de retourner en sécurité dans sa communauté ou son pays d’origine.',
  ),
  term(
    'child-protection',
    'Child protection',
    'The provincial or territorial service that receives reports about children in need of protection.',
    'Protection de l’enfance',
    'Le service provincial ou territorial qui reçoit les signalements concernant des enfants ayant besoin de protection.',
  ),
  term(
    'law-enforcement',
    'Law enforcement',
    'A police service, including human trafficking and counter-exploitation units.',
    'Services policiers',
    'Un service de police, y compris les unités de lutte contre la traite de personnes et l’exploitation.',
  ),
];

/** Populations served: a controlled list, so search by population means the same thing everywhere. */
export const HARBOUR_POPULATION_TERMS: TermDefinition[] = [
  term(
    'first-nations',
    'First Nations',
    'First Nations people, on and off reserve.',
    'Premières Nations',
    'Membres des Premières Nations, dans les réserves et hors réserve.',
  ),
  term('inuit', 'Inuit', 'Inuit people.', 'Inuit', 'Les Inuit.'),
  term('metis', 'Métis', 'Métis people.', 'Métis', 'Les Métis.'),
  term(
    '2slgbtqi',
    '2SLGBTQI+',
    'Two-Spirit, lesbian, gay, bisexual, transgender, queer and intersex people.',
    '2ELGBTQI+',
    'Personnes bispirituelles, lesbiennes, gaies, bisexuelles, transgenres, queers et intersexes.',
  ),
  term('women', 'Women', 'Women, trans and cis.', 'Femmes', 'Femmes, trans et cisgenres.'),
  term('men', 'Men', 'Men, trans and cis.', 'Hommes', 'Hommes, trans et cisgenres.'),
  term(
    'gender-diverse',
    'Non-binary and gender-diverse people',
    'Non-binary, gender-fluid and gender-diverse people.',
    'Personnes non binaires et de la diversité de genre',
    'Personnes non binaires, de genre fluide et de la diversité de genre.',
  ),
  term(
    'youth',
    'Youth',
    'Young people, about 12 to 24 years old.',
    'Jeunes',
    'Jeunes de 12 à 24 ans environ.',
  ),
  term('children', 'Children', 'Children under 12.', 'Enfants', 'Enfants de moins de 12 ans.'),
  term(
    'families',
    'Families',
    'Parents or caregivers with children.',
    'Familles',
    'Parents ou personnes tutrices avec des enfants.',
  ),
  term('seniors', 'Seniors', 'People 65 and older.', 'Personnes aînées', 'Personnes de 65 ans et plus.'),
  term(
    'migrants',
    'Migrants and newcomers',
    'Immigrants, newcomers and people with precarious immigration status.',
    'Personnes migrantes et nouveaux arrivants',
    'Personnes immigrantes, nouvellement arrivées ou au statut d’immigration précaire.',
  ),
  term(
    'temporary-foreign-workers',
    'Temporary foreign workers',
    'People working in Canada on a temporary work permit, including seasonal agricultural workers and caregivers.',
    'Travailleuses et travailleurs étrangers temporaires',
    'Personnes qui travaillent au Canada avec un permis de travail temporaire, y compris les travailleurs agricoles saisonniers et les aides familiales.',
  ),
  term(
    'international-students',
    'International students',
    'People studying in Canada on a study permit.',
    'Étudiantes et étudiants étrangers',
    'Personnes qui étudient au Canada avec un permis d’études.',
  ),
  term(
    'refugees',
    'Refugees and refugee claimants',
    'Resettled refugees and people claiming refugee protection.',
    'Personnes réfugiées et demandeuses d’asile',
    'Personnes réfugiées réinstallées et personnes qui demandent l’asile.',
  ),
  term(
    'survivors-sex-trafficking',
    'Survivors of sex trafficking',
    'People who are or were trafficked for sexual exploitation.',
    'Personnes survivantes de la traite à des fins d’exploitation sexuelle',
    'Personnes qui sont ou ont été victimes de la traite à des fins d’exploitation sexuelle.',
  ),
  term(
    'survivors-labour-trafficking',
    'Survivors of labour trafficking',
    'People who are or were trafficked for forced labour.',
    'Personnes survivantes de la traite à des fins de travail forcé',
    'Personnes qui sont ou ont été victimes de la traite à des fins de travail forcé.',
  ),
  term(
    'people-with-disabilities',
    'People with disabilities',
    'People with physical, sensory, intellectual, cognitive or mental health disabilities.',
    'Personnes en situation de handicap',
    'Personnes ayant une incapacité physique, sensorielle, intellectuelle, cognitive ou liée à la santé mentale.',
  ),
  term(
    'deaf-hard-of-hearing',
    'Deaf and hard of hearing people',
    'Deaf, deafened and hard of hearing people (ASL, LSQ).',
    'Personnes sourdes et malentendantes',
    'Personnes sourdes, devenues sourdes et malentendantes (ASL, LSQ).',
  ),
  term(
    'people-experiencing-homelessness',
    'People experiencing homelessness',
    'People without stable housing.',
    'Personnes en situation d’itinérance',
    'Personnes sans logement stable.',
  ),
  term(
    'people-who-use-drugs',
    'People who use drugs',
    'People who use substances.',
    'Personnes qui consomment des drogues',
    'Personnes qui consomment des substances psychoactives.',
  ),
  term(
    'sex-workers',
    'Sex workers',
    'People who sell or trade sex.',
    'Travailleuses et travailleurs du sexe',
    'Personnes qui vendent ou échangent des services sexuels.',
  ),
  term(
    'francophones',
    'Francophones in minority communities',
    'French-speaking people living outside Quebec.',
    'Francophones en situation minoritaire',
    'Personnes d’expression française vivant à l’extérieur du Québec.',
  ),
];

const TAXONOMIES: TaxonomyDefinition[] = [
  {
    name: OPEN_ELIGIBILITY,
    description:
      'Open Eligibility human services taxonomy (services), by Aunt Bertha, Inc., CC BY-SA 3.0; French labels by Harbour.',
    uri: 'http://openeligibility.org',
    version: '2.0',
    terms: openEligibilityTerms as TermDefinition[],
  },
  {
    name: HARBOUR_SERVICE_TYPES,
    description:
      'Harbour extension: service types for anti-trafficking referrals that Open Eligibility lacks.',
    version: '1',
    terms: HARBOUR_SERVICE_TYPE_TERMS,
  },
  {
    name: HARBOUR_POPULATIONS,
    description: 'Harbour controlled list of populations served.',
    version: '1',
    terms: HARBOUR_POPULATION_TERMS,
  },
];

/** The HSDS 3.1 unit for shelter capacity. */
export const BED_UNIT = { scheme: 'harbour', identifier: 'bed', name: 'bed', fr: 'lit' } as const;

/**
 * Loads (or updates) the taxonomies, their terms and the `bed` unit. Idempotent: terms are keyed by
 * (taxonomy, code) and updated in place, so ids referenced by attributes survive a reload.
 */
export async function loadTaxonomies(tx: Db): Promise<{ taxonomies: number; terms: number }> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('harbour.load_taxonomies'))`);
  let terms = 0;
  for (const def of TAXONOMIES) {
    let [row] = await tx
      .select({ id: taxonomy.id })
      .from(taxonomy)
      .where(eq(taxonomy.name, def.name))
      .limit(1);
    if (row) {
      await tx
        .update(taxonomy)
        .set({ description: def.description, uri: def.uri ?? null, version: def.version ?? null })
        .where(eq(taxonomy.id, row.id));
    } else {
      [row] = await tx
        .insert(taxonomy)
        .values({ name: def.name, description: def.description, uri: def.uri, version: def.version })
        .returning({ id: taxonomy.id });
    }
    const taxonomyId = row!.id;
    for (let i = 0; i < def.terms.length; i += 500) {
      const chunk = def.terms.slice(i, i + 500);
      await tx
        .insert(taxonomyTerm)
        .values(
          chunk.map((t) => ({
            code: t.code,
            name: t.name,
            description: t.description,
            taxonomy: def.name,
            taxonomyId,
            language: 'en',
            translations: { fr: { name: t.fr.name, description: t.fr.description } },
          })),
        )
        .onConflictDoUpdate({
          target: [taxonomyTerm.taxonomyId, taxonomyTerm.code],
          set: {
            name: sql`excluded.name`,
            description: sql`excluded.description`,
            taxonomy: sql`excluded.taxonomy`,
            language: sql`excluded.language`,
            translations: sql`excluded.translations`,
          },
        });
    }
    const parents = def.terms.filter((t) => t.parent);
    if (parents.length > 0) {
      await tx.execute(sql`
        update taxonomy_term c set parent_id = p.id
          from taxonomy_term p,
               (values ${sql.join(
                 parents.map((t) => sql`(${t.code}, ${t.parent})`),
                 sql`, `,
               )}) v(code, parent)
         where c.taxonomy_id = ${taxonomyId} and c.code = v.code
           and p.taxonomy_id = ${taxonomyId} and p.code = v.parent
           and c.parent_id is distinct from p.id`);
    }
    terms += def.terms.length;
  }
  await bedUnitId(tx);
  return { taxonomies: TAXONOMIES.length, terms };
}

/** The id of the `bed` unit, created on first use (capacity rows need it). */
export async function bedUnitId(tx: Db): Promise<string> {
  const [found] = await tx
    .select({ id: unit.id })
    .from(unit)
    .where(and(eq(unit.scheme, BED_UNIT.scheme), eq(unit.identifier, BED_UNIT.identifier)))
    .limit(1);
  if (found) return found.id;
  const [created] = await tx
    .insert(unit)
    .values({
      name: BED_UNIT.name,
      scheme: BED_UNIT.scheme,
      identifier: BED_UNIT.identifier,
      translations: { fr: { name: BED_UNIT.fr } },
    })
    .returning({ id: unit.id });
  return created!.id;
}

/** A stored term, as importers and the generator need it. */
export interface StoredTerm {
  id: string;
  code: string;
  name: string;
  taxonomy: string;
  translations: Record<string, Record<string, string>>;
}

/** Looks a term up by (taxonomy name, code); undefined when unknown (the caller decides what that means). */
export async function findTerm(db: Db, taxonomyName: string, code: string): Promise<StoredTerm | undefined> {
  const [row] = await db
    .select({
      id: taxonomyTerm.id,
      code: taxonomyTerm.code,
      name: taxonomyTerm.name,
      taxonomy: taxonomyTerm.taxonomy,
      translations: taxonomyTerm.translations,
    })
    .from(taxonomyTerm)
    .innerJoin(taxonomy, eq(taxonomy.id, taxonomyTerm.taxonomyId))
    .where(and(eq(taxonomy.name, taxonomyName), eq(taxonomyTerm.code, code)))
    .limit(1);
  return row ? { ...row, code: row.code ?? code, taxonomy: row.taxonomy ?? taxonomyName } : undefined;
}

/** Every term id of a taxonomy by code: one query for bulk work (imports, the demo generator, validation). */
export async function termIdsByCode(db: Db, taxonomyName: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ id: taxonomyTerm.id, code: taxonomyTerm.code })
    .from(taxonomyTerm)
    .innerJoin(taxonomy, eq(taxonomy.id, taxonomyTerm.taxonomyId))
    .where(eq(taxonomy.name, taxonomyName));
  return new Map(rows.filter((r) => r.code !== null).map((r) => [r.code!, r.id]));
}
