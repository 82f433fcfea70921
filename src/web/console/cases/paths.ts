// Paths of the case screens (the router maps them back in ../router.ts).

/** Case workers: advocates and supervisors (the server's CASE_ROLES). */
export const CASE_ROLES = ['advocate', 'supervisor'];
export const canWorkCases = (role: string) => CASE_ROLES.includes(role);

const ID = /^[0-9a-zA-Z-]{1,64}$/;
export const isCaseId = (value: string) => ID.test(value);

export const casePaths = {
  list: '/console/cases',
  search: (query: string) => `/console/cases${query ? `?${query}` : ''}`,
  detail: (caseId: string) => `/console/cases/${encodeURIComponent(caseId)}`,
  escalations: (caseId: string) => `/console/cases/${encodeURIComponent(caseId)}#escalations`,
  partnerReferrals: '/console/partner/referrals',
  supervision: '/console/supervision',
};
