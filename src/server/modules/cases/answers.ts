import { Type } from 'typebox';
import { ANSWER_MARKERS } from '../../../shared/cases.js';
import { AppError } from '../../platform/errors.js';

/**
 * Request/response schemas for "do no harm" answers (ADR 0007): a code, `declined`, `unknown`, or null (not asked);
 * a list of codes, or exactly one marker, or empty (not asked).
 */
export const enumOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });

/** One answer: a code of `codes`, `declined`, `unknown`, or null. */
export const Answer = (codes: readonly string[]) =>
  Type.Union([Type.Unsafe<string>({ type: 'string', enum: [...codes, ...ANSWER_MARKERS] }), Type.Null()]);

/** A list answer: codes, or one marker alone (checked by `checkList`), or empty. */
export const AnswerList = (codes: readonly string[], maxItems = 40) =>
  Type.Array(Type.Unsafe<string>({ type: 'string', enum: [...codes, ...ANSWER_MARKERS] }), {
    maxItems,
    uniqueItems: true,
  });

/** Free-form coded list (ISO country / language codes) with markers allowed. */
export const CodeList = (pattern: string, maxItems = 20) =>
  Type.Array(
    Type.Union([
      Type.String({ pattern }),
      Type.Unsafe<string>({ type: 'string', enum: [...ANSWER_MARKERS] }),
    ]),
    { maxItems, uniqueItems: true },
  );

/** 422 ANSWER_INVALID when a marker is mixed with values (e.g. ["declined", "sex"]). */
export function checkList(field: string, values: readonly string[] | undefined): void {
  if (!values || values.length <= 1) return;
  if (values.some((v) => (ANSWER_MARKERS as readonly string[]).includes(v)))
    throw new AppError('ANSWER_INVALID', 422, { field });
}
