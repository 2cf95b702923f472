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
 * so an edit remakes only the rows it affects. The output is named by its path relative to the project folder
 * (with `/`), so a project moved or copied elsewhere keeps its journals; an output outside the project (`--out`)
 * by its absolute path.
 */
export function journalPath(projectRoot: string, dataset: string, output: string, shard?: { index: number; count: number }): string {
  const rel = path.relative(path.resolve(projectRoot), path.resolve(output));
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  const id = hashString(inside ? 'project:' + rel.split(path.sep).join('/') : path.resolve(output)).toString(36);
  return journalFile(projectRoot, dataset, id, shard);
}

/** Where journals were before they were keyed relative to the project (by the output's absolute path): a run
 *  finding one there and none at `journalPath` moves it over, so upgrading loses no rows. */
export function legacyJournalPath(projectRoot: string, dataset: string, output: string, shard?: { index: number; count: number }): string {
  return journalFile(projectRoot, dataset, hashString(path.resolve(output)).toString(36), shard);
}

function journalFile(projectRoot: string, dataset: string, id: string, shard: { index: number; count: number } | undefined): string {
  return path.join(projectRoot, '.synth', 'journal', `${dataset}-${id}${shard ? `-shard${shard.index}of${shard.count}` : ''}.v2.jsonl`);
}
