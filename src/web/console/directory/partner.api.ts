import { api } from '../api/client';

// The one read the partner page needs that the shared directory client does not have yet.

export interface OrganizationServiceRow {
  id: string;
  name: string;
  status: string;
  confidential: boolean;
}

/** An organization's services (name, status), for the partner's own organization page. */
export const servicesOfOrganization = (organizationId: string) =>
  api<{ services: OrganizationServiceRow[] }>(
    `/api/directory/organizations/${encodeURIComponent(organizationId)}/services`,
  );
