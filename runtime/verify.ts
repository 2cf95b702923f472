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

interface Recorded {
  synth?: string;
  limit?: number | null;
  merge?: { rows?: { count?: number } };
  dataset?: { name?: string; output?: string; format?: Format };
  status?: string;
  target?: number | null;
  counts?: { rows?: number };
  file?: { name?: string; rows?: number; sha256?: string };
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
    const output = path.join(path.dirname(manifest), name);
    const shown = path.relative(process.cwd(), output) || output;
    const bad = <C extends DiagnosticCode>(code: C, args: DiagnosticArgs<C>) => findings.push({ manifest, output, ok: false, code, message: formatMessage(code, args) });
    if (!m.file?.sha256) {
      bad('SYN5025', { file: shown, what: 'sha256', actual: 'unknown', expected: 'nothing (the manifest predates verification: run the spec again)' });
      continue;
    }
    if (!existsSync(output)) {
      bad('SYN5025', { file: shown, what: 'the file', actual: 'missing', expected: `${m.file.rows ?? '?'} rows` });
      continue;
    }
    const now = await describeFile(output, m.dataset.format);
    if (now.sha256 !== m.file.sha256) {
      bad('SYN5025', { file: shown, what: 'sha256', actual: now.sha256, expected: m.file.sha256 });
      continue;
    }
    if (m.file.rows !== undefined && now.rows >= 0 && now.rows !== m.file.rows) {
      bad('SYN5025', { file: shown, what: 'the row count', actual: now.rows, expected: m.file.rows });
      continue;
    }
    // image datasets: every file the index names is there with the bytes its `*_sha256` column records
    const image = await damagedImage(output, m.dataset.format);
    if (image) {
      bad('SYN5025', { file: path.relative(process.cwd(), image.file) || image.file, what: 'sha256', actual: image.actual, expected: `${image.expected} (the ${image.column}_sha256 of row ${image.row} in ${shown})` });
      continue;
    }
    if (m.status === 'limited') {
      bad('SYN5026', { file: shown, status: `limited (--limit ${m.limit ?? '?'})`, rows: m.counts?.rows ?? now.rows, target: m.merge?.rows?.count ?? '?' });
      continue;
    }
    if (m.status === 'failed-expectations') {
      bad('SYN5004', { file: shown });
      continue;
    }
    if (m.status !== 'complete') {
      bad('SYN5026', { file: shown, status: m.status ?? 'unknown', rows: m.counts?.rows ?? now.rows, target: m.target ?? '?' });
      continue;
    }
    findings.push({ manifest, output, ok: true, message: `${shown}: ${now.rows} rows, sha256 ${now.sha256.slice(0, 16)}…, as recorded` });
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
