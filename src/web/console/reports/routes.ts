/** Who reads the reports: supervisors (their hotline's figures) and analysts (the statistics). */
export const REPORT_READERS = ['supervisor', 'analyst'] as const;

export function canReadReports(role: string): boolean {
  return (REPORT_READERS as readonly string[]).includes(role);
}
