// Where a dataset's files live, in one place: the output, the temp file it is built in, its manifest, its shard
// keys, and its journal under `.synth/journal/`.
import * as path from 'node:path';
import { hashString } from '../../compiler/plan/random.js';

/** The manifest beside an output: `out/d.jsonl` → `out/d.manifest.json`. */
export function manifestPath(output: string): string {
  return output.replace(/\.(jsonl|csv|parquet)$/, '') + '.manifest.json';
}

/** The shard keys beside a shard's output (what `synth merge` needs): `out/d.keys.jsonl`. */
export function shardKeysPath(output: string): string {
  return output.replace(/\.(jsonl|csv|parquet)$/, '') + '.keys.jsonl';
}

/** The file an output is built in during a run, renamed over the output when the run ends. */
export function buildingPath(output: string): string {
  return output + '.tmp';
}

/**
 * One journal per (dataset, output file, shard): a different `--out` or shard is a different set of rows. The
 * dataset's definition is *not* part of the name: every journaled row records what made it (provenance.ts),
 * so an edit remakes only the rows it affects.
 */
export function journalPath(projectRoot: string, dataset: string, output: string, shard?: { index: number; count: number }): string {
  const id = hashString(path.resolve(output)).toString(36);
  return path.join(projectRoot, '.synth', 'journal', `${dataset}-${id}${shard ? `-shard${shard.index}of${shard.count}` : ''}.v2.jsonl`);
}
