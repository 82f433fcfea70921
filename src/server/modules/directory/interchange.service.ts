import type { Actor } from '../../platform/audit.js';
import { recordAudit } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { createHsdsPresenter } from './hsds.presenter.js';
import { hsdsRepository } from './hsds.repository.js';
import {
  exportTables,
  flattenHsdsJson,
  type ImportReport,
  readCsvPackage,
  type Tables,
  toCsvFiles,
  validateTables,
  writeTables,
} from './interchange.js';

export type ImportInput =
  | { format: 'json'; data: unknown }
  | { format: 'csv'; files: Record<string, string> };

/** Import and export of the directory in HSDS 3.0 forms, audited; confidential data only when asked by staff. */
export function createInterchangeService(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** Validates everything first; writes nothing unless every row is valid (or `dryRun`). */
    async import(
      input: ImportInput,
      actor: Actor,
      options: { dryRun?: boolean } = {},
    ): Promise<ImportReport> {
      const parsed = input.format === 'json' ? flattenHsdsJson(input.data) : readCsvPackage(input.files);
      const tables: Tables = parsed.tables;
      const { report, rows } = await validateTables(db, tables);
      report.errors.unshift(...parsed.errors);
      report.ok = report.errors.length === 0 && Object.keys(report.counts).length > 0;
      if (!Object.keys(report.counts).length && !parsed.errors.length)
        report.errors.push('the file holds no HSDS records');
      if (!report.ok || options.dryRun) return report;
      try {
        await db.transaction(async (tx) => {
          await writeTables(tx, rows);
          await recordAudit(tx, actor, {
            action: 'directory.imported',
            details: { counts: report.counts, format: input.format },
          });
        });
      } catch (err) {
        const e = err as { code?: string; constraint?: string; table?: string };
        report.ok = false;
        report.errors.push(
          `the database refused the import (${e.code ?? 'error'}${e.constraint ? `, ${e.constraint}` : ''}); nothing was imported`,
        );
      }
      return report;
    },

    /** Tabular CSV files (with datapackage.json). Confidential data only with `includeConfidential`. */
    async exportCsv(actor: Actor, includeConfidential: boolean): Promise<Record<string, string>> {
      const files = toCsvFiles(await exportTables(db, includeConfidential));
      await db.transaction((tx) =>
        recordAudit(tx, actor, {
          action: 'directory.exported',
          details: { format: 'csv', includeConfidential },
        }),
      );
      return files;
    },

    /** Compiled HSDS service objects, page by page (for JSON and NDJSON). */
    async *exportServices(
      actor: Actor,
      includeConfidential: boolean,
    ): AsyncGenerator<Record<string, unknown>> {
      await db.transaction((tx) =>
        recordAudit(tx, actor, {
          action: 'directory.exported',
          details: { format: 'json', includeConfidential },
        }),
      );
      const audience = includeConfidential ? 'staff' : 'public';
      for (let offset = 0; ; offset += 200) {
        const { ids } = await hsdsRepository.pageServiceIds(db, audience, {}, 200, offset);
        if (ids.length === 0) return;
        const graph = await hsdsRepository.loadGraph(db, audience, { serviceIds: ids });
        const presenter = createHsdsPresenter(graph, { audience });
        for (const id of ids) {
          const svc = presenter.service(id);
          if (svc) yield svc;
        }
        if (ids.length < 200) return;
      }
    },
  };
}

export type InterchangeService = ReturnType<typeof createInterchangeService>;
