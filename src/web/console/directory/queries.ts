import { useQuery } from '@tanstack/react-query';
import { useLocale } from '../locale';
import { allTaxonomyTerms } from './api';
import type { TaxonomyTerm } from './types';

export const POPULATIONS_TAXONOMY = 'harbour-populations';
export const SERVICE_TYPE_TAXONOMIES = ['harbour-service-types', 'open-eligibility'];

/** Languages offered by the filter and the editor: official, Indigenous and the most asked-for others. */
export const LANGUAGE_CODES = [
  'en',
  'fr',
  'ase',
  'fcs',
  'cr',
  'oj',
  'iu',
  'mic',
  'den',
  'es',
  'pt',
  'ar',
  'fa',
  'zh',
  'yue',
  'pa',
  'hi',
  'ur',
  'ta',
  'tl',
  'vi',
  'ko',
  'ru',
  'uk',
  'pl',
  'ro',
  'so',
  'ti',
  'am',
  'sw',
  'ht',
];

export interface Terms {
  populations: TaxonomyTerm[];
  serviceTypes: TaxonomyTerm[];
  byCode: Map<string, TaxonomyTerm>;
}

/** Populations and service types with labels in the UI language; they change rarely, so they are kept all shift. */
export function useTerms() {
  const { locale } = useLocale();
  return useQuery({
    queryKey: ['directory', 'terms', locale],
    queryFn: allTaxonomyTerms,
    staleTime: 60 * 60_000,
    select: (terms): Terms => {
      const sort = (a: TaxonomyTerm, b: TaxonomyTerm) => a.name.localeCompare(b.name, locale);
      return {
        populations: terms.filter((t) => t.taxonomy === POPULATIONS_TAXONOMY).sort(sort),
        serviceTypes: terms.filter((t) => SERVICE_TYPE_TAXONOMIES.includes(t.taxonomy)).sort(sort),
        byCode: new Map(terms.map((t) => [t.code, t])),
      };
    },
  });
}
