// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns escalations in the console; keep the export.
export function EscalationsSection(_props: { caseId: string }) {
  return null;
}
