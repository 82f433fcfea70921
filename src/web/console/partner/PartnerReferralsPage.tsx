// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns the partner's referrals page; keep the export.
export function PartnerReferralsPage() {
  return null;
}
