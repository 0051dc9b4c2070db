/** Markdown for the bench's report (pasted into the README as is). */

export function markdownTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string[] {
  const escape = (cell: string | number) => String(cell).replace(/\|/g, '\\|');
  const aligns = headers.map((_, column) => (rows.length > 0 && rows.every((row) => /^[-\d.,×%n/a ]+$/.test(String(row[column] ?? ''))) ? '---:' : '---'));
  return [`| ${headers.map(escape).join(' | ')} |`, `| ${aligns.join(' | ')} |`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)];
}

/** Milliseconds in a table cell: no decimals from 100 ms, one below; "n/a" when nothing was measured. */
export function cellMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** A rate or ratio with three significant digits; "n/a" when not finite. */
export function cellNumber(value: number, suffix = ''): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)}${suffix}`;
}
