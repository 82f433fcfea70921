import { Type } from 'typebox';

/** The one shape of every API error. */
export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

/** A 409 that may carry the record as stored now and who saved it (VERSION_CONFLICT; see errors.versionConflict). */
export const ConflictResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
  current: Type.Optional(Type.Unknown()),
  changed_by: Type.Optional(
    Type.Union([Type.Object({ id: Type.String(), display_name: Type.String() }), Type.Null()]),
  ),
});

/** A free-text query parameter that reaches SQL: bounded, no control characters (U+0000 cannot be compared). */
export const SearchText = (maxLength: number, minLength = 0) =>
  Type.String({ minLength, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]*$' });
