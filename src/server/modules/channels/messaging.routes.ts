import type { FastifyInstance } from 'fastify';
import type { ChannelsDeps } from './channels.module.js';

// PLACEHOLDER (issue 5 foundation): replaced by its owner; see docs/api/channels.md.
export async function messagingRoutes(_app: FastifyInstance, _deps: ChannelsDeps): Promise<void> {}
