import { Type } from 'typebox';

/** The one shape of every API error. */
export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
