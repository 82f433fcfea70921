import { REPORT_ROLES } from '../../../shared/reports';

/** The Reports page and its navigation entry: the roles the server lets read reports. */
export function canReadReports(role: string): boolean {
  return (REPORT_ROLES as readonly string[]).includes(role);
}
