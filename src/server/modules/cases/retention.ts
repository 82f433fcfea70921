// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns this file; keep the export's name and signature.
import type { CasesDeps } from './cases.module.js';

export function createRetentionJob(_deps: Pick<CasesDeps, 'db' | 'config' | 'log'>): {
  start(): void;
  stop(): Promise<void>;
} {
  return { start() {}, async stop() {} };
}
