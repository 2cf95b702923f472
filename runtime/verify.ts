// `synth verify DIR`: checks every output in a folder against its manifest — the file exists, its sha256 and
// row count are the ones the run recorded, and the run that wrote it ended complete — so a dataset copied,
// uploaded or left on a shared disk can be trusted (or not) without re-running anything.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatMessage, type DiagnosticArgs, type DiagnosticCode } from '../base/diagnostics.js';
import { describeFile, type Format } from './dataset/output-file.js';
import { readRows } from './dataset/read-rows.js';
import { createHash } from 'node:crypto';

export interface VerifyFinding {
  manifest: string;
  output: string;
  ok: boolean;
  /** for a finding that is not ok: its code and message */
  code?: DiagnosticCode;
  message: string;
}

interface RecordedFile {
  name?: string;
  rows?: number;
  sha256?: string;
  /** absent in manifests written before datasets wrote several files */
  format?: Format | 'markdown';
  role?: 'rows' | 'chat' | 'card';
}

interface Recorded {
  synth?: string;
  limit?: number | null;
  merge?: { rows?: { count?: number } };
  dataset?: { name?: string; output?: string; format?: Format | 'hf' };
  status?: string;
  target?: number | null;
  counts?: { rows?: number };
  file?: RecordedFile;
  /** every file the dataset wrote (split files, chat files, an hf folder's shards and card) */
  files?: RecordedFile[];
}

/** Every `*.manifest.json` directly in `dir` (and in its subfolders), each checked against its output. */
export async function verifyOutputs(dir: string): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  for (const manifest of manifestsUnder(dir)) {
    const shownManifest = path.relative(process.cwd(), manifest) || manifest;
    const unreadable = (reason: string) => findings.push({ manifest, output: manifest, ok: false, code: 'SYN5029', message: formatMessage('SYN5029', { file: shownManifest, reason }) });
    // a damaged manifest is a finding, never skipped: its output can no longer be vouched for
    let m: Recorded;
    try {
      m = JSON.parse(readFileSync(manifest, 'utf8')) as Recorded;
    } catch (e) {
      unreadable(e instanceof SyntaxError ? 'not JSON' : (e as Error).message);
      continue;
    }
    const name = m?.file?.name ?? m?.dataset?.output;
    if (!m || typeof m !== 'object' || m.synth !== 'manifest' || typeof name !== 'string' || !m.dataset?.format) {
      unreadable('it lacks the fields synth writes');
      continue;
    }
    const files: RecordedFile[] = m.files?.length ? m.files : [{ ...m.file, name, format: m.dataset.format === 'hf' ? 'parquet' : m.dataset.format, role: 'rows' }];
    const output = path.join(path.dirname(manifest), name);
    let ok = true;
    let rows = 0;
    for (const f of files) {
      const file = path.join(path.dirname(manifest), f.name ?? '');
      const shown = path.relative(process.cwd(), file) || file;
      const bad = <C extends DiagnosticCode>(code: C, args: DiagnosticArgs<C>) => {
        ok = false;
        findings.push({ manifest, output: file, ok: false, code, message: formatMessage(code, args) });
      };
      if (!f.sha256 || !f.name) {
        bad('SYN5025', { file: shown, what: 'sha256', actual: 'unknown', expected: 'nothing (the manifest predates verification: run the spec again)' });
        break;
      }
      if (!existsSync(file)) {
        bad('SYN5025', { file: shown, what: 'the file', actual: 'missing', expected: `${f.rows ?? '?'} rows` });
        continue;
      }
      const format: Format = f.format === 'parquet' || f.format === 'csv' ? f.format : 'jsonl';
      const now = await describeFile(file, format);
      if (now.sha256 !== f.sha256) {
        bad('SYN5025', { file: shown, what: 'sha256', actual: now.sha256, expected: f.sha256 });
        continue;
      }
      if (f.format !== 'markdown' && f.rows !== undefined && now.rows >= 0 && now.rows !== f.rows) {
        bad('SYN5025', { file: shown, what: 'the row count', actual: now.rows, expected: f.rows });
        continue;
      }
      if ((f.role ?? 'rows') === 'rows') rows += now.rows;
    }
    if (!ok) continue;
    const shown = path.relative(process.cwd(), output) || output;
    const bad = <C extends DiagnosticCode>(code: C, args: DiagnosticArgs<C>) => findings.push({ manifest, output, ok: false, code, message: formatMessage(code, args) });
    // image datasets: every file the index names is there with the bytes its `*_sha256` column records
    let damaged = false;
    for (const f of files) {
      if ((f.role ?? 'rows') !== 'rows' || (f.format !== 'jsonl' && f.format !== 'csv' && f.format !== 'parquet')) continue;
      const file = path.join(path.dirname(manifest), f.name ?? '');
      const image = await damagedImage(file, f.format);
      if (image) {
        bad('SYN5025', { file: path.relative(process.cwd(), image.file) || image.file, what: 'sha256', actual: image.actual, expected: `${image.expected} (the ${image.column}_sha256 of row ${image.row} in ${path.relative(process.cwd(), file) || file})` });
        damaged = true;
        break;
      }
    }
    if (damaged) continue;
    if (m.status === 'limited') {
      bad('SYN5026', { file: shown, status: `limited (--limit ${m.limit ?? '?'})`, rows: m.counts?.rows ?? rows, target: m.merge?.rows?.count ?? '?' });
      continue;
    }
    if (m.status === 'failed-expectations') {
      bad('SYN5004', { file: shown });
      continue;
    }
    if (m.status !== 'complete') {
      bad('SYN5026', { file: shown, status: m.status ?? 'unknown', rows: m.counts?.rows ?? rows, target: m.target ?? '?' });
      continue;
    }
    const head = files.length === 1 ? `${shown}: ${rows} rows, sha256 ${files[0]!.sha256!.slice(0, 16)}…` : `${path.relative(process.cwd(), manifest) || manifest}: dataset ${m.dataset.name ?? '?'}, ${rows} rows in ${files.length} files`;
    findings.push({ manifest, output, ok: true, message: `${head}, as recorded` });
  }
  return findings;
}

/**
 * The first image file named by the index `output` that is missing or whose bytes do not hash to its row's
 * `<column>_sha256` (images/rows.ts: an image column holds the file's path relative to the output's folder);
 * undefined when all are intact or the output has no image columns.
 */
async function damagedImage(output: string, format: Format): Promise<{ file: string; column: string; row: number; expected: string; actual: string } | undefined> {
  const rows = await readRows(output, format);
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    for (const [column, v] of Object.entries(row)) {
      const sha = row[`${column}_sha256`];
      if (typeof v !== 'string' || typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) continue;
      const file = path.resolve(path.dirname(output), v);
      if (seen.has(file)) continue;
      seen.add(file);
      let actual: string;
      try {
        actual = createHash('sha256').update(readFileSync(file)).digest('hex');
      } catch {
        actual = 'missing';
      }
      if (actual !== sha) return { file, column, row: i + 1, expected: sha, actual };
    }
  }
  return undefined;
}

function manifestsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules' && e.name !== 'images') out.push(...manifestsUnder(p));
    else if (e.isFile() && e.name.endsWith('.manifest.json')) out.push(p);
  }
  return out.sort();
}
