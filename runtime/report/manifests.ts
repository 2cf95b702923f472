// The report's view of an output folder: which folder it is, and the manifests in it (runtime/manifest.ts
// writes them), read defensively — a folder may hold a stray, truncated or hand-edited manifest, and every
// problem is a SYN52xx error naming the file, not an exception.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../../base/diagnostics.js';
import type { Sampler } from '../../compiler/plan/schema.js';
import { HF_MANIFEST } from '../dataset/hf.js';
import { outputFolderEntries } from '../output-folder.js';
import { fsReason } from './fs-reason.js';
import type { Format } from './row-stream.js';

/** A row file of a dataset, with what the run recorded about it (absent in manifests from before it was). */
export interface ReportFile {
  name: string;
  format: Format;
  split?: string;
  /** the file's sha256 and row count when the run wrote it: the report says when the file no longer matches */
  sha256?: string;
  rows?: number;
}

/** A file a dataset wrote beside its rows (a chat file, a dataset card): checked against its sha256, not read. */
export interface OtherFile {
  name: string;
  sha256?: string;
}

export interface ReportManifest {
  /** the manifest's own file name, for messages */
  file: string;
  spec: string;
  plan: string;
  /** `output`: the manifest's output (inside an hf folder, relative to the report's folder); `files`: every
   *  row file, one per split for `{split}` outputs and hf folders (the report reads them all) */
  dataset: { name: string; seed: number; output: string; format: Format; files: ReportFile[]; others: OtherFile[] };
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
  // a Hugging Face folder (`format hf`) keeps its manifest inside it: `dir` may be that folder, or hold it
  const entries = outputFolderEntries(dir, 'report', false);
  const files = entries.filter((f) => f.endsWith('.manifest.json'));
  for (const e of entries) if (!files.includes(e) && isHfFolder(path.join(dir, e))) files.push(`${e}/${HF_MANIFEST}`);
  if (files.length === 0) outputFolderEntries(dir, 'report'); // throws SYN5201 with its hints
  return files.sort().map((f) => parseManifest(dir, f));
}

function isHfFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory() && statSync(path.join(p, HF_MANIFEST)).isFile();
  } catch {
    return false;
  }
}

/** The row files a manifest lists (`files[]` with role `rows`: one per split, or an hf folder's Parquet shards),
 *  relative to the manifest's folder; undefined for manifests from before `files` was recorded. */
function rowFiles(raw: Record<string, unknown>): Array<{ name: string; format: unknown; split?: string; sha256?: string; rows?: number }> | undefined {
  const files = raw['files'];
  if (!Array.isArray(files)) return undefined;
  const rows = files.filter((f): f is Record<string, unknown> => isRecord(f) && f['role'] === 'rows' && typeof f['name'] === 'string');
  return rows.length ? rows.map((f) => ({ name: f['name'] as string, format: f['format'], ...(typeof f['split'] === 'string' ? { split: f['split'] } : {}), ...recorded(f) })) : undefined;
}

/** The files besides rows a manifest lists (chat files, an hf card), inside its folder, with their sha256. */
function otherFiles(raw: Record<string, unknown>, sub: string): OtherFile[] {
  const files = raw['files'];
  if (!Array.isArray(files)) return [];
  return files
    .filter((f): f is Record<string, unknown> => isRecord(f) && typeof f['role'] === 'string' && f['role'] !== 'rows' && typeof f['name'] === 'string' && insideName(f['name']))
    .map((f) => {
      const { sha256 } = recorded(f);
      return { name: sub + (f['name'] as string), ...(sha256 !== undefined ? { sha256 } : {}) };
    });
}

/** The sha256 and row count a manifest's file entry records, where it has them. */
function recorded(f: unknown): { sha256?: string; rows?: number } {
  if (!isRecord(f)) return {};
  const sha = f['sha256'];
  const rows = f['rows'];
  return { ...(typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha) ? { sha256: sha } : {}), ...(typeof rows === 'number' && Number.isInteger(rows) && rows >= 0 ? { rows } : {}) };
}

/** A name inside the manifest's folder: relative, with `/`, never `..` (a hand-edited manifest must not read
 *  some other file). */
function insideName(n: string): boolean {
  return n !== '' && !n.includes('\\') && !path.posix.isAbsolute(n) && !path.isAbsolute(n) && n.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function parseManifest(dir: string, rel: string): ReportManifest {
  const file = path.join(dir, rel);
  const sub = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel) + '/';
  const name = rel;
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
  const formatOf = (f: string, given: unknown) => given ?? (f.endsWith('.csv') ? 'csv' : f.endsWith('.parquet') ? 'parquet' : 'jsonl');
  // every row file sits in the manifest's folder (an hf folder's under data/): a name leaving it would read
  // some other file
  const listed = rowFiles(raw) ?? [{ name: output, format: ds['format'], ...recorded(raw['file']) }];
  const files: ReportManifest['dataset']['files'] = [];
  for (const f of listed) {
    if (!insideName(f.name) || (ds['format'] !== 'hf' && f.name !== path.basename(f.name))) throw bad(`dataset output '${f.name}' is not a file name in this folder`);
    const format = formatOf(f.name, f.format === 'markdown' ? undefined : f.format);
    if (format !== 'jsonl' && format !== 'csv' && format !== 'parquet') throw bad(`unknown output format '${String(format)}'`);
    files.push({ name: sub + f.name, format, ...(f.split !== undefined ? { split: f.split } : {}), ...(f.sha256 !== undefined ? { sha256: f.sha256 } : {}), ...(f.rows !== undefined ? { rows: f.rows } : {}) });
  }
  const format = files[0]!.format;
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
    dataset: { name: ds['name'], seed: num(ds['seed']), output: sub + output, format, files, others: otherFiles(raw, sub) },
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
