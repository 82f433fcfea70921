// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns referrals in the console; keep the export.
export function ReferralsSection(_props: { caseId: string }) {
  return null;
}
