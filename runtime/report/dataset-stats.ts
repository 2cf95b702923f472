// Everything the report shows about one dataset, gathered in a single streaming pass over its output: per-column
// statistics, a seeded sample of rows, simulation trajectories, image groups, and declared-vs-realised `vary`
// distributions. Memory is bounded by the number of columns (at most MAX_COLUMNS), never by the number of rows.
import { createReadStream, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { synthError } from '../../base/diagnostics.js';
import { ColumnStats, type ColumnSummary } from './column-stats.js';
import { declaredColumns } from './declared-columns.js';
import { ImageGroups, type ImageGroupSummary } from './image-groups.js';
import type { ReportManifest } from './manifests.js';
import type { Bin } from './numeric-counts.js';
import { rowPriority, RowSample } from './row-sample.js';
import { streamRows, type Row } from './row-stream.js';
import { TrajectoryStats, type TrajectoryLines } from './trajectories.js';
import { varyDistance, type VaryDistance } from './vary-distance.js';

/** Columns summarised per dataset; later columns are counted in `columnsLeftOut`. */
export const MAX_COLUMNS = 200;
/** Rows in the random sample shown. */
export const SAMPLE_ROWS = 20;
/** About this many rows (a seeded sample) feed the text-diversity statistic, whatever the dataset's size. */
export const TEXT_SAMPLE_ROWS = 100_000;

export interface DatasetReport {
  manifest: ReportManifest;
  rows: number;
  columns: ColumnSummary[];
  columnsLeftOut: number;
  /** a seeded uniform sample of rows, in file order, with their 0-based index */
  sample: { index: number; item: Row }[];
  /** rows that fed the text-diversity statistic */
  textSampleRows: number;
  trajectories: TrajectoryLines[];
  /** simulation events per step (all worlds), when the rows are events rather than observations */
  events: Bin[] | undefined;
  images: ImageGroupSummary | undefined;
  vary: { name: string; tv: VaryDistance }[];
  notes: string[];
  /** how the files differ from what the manifest recorded (sha256, rows), one line each; empty when they match */
  changed: string[];
  /** row files the manifest records no sha256 for (they cannot be checked against the run), one line each */
  unverified: string[];
}

/** Reads `manifest`'s output in folder `dir` once and summarises it. Throws SYN5203 if it cannot be read. */
export async function gatherDataset(dir: string, manifest: ReportManifest): Promise<DatasetReport> {
  const name = manifest.dataset.name;
  // every row file: one per split (`{split}`, hf folders), else the one output
  for (const f of manifest.dataset.files) {
    if (!existsSync(path.join(dir, f.name))) throw synthError('SYN5203', { dataset: name, file: f.name, line: '1', reason: 'the file is missing (moved or deleted after the run?)' });
  }
  const declared = declaredColumns(manifest.row?.schema);
  const seed = manifest.dataset.seed;
  const expected = manifest.counts['rows'] ?? manifest.counts['written'] ?? 0;
  const textRate = expected > TEXT_SAMPLE_ROWS ? TEXT_SAMPLE_ROWS / expected : 1;

  const columns = new Map<string, ColumnStats>();
  const leftOut = new Set<string>();
  const sample = new RowSample<Row>(SAMPLE_ROWS, seed);
  const trajectories = new TrajectoryStats();
  const images = new ImageGroups();
  const notes: string[] = [];
  let rows = 0;
  let textSampleRows = 0;

  const changed: string[] = [];
  const unverified: string[] = [];
  for (const f of manifest.dataset.files) {
  if (f.sha256 === undefined) unverified.push(noSha256(f.name));
  // the bytes are hashed beside the parse: a file edited after the run must not be shown as the run's output
  const hash = f.sha256 !== undefined ? fileSha256(path.join(dir, f.name)) : undefined;
  const rowsBefore = rows;
  for await (const batch of streamRows(path.join(dir, f.name), f.format, { dataset: name, declared, onNote: (n) => notes.push(n) })) {
    for (const row of batch) {
      // a file of one split holds no `split` column: the report shows which split each row is from
      if (f.split !== undefined && !('split' in row)) row['split'] = f.split;
      const inText = textRate >= 1 || rowPriority(seed, rows) < textRate;
      if (inText) textSampleRows++;
      for (const k in row) {
        const v = row[k];
        if (v === null || v === undefined) continue;
        let c = columns.get(k);
        if (!c) {
          if (columns.size >= MAX_COLUMNS) {
            if (leftOut.size < 10_000) leftOut.add(k);
            continue;
          }
          columns.set(k, (c = new ColumnStats(k)));
        }
        c.add(v, inText);
      }
      // a kept row is copied: its strings may be views into the chunk it was read from (see detached())
      sample.offer(rows, () => structuredClone(row));
      trajectories.add(row);
      images.add(row);
      rows++;
    }
  }
  const sha = await hash;
  if (sha !== undefined && sha !== f.sha256) changed.push(`${f.name} is not the file the run wrote: its sha256 is ${sha.slice(0, 12)}…, the manifest records ${f.sha256!.slice(0, 12)}…`);
  if (f.rows !== undefined && rows - rowsBefore !== f.rows) changed.push(`${f.name} has ${rows - rowsBefore} readable rows; the manifest records ${f.rows}`);
  }
  // the files written beside the rows (chat files, a card) are the run's output too
  for (const f of manifest.dataset.others) {
    const file = path.join(dir, f.name);
    if (!existsSync(file)) changed.push(`${f.name}, which the run wrote, is missing`);
    else if (f.sha256 === undefined) unverified.push(noSha256(f.name));
    else if ((await fileSha256(file)) !== f.sha256) changed.push(`${f.name} is not the file the run wrote (its sha256 differs from the manifest's)`);
  }
  // the count the summary shows is the manifest's: it must be the rows that are there
  const written = manifest.counts['written'] ?? manifest.counts['rows'];
  if (written !== undefined && written !== rows) changed.push(`the manifest says the run wrote ${written} rows, but its files hold ${rows}`);
  // first among the notes: what follows describes these files, not the run's
  notes.unshift(
    ...changed.map((c) => `${c} — the output changed after the run, so the statistics below describe it as it is now (\`synth verify\` checks every output)`),
    ...unverified,
  );

  const choices = new Map(manifest.vary.filter((v) => v.sampler.kind === 'choice').map((v) => [v.name, v.sampler.kind === 'choice' ? v.sampler.values.map(String) : []]));
  const summaries = [...columns.values()].map((c) => c.summary(rows, declared.get(c.name), choices.get(c.name)));
  // declared columns that never had a value still get a line (all missing)
  for (const [name2, d] of declared) if (!columns.has(name2) && columns.size + leftOut.size < MAX_COLUMNS) summaries.push(new ColumnStats(name2).summary(rows, d, undefined));

  const vary: DatasetReport['vary'] = [];
  for (const v of manifest.vary) {
    if (!v.kept) continue;
    const tv = varyDistance(v.sampler, columns.get(v.name)?.valueCounts());
    if (tv) vary.push({ name: v.name, tv });
  }

  const lines = trajectories.lines();
  const isGrid = lines.length > 0 && isObservationGrid(columns, rows);
  let events: Bin[] | undefined;
  if (trajectories.active && rows > 0 && !isGrid) events = columns.get('step')?.numeric()?.bins({ maxBins: 40 });

  return {
    manifest,
    rows,
    columns: summaries,
    columnsLeftOut: leftOut.size,
    sample: sample.rows(),
    textSampleRows,
    trajectories: isGrid ? lines : [],
    events,
    images: images.summary(),
    vary,
    notes,
    changed,
    unverified,
  };
}

/** The note for a file the manifest records no sha256 for. */
function noSha256(name: string): string {
  return `the manifest records no sha256 for ${name}, so it cannot be checked against the run (\`synth verify\` says the same)`;
}

/** The sha256 (hex) of a file's bytes, streamed. */
async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Observations (`observe every k`) have one row per (world, agent, observed step); events have rows at
 * arbitrary steps. The rows are observations when their count is the product of the distinct worlds, agents
 * and steps (exactly counted), or — with too many worlds to count exactly — a multiple of the steps.
 */
function isObservationGrid(columns: Map<string, ColumnStats>, rows: number): boolean {
  const d = (k: string) => columns.get(k)?.numeric()?.distinct;
  const steps = d('step');
  if (steps === undefined) return false;
  const worlds = d('world');
  const agents = d('agent');
  if (worlds !== undefined && agents !== undefined) return worlds * agents * steps === rows;
  return rows % steps === 0;
}
