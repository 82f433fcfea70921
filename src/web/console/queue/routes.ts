// Who uses the live queue, and its paths. The server decides for real; this only shapes navigation.

/** Advocates answer; supervisors answer too (and take transfers). Same as the server's SIGNAL_HANDLERS. */
export const QUEUE_ROLES = ['advocate', 'supervisor'];
/** The live wallboard: supervisors and admins. */
export const WALLBOARD_ROLES = ['supervisor', 'admin'];

export const canAnswer = (role: string) => QUEUE_ROLES.includes(role);
export const canWatch = (role: string) => WALLBOARD_ROLES.includes(role);

const UUIDISH = /^[0-9a-zA-Z-]{1,64}$/;

export const queuePaths = {
  queue: '/console/queue',
  conversation: (signalId: string) => `/console/queue?c=${encodeURIComponent(signalId)}`,
  wallboard: '/console/wallboard',
};

/** The open conversation lives in the query string (`?c=<id>`) so switching never moves focus to the h1. */
export function selectedConversation(search: string): string | null {
  const value = new URLSearchParams(search).get('c');
  return value && UUIDISH.test(value) ? value : null;
}
