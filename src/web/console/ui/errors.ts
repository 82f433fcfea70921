import type { MessageId } from '../../i18n/messages';
import { ApiError, NetworkError } from '../api/client';

/** The text to show for a failed call: the server's own localised message when it sent one. */
export function errorText(error: unknown, t: (id: MessageId) => string): string {
  if (error instanceof ApiError) {
    if (error.status >= 500 && !error.message) return t('error.server');
    return error.message || t('error.generic');
  }
  if (error instanceof NetworkError) return t('error.network');
  return t('error.generic');
}

export function errorCode(error: unknown): string | null {
  return error instanceof ApiError ? error.code : null;
}
