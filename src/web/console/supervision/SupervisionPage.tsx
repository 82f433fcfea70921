// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns the supervision page; keep the export.
export function SupervisionPage() {
  return null;
}
