import type { MessageKey } from './i18n.js';

/**
 * A failure the caller can act on: a stable code (the API contract) and an HTTP status.
 * The message is looked up in the caller's language when the response is written.
 */
export class AppError extends Error {
  constructor(
    readonly code: MessageKey,
    readonly statusCode: number,
    readonly values?: Record<string, string | number>,
  ) {
    super(code);
    this.name = 'AppError';
  }
}

export const unauthenticated = () => new AppError('UNAUTHENTICATED', 401);
export const forbidden = () => new AppError('FORBIDDEN', 403);
export const notFound = () => new AppError('NOT_FOUND', 404);
