import { api } from '../api/client';

// The status-survey endpoints (managers): start one, follow its progress, read the answers.

export interface Survey {
  id: string;
  title: string;
  message: string;
  createdAt: string;
  closesAt: string;
}

export interface SurveySummary extends Survey {
  total: number;
  sent: number;
  failed: number;
  responded: number;
}

export interface SurveyResponse {
  services?: Array<{ id: string; status?: string; available?: number }>;
  corrections?: string;
  respondent?: string;
}

export interface SurveyRecipient {
  id: string;
  organizationId: string;
  organizationName: string;
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
