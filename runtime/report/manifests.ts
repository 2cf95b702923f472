// The report's view of an output folder: which folder it is, and the manifests in it (runtime/manifest.ts
// writes them), read defensively — a folder may hold a stray, truncated or hand-edited manifest, and every
// problem is a SYN52xx error naming the file, not an exception.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../../base/diagnostics.js';
import type { Sampler } from '../../compiler/plan/schema.js';
import { outputFolderEntries } from '../output-folder.js';
import { fsReason } from './fs-reason.js';
import type { Format } from './row-stream.js';

export interface ReportManifest {
  /** the manifest's own file name, for messages */
  file: string;
  spec: string;
  plan: string;
  dataset: { name: string; seed: number; output: string; format: Format };
  counts: Record<string, number>;
  /** every call paid for, superseded results included (manifests from before it have none) */
  spent?: Record<string, number>;
  tokens: { prompt: number; completion: number };
  cost_usd: number;
  splits: Record<string, number>;
  expects: { text: string; passed: boolean; measured: Record<string, number>; error?: string }[];
  status: string;
  wall_ms: number;
  backend: string | null;
  vary: { name: string; mode: string; sampler: Sampler; kept: boolean }[];
  /** the row type's JSON Schema (manifests from before it was recorded have none) */
  row?: { type?: string; schema?: unknown };
}

/**
 * The manifests of output folder `dir`, sorted by file name. Throws SYN5201 when `dir` is not a folder with
 * manifests (with a hint for a spec file given instead), SYN5202 for a manifest that cannot be read.
 */
export function readManifests(dir: string): ReportManifest[] {
  const files = outputFolderEntries(dir, 'report').filter((f) => f.endsWith('.manifest.json')).sort();
  return files.map((f) => parseManifest(path.join(dir, f)));
}

function parseManifest(file: string): ReportManifest {
  const name = path.basename(file);
  const bad = (reason: string) => synthError('SYN5202', { file: name, reason });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw bad((e as NodeJS.ErrnoException).code ? fsReason(e) : `not JSON (${(e as Error).message})`);
  }
  if (!isRecord(raw) || raw['synth'] !== undefined && raw['synth'] !== 'manifest') throw bad('not a Synth manifest');
  const ds = raw['dataset'];
  if (!isRecord(ds) || typeof ds['name'] !== 'string' || typeof ds['output'] !== 'string') throw bad('no dataset name and output');
  const output = ds['output'];
  // the output sits beside its manifest: a name with a path in it would read some other file
  if (!output || output !== path.basename(output) || output === '..' || output.includes('\\')) throw bad(`dataset output '${output}' is not a file name in this folder`);
  const format = ds['format'] ?? (output.endsWith('.csv') ? 'csv' : output.endsWith('.parquet') ? 'parquet' : 'jsonl');
  if (format !== 'jsonl' && format !== 'csv' && format !== 'parquet') throw bad(`unknown output format '${String(format)}'`);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const numbers = (v: unknown): Record<string, number> =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'number' && Number.isFinite(x))) as Record<string, number> : {};
  const tokens = isRecord(raw['tokens']) ? raw['tokens'] : {};
  const expects = Array.isArray(raw['expects'])
    ? raw['expects'].filter(isRecord).map((e) => ({
        text: String(e['text'] ?? ''),
        passed: e['passed'] === true,
        measured: numbers(e['measured']),
        ...(e['error'] !== undefined ? { error: String(e['error']) } : {}),
      }))
    : [];
  const vary = Array.isArray(raw['vary'])
    ? raw['vary'].filter((v): v is Record<string, unknown> => isRecord(v) && typeof v['name'] === 'string' && isChoiceOrOther(v['sampler'])).map((v) => ({
        name: v['name'] as string,
        mode: String(v['mode'] ?? ''),
        sampler: v['sampler'] as unknown as Sampler,
        kept: v['kept'] === true,
      }))
    : [];
  const row = isRecord(raw['row']) ? raw['row'] : undefined;
  return {
    file: name,
    spec: String(raw['spec'] ?? ''),
    plan: String(raw['plan'] ?? ''),
    dataset: { name: ds['name'], seed: num(ds['seed']), output, format },
    counts: numbers(raw['counts']),
    ...(isRecord(raw['spent']) ? { spent: numbers(raw['spent']) } : {}),
    tokens: { prompt: num(tokens['prompt']), completion: num(tokens['completion']) },
    cost_usd: num(raw['cost_usd']),
    splits: numbers(raw['splits']),
    expects,
    status: String(raw['status'] ?? 'unknown'),
    wall_ms: num(raw['wall_ms']),
    // a name, or (newer manifests) a record of the backend that ran and why: shown as given
    backend: typeof raw['backend'] === 'string' ? raw['backend'] : isRecord(raw['backend']) ? describeRecord(raw['backend']) : null,
    vary,
    ...(row ? { row: { ...(typeof row['type'] === 'string' ? { type: row['type'] } : {}), schema: row['schema'] } } : {}),
  };
}

/** A sampler the report can read: a `choice` with matching value and weight arrays, or any other kind (unused). */
function isChoiceOrOther(s: unknown): boolean {
  if (!isRecord(s) || typeof s['kind'] !== 'string') return false;
  if (s['kind'] !== 'choice') return true;
  const values = s['values'];
  const weights = s['weights'];
  return (
    Array.isArray(values) &&
    Array.isArray(weights) &&
    values.length === weights.length &&
    values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)) &&
    weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0)
  );
}

function describeRecord(r: Record<string, unknown>): string {
  return Object.entries(r)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
