/** Self-contained HTML for printable table reports (rendered to PDF by ChromiumClient). */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export interface TableReport {
  title: string;
  /** e.g. "Generated 2025-11-05 10:30 (Europe/Berlin) by admin@example.com" */
  subtitle: string;
  /** Label/value pairs describing the filters ("none" when empty). */
  filters: Array<[string, string]>;
  /** Label/value pairs of the summary table. */
  summary: Array<[string, string | number]>;
  columns: string[];
  /** Numeric columns are right-aligned. */
  numericColumns?: number[];
}

const STYLE = `
  * { box-sizing: border-box; }
  body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 8.5pt; color: #111; margin: 0; }
  h1 { font-size: 15pt; margin: 0 0 2mm 0; }
  .sub { color: #555; margin-bottom: 4mm; }
  h2 { font-size: 10pt; margin: 4mm 0 1.5mm 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 0.2mm solid #bbb; padding: 0.8mm 1.5mm; text-align: left; vertical-align: top; }
  th { background: #e8ecf2; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
  td.num, th.num { text-align: right; }
  table.kv { width: auto; min-width: 90mm; margin-bottom: 2mm; }
  table.kv th { width: 45mm; }
  .empty { color: #777; font-style: italic; padding: 4mm 0; }
`;

/** The document start: title, filters and summary tables, and the opening of the rows table. */
export function tableReportHead(r: TableReport): string {
  const kv = (pairs: Array<[string, string | number]>): string =>
    `<table class="kv">${pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
  const numeric = new Set(r.numericColumns ?? []);
  const head = r.columns.map((c, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(c)}</th>`).join('');
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title><style>${STYLE}</style></head><body>` +
    `<h1>${escapeHtml(r.title)}</h1><div class="sub">${escapeHtml(r.subtitle)}</div>` +
    `<h2>Filters</h2>${kv(r.filters.length ? r.filters : [['Filters', 'none']])}` +
    `<h2>Summary</h2>${kv(r.summary)}` +
    `<h2>Rows</h2><table class="rows"><thead><tr>${head}</tr></thead><tbody>`
  );
}

/** One table row. */
export function tableReportRow(cells: readonly unknown[], numericColumns: readonly number[] = []): string {
  return `<tr>${cells.map((c, i) => `<td${numericColumns.includes(i) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

/** The document end (with a note when there were no rows). */
export function tableReportTail(rowCount: number, columnCount: number): string {
  const empty = rowCount === 0 ? `<tr><td class="empty" colspan="${columnCount}">No rows match these filters.</td></tr>` : '';
  return `${empty}</tbody></table></body></html>`;
}

/** Chromium header template: title left, print date right. */
export function headerTemplate(title: string): string {
  return (
    `<div style="font-size:7pt;color:#555;width:100%;padding:0 10mm;display:flex;justify-content:space-between;">` +
    `<span>${escapeHtml(title)}</span><span>Page <span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`
  );
}

/** Chromium footer template: "Page N of M". */
export function footerTemplate(left: string): string {
  return (
    `<div style="font-size:7pt;color:#555;width:100%;padding:0 10mm;display:flex;justify-content:space-between;">` +
    `<span>${escapeHtml(left)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
  );
}
