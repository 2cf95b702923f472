// Sources: `source docs = files("glob") { chunk 512 overlap 64 }` (documents as text chunks) and
// `source people: Person = table("seed/people.csv")` (typed rows from a CSV, JSONL or Parquet file, each checked
// against the struct when the table is read: runtime/sources/table.ts).
import type * as A from '../../grammar/ast.js';
import { SOURCE_SETTINGS } from '../settings.js';
import { T, show } from '../types.js';
import { constNumber } from './const-eval.js';
import type { CheckContext } from './context.js';
import { checkSettings } from './settings.js';
import { containsImage } from './type-refs.js';

/** The file endings `table(…)` reads, each a format. */
export const TABLE_FORMATS = { '.csv': 'csv', '.jsonl': 'jsonl', '.parquet': 'parquet' } as const;

/** The format of a table path by its ending (case-insensitive), or undefined for another ending. */
export function tableFormat(p: string): 'csv' | 'jsonl' | 'parquet' | undefined {
  const lower = p.toLowerCase();
  for (const [ext, f] of Object.entries(TABLE_FORMATS)) if (lower.endsWith(ext)) return f;
  return undefined;
}

/** Is `d` a table source (`table(…)`), as opposed to documents (`files(…)`)? */
export function isTableDecl(d: A.SourceDecl): boolean {
  return d.init.kind === 'Call' && d.init.callee.name === 'table';
}

/**
 * A source: `files("glob")` or `table("path")` with one string argument (SYN2022). A table needs a struct row
 * type without images (SYN3050, SYN3053) and a path ending in .csv, .jsonl or .parquet (SYN3051), and takes no
 * settings; documents take no row type (SYN3052), and their `overlap` stays below `chunk` (SYN3012).
 */
export function checkSource(d: A.SourceDecl, ctx: CheckContext): void {
  const init = d.init;
  const wellFormed = init.kind === 'Call' && (init.callee.name === 'files' || init.callee.name === 'table') && init.args.length === 1 && init.args[0]!.kind === 'String';
  if (init.kind !== 'Missing' && !wellFormed) ctx.report('SYN2022', init.span);
  if (isTableDecl(d)) {
    checkTable(d, ctx);
    return;
  }
  // only said of `files(…)`: a malformed init already has SYN2022, which names both forms
  if (d.rowType && init.kind === 'Call' && init.callee.name === 'files') ctx.report('SYN3052', d.rowType.span);
  const byKey = checkSettings(ctx, d.settings, SOURCE_SETTINGS, `source ${d.name.name}`);
  const chunk = byKey.get('chunk');
  const overlap = byKey.get('overlap');
  if (chunk && overlap) {
    const c = constNumber(chunk.value);
    const o = constNumber(overlap.value);
    if (c !== undefined && o !== undefined && o >= c) ctx.report('SYN3012', overlap.value.span, { overlap: o, chunk: c });
  }
}

function checkTable(d: A.SourceDecl, ctx: CheckContext): void {
  const arg = d.init.kind === 'Call' ? d.init.args[0] : undefined;
  if (arg?.kind === 'String' && !tableFormat(arg.value)) ctx.report('SYN3051', arg.span, { path: arg.value });
  if (!d.rowType) ctx.report('SYN3050', d.name.span, { name: d.name.name });
  else {
    const t = ctx.typeRefs.get(d.rowType) ?? T.unknown;
    if (t.k !== 'unknown' && (t.k !== 'struct' || containsImage(t, ctx))) ctx.report('SYN3053', d.rowType.span, { what: `table '${d.name.name}'`, type: show(t) });
  }
  // a table has no settings: its columns are its struct's fields
  checkSettings(ctx, d.settings, {}, `table source ${d.name.name}`);
}
