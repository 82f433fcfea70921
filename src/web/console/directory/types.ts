// API shapes of the directory endpoints (src/server/modules/directory/*.routes.ts), as the console sees them.

export type Translations = Record<string, Record<string, string>>;

export interface TermLabel {
  code: string;
  en: string;
  fr: string;
}

export interface SearchPhone {
  number: string;
  extension: number | null;
  type: string | null;
  description: string | null;
}

export interface HoursToday {
  timezone: string;
  openNow: boolean;
  periods: { opens: string; closes: string }[];
}

export interface Capacity {
  unit?: string;
  available: number;
  maximum: number | null;
  updated: string;
}

export interface SearchItem {
  id: string;
  serviceId: string;
  organizationId: string;
  serviceName: string;
  organizationName: string;
  description: string | null;
  status: string;
  url: string | null;
  email: string | null;
  distanceKm: number | null;
  city: string | null;
  province: string | null;
  phones: SearchPhone[];
  hoursToday: HoursToday | null;
  eligibility: string | null;
  minimumAge: number | null;
  maximumAge: number | null;
  languages: string[];
  populations: TermLabel[];
  serviceTypes: TermLabel[];
  capacity: Capacity[];
  score: number;
  locationId: string | null;
  locationName: string | null;
  address: {
    address1: string;
    address2: string | null;
    city: string;
    province: string;
    postalCode: string;
  } | null;
  latitude: number | null;
  longitude: number | null;
  intakeNotes: string | null;
  applicationProcess: string | null;
  confidential: { organization: boolean; service: boolean; location: boolean };
}

export interface SearchPlace {
  kind: string;
  name: string | null;
  province: string | null;
  latitude: number | null;
  longitude: number | null;
  approximate: boolean;
}

export interface SearchResponse {
  total: number;
  /** Near a place only the 500 nearest matches are counted: "500+" (absent on older servers). */
  totalCapped?: boolean;
  limit: number;
  offset: number;
  fuzzy: boolean;
  mode: string;
  radiusKm: number;
  lang: string;
  place: SearchPlace | null;
  items: SearchItem[];
}

export interface TaxonomyTerm {
  id: string;
  code: string;
  name: string;
  taxonomy: string;
  parent_id?: string;
}

export interface HsdsPage<T> {
  total_items: number;
  total_pages: number;
  page_number: number;
  contents: T[];
}

interface Profile {
  id: string;
  confidential: boolean;
  translations: Translations;
  createdAt: string;
  updatedAt: string;
}

export interface Organization extends Profile {
  name: string;
  alternateName: string | null;
  description: string | null;
  email: string | null;
  website: string | null;
  organizationType: string;
  jurisdiction: string[];
}

export interface Service extends Profile {
  organizationId: string;
  name: string;
  alternateName: string | null;
  description: string | null;
  url: string | null;
  email: string | null;
  status: string;
  interpretationServices: string | null;
  applicationProcess: string | null;
  feesDescription: string | null;
  eligibilityDescription: string | null;
  minimumAge: number | null;
  maximumAge: number | null;
  assuredDate: string | null;
  assurerEmail: string | null;
  verificationDue: string | null;
  intakeNotes: string | null;
  lastModified: string;
}

export interface Phone {
  number: string;
  type: string | null;
  description: string | null;
}

/** HSDS/RFC 5545 day codes. */
export type WeekDay = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';

export interface OpeningPeriod {
  day: WeekDay;
  /** Local "HH:MM" in the zone; a period that closes before it opens runs past midnight. */
  opens: string;
  closes: string;
}

/** A service's regular weekly hours, in a named time zone (America/Toronto), as partners propose them. */
export interface WeeklyHours {
  timezone: string;
  hours: OpeningPeriod[];
}

export interface ServiceRecord {
  service: Service;
  populations: string[];
  serviceTypes: string[];
  languages: string[];
  phones: Phone[];
  capacity: Capacity[];
  /** Null when the service has no weekly hours listed. */
  hours?: WeeklyHours | null;
}

export interface Address {
  address1: string;
  address2: string | null;
  city: string;
  stateProvince: string;
  postalCode: string;
  country: string;
}

export interface Location extends Profile {
  organizationId: string | null;
  name: string | null;
  description: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface LocationRecord {
  location: Location;
  address: Address | null;
}

export interface HistoryEntry {
  id: string;
  resourceId: string;
  resourceType: string;
  lastActionDate: string;
  lastActionType: string;
  fieldName: string;
  previousValue: string;
  replacementValue: string;
  updatedBy: string;
}

export interface OverdueService {
  id: string;
  name: string;
  organizationId: string;
  organizationName: string;
  assuredDate: string | null;
  verificationDue: string | null;
  confidential: boolean;
}

export type ProposalStatus = 'pending' | 'approved' | 'rejected';
export type ProposalResource = 'organization' | 'service' | 'location' | 'capacity' | 'schedule';

export interface Proposal {
  id: string;
  organizationId: string;
  organizationName?: string;
  resourceType: ProposalResource;
  resourceId: string;
  changes: Record<string, unknown>;
  status: ProposalStatus;
  proposedBy: string | null;
  proposedAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
}

export type RecordType = 'organization' | 'service' | 'location';
