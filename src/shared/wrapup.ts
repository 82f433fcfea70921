/**
 * Wrap-up codes of a signal: who reached out, from where, in which language, how they heard of the hotline.
 * Stable (stored and reported). Kept in shared/ because the server validates them and the console offers them;
 * labels come from the console's message catalogues.
 */
export const CALLER_TYPES = [
  'potential_victim',
  'survivor',
  'family_friend',
  'community_member',
  'service_provider',
  'law_enforcement',
  'business',
  'other',
  'unknown',
] as const;

/** Provinces and territories (ISO 3166-2:CA without the country), then outside Canada and not said. */
export const REGIONS = [
  'AB',
  'BC',
  'MB',
  'NB',
  'NL',
  'NS',
  'NT',
  'NU',
  'ON',
  'PE',
  'QC',
  'SK',
  'YT',
  'outside',
  'unknown',
] as const;

export const WRAP_UP_LANGUAGES = ['en', 'fr', 'other'] as const;

export const HEARD_ABOUT = [
  'search_engine',
  'social_media',
  'poster_ad',
  'service_provider',
  'police',
  'friend_family',
  'news',
  'other',
  'unknown',
] as const;
