// Who reads the reports and the shapes of their answers (docs/api/reports.md), shared by the server and the console.

import type { Role } from './roles.js';

/** Who reads the reports: supervisors (their hotline's figures) and analysts (the statistics). */
export const REPORT_ROLES = ['supervisor', 'analyst'] as const satisfies readonly Role[];

/** One coded field: every code with its count, and the three non-answers apart. */
export interface FieldCounts {
  field: string;
  /** Every known code in list order (0 when nobody gave it), then codes the lists no longer hold. */
  counts: { code: string; count: number }[];
  declined: number;
  unknown: number;
  not_asked: number;
}

/** `GET /api/reports/screening`. */
export interface ScreeningReport {
  from: string;
  to: string;
  time_zone: string;
  screenings: number;
  fields: FieldCounts[];
  people: number;
  people_by_role: { role: string; people: number; fields: FieldCounts[] }[];
}

/** `GET /api/referrals/needs`. */
export interface NeedsReport {
  total: number;
  needs: { need: string; count: number; share: number }[];
}
