import { api } from '../api/client';

// The status-survey endpoints (managers): start one, follow its progress, read the answers.

export interface Survey {
  id: string;
  title: string;
  message: string;
  createdBy?: string | null;
  createdAt: string;
  closesAt: string;
}

export interface SurveySummary extends Survey {
  total: number;
  sent: number;
  failed: number;
  responded: number;
}

/** A service as the partner answered for it, with its name now (null if it has since been deleted). */
export interface AnsweredService {
  id: string;
  status?: string;
  available?: number;
  name: string | null;
  /** The name in each language the listing has a translation for, e.g. `{ fr: 'Lits d’urgence' }`. */
  nameTranslations: Record<string, string>;
}

export interface SurveyResponse {
  services: AnsweredService[];
  corrections?: string;
  respondent?: string;
}

export interface SurveyRecipient {
  id: string;
  organizationId: string;
  organizationName: string;
  organizationNameTranslations: Record<string, string>;
  email: string;
  sentAt: string | null;
  sendError: string | null;
  respondedAt: string | null;
  response: SurveyResponse | null;
}

export const listSurveys = () => api<{ surveys: SurveySummary[] }>('/api/directory/surveys');
export const getSurvey = (surveyId: string) =>
  api<{ survey: Survey; recipients: SurveyRecipient[] }>(
    `/api/directory/surveys/${encodeURIComponent(surveyId)}`,
  );
export const startSurvey = (body: { title: string; message: string; closesInDays: number }) =>
  api<{ survey: Survey; recipients: number }>('/api/directory/surveys', { method: 'POST', body });
