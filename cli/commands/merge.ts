// `synth merge DIR... -o OUT`: recombine shard outputs (from `synth run --shard i/n`).
import * as path from 'node:path';
import { mergeShards } from '../../runtime/merge.js';
import { outputFolderEntries } from '../../runtime/output-folder.js';
import { requireWritableFolder } from '../paths.js';
import { writeLine } from '../render.js';

/**
 * Merges the shard outputs found in `dirs` (runtime/merge.ts) into `opts.out` (default `merged/`), one line per
 * dataset on stderr. Resolves with 0; a SynthError rejects: SYN5201 (a folder that is not an output folder),
 * SYN4107 (`-o` names a file), SYN4112 (`-o` cannot be written), SYN5006 (mismatched or incomplete shards).
 */
export async function runMerge(dirs: string[], opts: { out?: string }): Promise<number> {
  for (const d of dirs) outputFolderEntries(d, 'merge');
  requireWritableFolder(opts.out ?? 'merged', '-o');
  const out = path.resolve(opts.out ?? 'merged');
  for (const r of await mergeShards(dirs, out)) {
    writeLine(`${r.dataset}: ${r.rows} rows → ${path.relative(process.cwd(), r.output)}${r.duplicatesAcrossShards ? ` (${r.duplicatesAcrossShards} duplicates across shards removed)` : ''}`);
  }
  return 0;
}
