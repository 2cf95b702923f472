// Two datasets must never write the same file. A dataset writes its output and, beside it, files named after
// the output's path without its extension: `<stem>.manifest.json` and, in shard runs, `<stem>.keys.jsonl`
// (runtime/dataset/paths.ts). So `out/d.jsonl` and `out/d.csv` clash too: they share `out/d.manifest.json`,
// and the second run's manifest would describe the first's rows. Paths are compared as the file system may
// see them: `./out/d.jsonl`, `out//d.jsonl` and `out/D.jsonl` (on macOS and Windows) are one file.
import * as path from 'node:path';
import type * as A from '../../grammar/ast.js';
import type { CheckContext } from './context.js';

/** The files a dataset with output `p` writes, as compared (normalised, lower case). */
export function filesWritten(p: string): string[] {
  const norm = path.posix.normalize(p.replace(/\\/g, '/')).toLowerCase();
  const stem = norm.replace(/\.(jsonl|csv|parquet)$/, '');
  return [norm, `${stem}.manifest.json`, `${stem}.keys.jsonl`];
}

/** The first shared file of two outputs' files, as `b` spells it (undefined when they share none). */
export function sharedFile(a: string, b: string): string | undefined {
  const fa = new Set(filesWritten(a));
  const fb = filesWritten(b);
  const k = fb.findIndex((f) => fa.has(f));
  if (k < 0) return undefined;
  if (k === 0) return b;
  const stem = b.replace(/\.(jsonl|csv|parquet)$/i, '');
  return k === 1 ? `${stem}.manifest.json` : `${stem}.keys.jsonl`;
}

/** Where a dataset's rows go: its `output`, or `out/NAME.jsonl` without one (SYN3009; compiler/plan/lower.ts). */
function outputOf(d: A.DatasetDecl): { path: string; span: A.DatasetDecl['span'] } {
  const c = d.clauses.find((x): x is A.OutputClause => x.kind === 'Output');
  return c ? { path: c.path.value, span: c.path.span } : { path: `out/${d.name.name}.jsonl`, span: d.name.span };
}

/**
 * SYN3070 at dataset `d`'s output (its name when it has none) when a dataset declared before it writes one of
 * the same files. Earlier datasets are looked up by name, so an incremental check re-checks this one when one
 * of them changes.
 */
export function checkOutputShared(d: A.DatasetDecl, ctx: CheckContext): void {
  const mine = outputOf(d);
  for (const other of ctx.symbols.ofKind('Dataset')) {
    if (other.decl === d) return; // only datasets declared before this one
    const info = ctx.symbols.get(other.name);
    if (!info || info.decl.kind !== 'Dataset') continue;
    const theirs = outputOf(info.decl);
    const file = sharedFile(theirs.path, mine.path);
    if (file === undefined) continue;
    ctx.report('SYN3070', mine.span, { path: mine.path, name: d.name.name, first: other.name, other: theirs.path, file }, {
      related: [{ file: info.file, span: theirs.span, message: `dataset ${other.name}'s output` }],
    });
    return;
  }
}
