// A Hugging Face dataset folder (`output "out/hf" format hf`), laid out as the Hub documents it
// (https://huggingface.co/docs/hub/datasets-manual-configuration, …/datasets-cards):
//   data/{split}-00000-of-0000N.parquet   the rows of each split, in Parquet shards of at most ROWS_PER_SHARD
//   chat/{split}.jsonl                    with `format chat`: the conversations, OpenAI's fine-tuning format
//   README.md                             the dataset card: YAML (configs → data files per split, dataset_info →
//                                         features and splits with row counts), then the spec's goal, the
//                                         plan hash and how to load it
// `datasets.load_dataset("parquet", data_files=…)`, `load_dataset("out/hf")` and the Hub viewer read it as it is.
//
// Columns are typed from the row type's JSON Schema, nested types included (lists → Parquet LIST, records →
// groups), so a `message[]` column loads as a list of {role, content, …}, not as JSON text; the card's
// `features` describe the same types. Columns outside the row type (kept variables, judge scores) are typed from
// their values. The card's counts are the rows written to each split's files.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { escapeUnsafe } from '../../base/unsafe-text.js';
import type { DatasetStage, Plan } from '../../compiler/plan/schema.js';
import { writeError, writeFileAtomic, type WriteFaults } from './file-io.js';
import type { OutputSummary } from './output-file.js';

/** The dataset card's file name, and the manifest's inside the folder. */
export const HF_CARD = 'README.md';
export const HF_MANIFEST = 'synth.manifest.json';

/** Rows per Parquet file: the Hub's viewer and `datasets` read shards of a few hundred MB comfortably.
 *  `SYNTH_HF_SHARD_ROWS` overrides it (for rows of unusual size, and tests). */
export const ROWS_PER_SHARD = 250_000;

function rowsPerShard(): number {
  const n = Number(process.env['SYNTH_HF_SHARD_ROWS']);
  return Number.isSafeInteger(n) && n > 0 ? n : ROWS_PER_SHARD;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Schema = Record<string, unknown>;

/** A column's type, as both Parquet and the card's `features` need it. */
type ColType =
  | { t: 'string' | 'int64' | 'float64' | 'bool' }
  /** anything without a fixed type: written as JSON text */
  | { t: 'json' }
  | { t: 'list'; of: ColType }
  | { t: 'struct'; fields: Array<[string, ColType]> };

/** The column type of a JSON Schema (the row type's, as lower.ts writes it). */
export function colType(s: unknown): ColType {
  if (!s || typeof s !== 'object') return { t: 'json' };
  const sc = s as Schema;
  if (Array.isArray(sc['anyOf'])) {
    const inner = (sc['anyOf'] as Schema[]).filter((x) => x['type'] !== 'null');
    return inner.length === 1 ? colType(inner[0]) : { t: 'json' };
  }
  let type = sc['type'];
  if (Array.isArray(type)) {
    const rest = type.filter((x) => x !== 'null');
    type = rest.length === 1 ? rest[0] : undefined;
  }
  switch (type) {
    case 'string':
      return { t: 'string' };
    case 'integer':
      return { t: 'int64' };
    case 'number':
      return { t: 'float64' };
    case 'boolean':
      return { t: 'bool' };
    case 'array':
      return { t: 'list', of: colType(sc['items']) };
    case 'object': {
      const props = sc['properties'] as Record<string, unknown> | undefined;
      if (!props || !Object.keys(props).length) return { t: 'json' };
      return { t: 'struct', fields: Object.entries(props).map(([k, v]) => [k, colType(v)]) };
    }
  }
  return { t: 'json' };
}

/** The type of a column outside the row type, from its values: one primitive type, else JSON text. */
function inferredType(values: Json[]): ColType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length && present.every((v) => typeof v === 'string')) return { t: 'string' };
  if (present.length && present.every((v) => typeof v === 'boolean')) return { t: 'bool' };
  if (present.length && present.every((v) => typeof v === 'number')) return { t: present.every((v) => Number.isSafeInteger(v)) ? 'int64' : 'float64' };
  return present.length ? { t: 'json' } : { t: 'string' };
}

/** The columns of a dataset's rows, in order: the row type's fields, then the other keys the rows hold. */
function columnsOf(ds: DatasetStage, rows: Array<Record<string, Json>>): Array<[string, ColType]> {
  const row = colType(ds.rowType.schema);
  const cols: Array<[string, ColType]> = row.t === 'struct' ? [...row.fields] : [];
  const known = new Set(cols.map(([k]) => k));
  const extra: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!known.has(k) && !extra.includes(k)) extra.push(k);
  for (const k of extra) cols.push([k, k === 'value' && row.t !== 'struct' ? row : inferredType(rows.map((r) => r[k] ?? null))]);
  return cols;
}

/** Parquet schema elements of one column (all OPTIONAL: a value may be null). */
function parquetElements(name: string, t: ColType): Array<Record<string, unknown>> {
  switch (t.t) {
    case 'string':
    case 'json':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }];
    case 'int64':
      return [{ name, type: 'INT64', repetition_type: 'OPTIONAL' }];
    case 'float64':
      return [{ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }];
    case 'bool':
      return [{ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' }];
    case 'list':
      return [
        { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        ...parquetElements('element', t.of),
      ];
    case 'struct':
      return [{ name, repetition_type: 'OPTIONAL', num_children: t.fields.length }, ...t.fields.flatMap(([k, f]) => parquetElements(k, f))];
  }
}

/** A value as its column's Parquet writer takes it: int64 as BigInt, JSON columns as text, nested alike. */
function conform(v: Json | undefined, t: ColType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.t) {
    case 'json':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'string':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'int64':
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : null;
    case 'float64':
      return typeof v === 'number' ? v : null;
    case 'bool':
      return typeof v === 'boolean' ? v : null;
    case 'list':
      return Array.isArray(v) ? v.map((x) => conform(x, t.of)) : null;
    case 'struct': {
      if (typeof v !== 'object' || Array.isArray(v)) return null;
      const o: Record<string, unknown> = {};
      for (const [k, f] of t.fields) o[k] = conform(v[k], f);
      return o;
    }
  }
}

/** The card's `features` entry of one column (the `datasets` library's YAML form). */
function featureYaml(name: string, t: ColType, indent: string): string[] {
  const head = `${indent}- name: ${yamlString(name)}`;
  switch (t.t) {
    case 'string':
    case 'json':
      return [head, `${indent}  dtype: string`];
    case 'int64':
      return [head, `${indent}  dtype: int64`];
    case 'float64':
      return [head, `${indent}  dtype: float64`];
    case 'bool':
      return [head, `${indent}  dtype: bool`];
    case 'list':
      if (t.of.t === 'struct') return [head, `${indent}  list:`, ...t.of.fields.flatMap(([k, f]) => featureYaml(k, f, indent + '  '))];
      if (t.of.t === 'list') return [head, `${indent}  sequence:`, `${indent}    sequence: ${dtypeOf(t.of.of)}`];
      return [head, `${indent}  sequence: ${dtypeOf(t.of)}`];
    case 'struct':
      return [head, `${indent}  struct:`, ...t.fields.flatMap(([k, f]) => featureYaml(k, f, indent + '  '))];
  }
}

function dtypeOf(t: ColType): string {
  return t.t === 'int64' ? 'int64' : t.t === 'float64' ? 'float64' : t.t === 'bool' ? 'bool' : 'string';
}

/** A YAML scalar that is always read back as this exact string: JSON's double-quoted form is valid YAML. */
function yamlString(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !['true', 'false', 'null', 'yes', 'no', 'on', 'off'].includes(s.toLowerCase()) ? s : JSON.stringify(s);
}

/** A Markdown code span showing `s` (a backtick in it would end the span). */
function code(s: string): string {
  return '`' + escapeUnsafe(s.replace(/[`\r\n]/g, ' ')) + '`';
}

/** Markdown text that shows as written: no HTML, no link or emphasis syntax from a spec's goal. */
function markdownText(s: string): string {
  // controls (a NUL makes tools call the file binary) and bidi overrides shown as visible \uXXXX escapes
  return escapeUnsafe(s, '\r\n').replace(/[\\`*_{}[\]()#+!<>|~-]/g, (c) => `\\${c}`).replace(/\r?\n/g, '  \n');
}

export interface HfFolderInput {
  folder: string;
  ds: DatasetStage;
  plan: Plan;
  /** per split (declaration order): the JSONL the run staged its rows in */
  staged: Array<{ split: string; jsonl: string }>;
  /** the folder has chat files (chat/{split}.jsonl): the card declares a `chat` config */
  chats: boolean;
  faults?: WriteFaults | undefined;
  /** the rows the spec asks for (`count`, when known) and the run's `--limit` below it: the card says when the
   *  folder holds fewer */
  expected?: { asked?: number | undefined; limit?: number | undefined };
}

/**
 * Writes the Parquet shards and the card of an hf folder from the staged rows; removes shards of earlier runs
 * that this one did not write. Returns each Parquet file and the card, as written (sha256, bytes, rows).
 * Throws SYN5023 for a write that fails.
 */
export async function writeHfFolder(o: HfFolderInput): Promise<{ files: Array<OutputSummary & { split: string }>; card: OutputSummary }> {
  const dataDir = path.join(o.folder, 'data');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw writeError(dataDir, e);
  }
  const perSplit = o.staged.map(({ split, jsonl }) => ({
    split,
    rows: readFileSync(jsonl, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const r = JSON.parse(l) as Record<string, Json>;
        delete r['split']; // the file says the split
        return r;
      }),
  }));
  const columns = columnsOf(o.ds, perSplit.flatMap((s) => s.rows));
  const schema = [{ name: 'root', num_children: columns.length }, ...columns.flatMap(([k, t]) => parquetElements(k, t))];
  const files: Array<OutputSummary & { split: string }> = [];
  const written = new Set<string>();
  const per = rowsPerShard();
  for (const { split, rows } of perSplit) {
    const shards = Math.max(1, Math.ceil(rows.length / per));
    for (let i = 0; i < shards; i++) {
      const part = rows.slice(i * per, (i + 1) * per);
      const name = `${split}-${String(i).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.parquet`;
      const buf = Buffer.from(
        parquetWriteBuffer({
          schema,
          columnData: columns.map(([k, t]) => ({ name: k, data: part.map((r) => conform(r[k], t)) })),
        } as unknown as Parameters<typeof parquetWriteBuffer>[0]),
      );
      const file = path.join(dataDir, name);
      writeFileAtomic(file, buf, o.faults);
      written.add(name);
      files.push({ file, rows: part.length, bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex'), split });
    }
  }
  // shards of an earlier run with other counts or splits would be read as part of the dataset; only files Synth
  // wrote go: a shard of one of this run's splits, or one the last manifest lists (a split since renamed).
  // A file of the user's own there stays.
  const earlier = shardsListed(o.folder);
  const ours = (n: string) => earlier.has(n) || perSplit.some(({ split }) => n.startsWith(`${split}-`) && SHARD_NAME.test(n.slice(split.length + 1)));
  for (const n of readdirSync(dataDir)) if (!written.has(n) && ours(n)) rmSync(path.join(dataDir, n), { force: true });
  const card = cardText(o, columns, perSplit.map((s) => ({ split: s.split, rows: s.rows.length })));
  const cardFile = path.join(o.folder, HF_CARD);
  const bytes = Buffer.from(card);
  writeFileAtomic(cardFile, bytes, o.faults);
  return { files, card: { file: cardFile, rows: 0, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

/** A shard's name after its split: `00000-of-00003.parquet`. */
const SHARD_NAME = /^\d{5}-of-\d{5}\.parquet$/;

/** The data/ files the folder's last manifest lists (names inside data/); none when it cannot be read. */
function shardsListed(folder: string): Set<string> {
  try {
    const m = JSON.parse(readFileSync(path.join(folder, HF_MANIFEST), 'utf8')) as { files?: Array<{ name?: unknown }> };
    return new Set((m.files ?? []).map((f) => f.name).filter((n): n is string => typeof n === 'string' && /^data\/[^/]+$/.test(n)).map((n) => n.slice(5)));
  } catch {
    return new Set();
  }
}

/** The dataset card: YAML metadata the Hub and `datasets` read, then a short description for people. */
function cardText(o: HfFolderInput, columns: Array<[string, ColType]>, counts: Array<{ split: string; rows: number }>): string {
  const y: string[] = ['---', 'configs:', '- config_name: default', '  data_files:'];
  for (const { split } of counts) y.push(`  - split: ${yamlString(split)}`, `    path: ${yamlString(`data/${split}-*`)}`);
  if (o.chats) {
    y.push('- config_name: chat', '  data_files:');
    for (const { split } of counts) y.push(`  - split: ${yamlString(split)}`, `    path: ${yamlString(`chat/${split}.jsonl`)}`);
  }
  y.push('dataset_info:', '  config_name: default', '  features:');
  for (const [k, t] of columns) y.push(...featureYaml(k, t, '  '));
  y.push('  splits:');
  for (const { split, rows } of counts) y.push(`  - name: ${yamlString(split)}`, `    num_examples: ${rows}`);
  y.push('tags:', '- synthetic', '- synth', '---', '');
  const goal = o.plan.goal;
  const total = counts.reduce((n, c) => n + c.rows, 0);
  const asked = o.expected?.asked;
  const incomplete = asked !== undefined && total < asked;
  const limit = o.expected?.limit;
  const body = [
    `# ${markdownText(o.ds.name)}`,
    '',
    goal.description ? markdownText(goal.description) : '_The spec gives no goal._',
    ...(goal.purpose ? ['', `Purpose: ${markdownText(goal.purpose)}`] : []),
    '',
    ...(incomplete
      ? [
          `**Incomplete:** ${total} of the ${asked} rows the spec asks for${limit !== undefined ? ` (a run with \`--limit ${limit}\`)` : ''}; ${code(HF_MANIFEST)} says why and \`synth run\` completes it.`,
          '',
        ]
      : []),
    `Synthetic data made by Synth from ${code(o.plan.spec.file)}, dataset ${code(o.ds.name)}.`,
    '',
    '| | |',
    '| --- | --- |',
    `| plan hash | \`${o.plan.hash}\` |`,
    `| dataset hash | \`${o.ds.hash}\` |`,
    `| seed | ${o.ds.seed} |`,
    `| rows | ${total}${incomplete ? ` of ${asked}` : ''} |`,
    ...counts.map((c) => `| ${markdownText(c.split)} rows | ${c.rows} |`),
    '',
    '```python',
    'from datasets import load_dataset',
    `ds = load_dataset("parquet", data_files={${counts.map((c) => `"${c.split}": "data/${c.split}-*.parquet"`).join(', ')}})`,
    '```',
    '',
  ];
  return y.join('\n') + body.join('\n');
}
