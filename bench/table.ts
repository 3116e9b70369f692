/** Prints benchmark rows as an aligned text table (and as Markdown for bench/RESULTS.md). */

/** One of the targets as a suite measured it: our figure beside its peer from the same run. */
export interface Target {
  figure: string;
  ours: string;
  peer: string;
  target: string;
  /** null: reported, no target to meet. */
  met: boolean | null;
  /** When missed: by how much and why, in a sentence. */
  why?: string;
}

/** One table: a title, column names and rows of cells, and the targets it speaks to. */
export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
  targets?: Target[];
}

const cell = (v: string | number): string => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : v);

/** Plain-text rendering for the terminal. */
export function formatTable(t: Table): string {
  const rows = [t.columns, ...t.rows.map((r) => r.map(cell))];
  const widths = t.columns.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]): string => r.map((c, i) => String(c).padStart(widths[i])).join('  ');
  return [t.title, line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line), ...(t.notes ?? [])].join('\n');
}

/** Markdown rendering. */
export function markdownTable(t: Table): string {
  const rows = t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`);
  return [`### ${t.title}`, '', `| ${t.columns.join(' | ')} |`, `| ${t.columns.map(() => '---').join(' | ')} |`, ...rows, '', ...(t.notes ?? []).map((n) => `${n}  `)].join('\n');
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
