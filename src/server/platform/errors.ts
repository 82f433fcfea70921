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
    /** Extra top-level fields of the error body, e.g. a 409's `current` record (see ConflictResponse). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(code);
    this.name = 'AppError';
  }
}

export const unauthenticated = () => new AppError('UNAUTHENTICATED', 401);
export const forbidden = () => new AppError('FORBIDDEN', 403);
export const notFound = () => new AppError('NOT_FOUND', 404);

/**
 * 409 VERSION_CONFLICT for optimistic concurrency (If-Match): the body carries the record as it is stored now and who
 * saved it last, so the client can show the other change instead of overwriting it.
 */
export const versionConflict = (current: unknown, changedBy?: { id: string; display_name: string } | null) =>
  new AppError('VERSION_CONFLICT', 409, undefined, { current, changed_by: changedBy ?? null });
