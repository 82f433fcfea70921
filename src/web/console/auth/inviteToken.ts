/** The token lives in the fragment (`#token=…`) so it never reaches a server log; it only leaves in a POST body. */
export function readInviteToken(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token?.trim() ? token.trim() : null;
}
