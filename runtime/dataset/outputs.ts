// Every file one dataset writes, and which rows go into which: the row file (one per split when its path holds
// `{split}`), the chat fine-tuning file beside it when the dataset has `format chat` (again one per split with
// `{split}`), or a Hugging Face dataset folder (`format hf`: Parquet files per split, a chat config, and a dataset
// card; hf.ts). Each file is an OutputFile (output-file.ts): built whole in a temp file and renamed into place
// when the run ends, so every file is the last finished run's rows, never a splice of two runs.
//
// Paths: `out/qa-{split}.jsonl` → out/qa-train.jsonl, out/qa-test.jsonl; its chat files out/qa-train.chat.jsonl,
// …; its manifest out/qa.manifest.json (the path without `{split}`). An hf folder `out/hf` holds
// data/{split}-00000-of-0000N.parquet, chat/{split}.jsonl, README.md and synth.manifest.json.
import { readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../../base/diagnostics.js';
import { chatFile, SPLIT_PLACEHOLDER, splitFile, withoutSplit } from '../../compiler/check/outputs.js';
import type { Value } from '../../compiler/plan/eval.js';
import type { DatasetStage, Plan } from '../../compiler/plan/schema.js';
import type { WriteFaults } from './file-io.js';
import { writeHfFolder, HF_CARD, HF_MANIFEST, type HfFolderInput } from './hf.js';
import { OutputFile, type Format, type OutputSummary } from './output-file.js';
import { parquetColumns } from './parquet-schema.js';

/** The split rows go to when a dataset has no `split` (Hugging Face's default name). */
export const DEFAULT_SPLIT = 'train';

/** One file a dataset wrote: what it holds, for the manifest and `synth verify`. */
export interface WrittenFile extends OutputSummary {
  /** `rows`: the dataset's rows; `chat`: the chat fine-tuning file; `card`: a Hugging Face dataset card */
  role: 'rows' | 'chat' | 'card';
  format: Format | 'markdown';
  /** the split it holds, when the dataset writes one file per split */
  split?: string;
}

/** The manifest of a dataset's output: beside it (`out/qa.manifest.json`), or inside an hf folder. */
export function manifestOf(output: string, ds: Pick<DatasetStage, 'name' | 'output'>): string {
  if (ds.output.format === 'hf') return path.join(output, HF_MANIFEST);
  return withoutSplit(output, ds.name).replace(/\.(jsonl|csv|parquet)$/, '') + '.manifest.json';
}

/** The splits a dataset's rows fall into (declaration order), or undefined without splits. */
export function splitsOf(ds: DatasetStage): string[] | undefined {
  return ds.split ? Object.keys(ds.split) : undefined;
}

/** What a dataset writes when that is more than one file (splits, a chat file, a folder), in words for SYN5031;
 *  undefined when it writes one file. `--shard` needs a single file. */
export function severalFiles(ds: DatasetStage): string | undefined {
  if (ds.output.format === 'hf') return 'a Hugging Face folder';
  if (ds.output.path.includes(SPLIT_PLACEHOLDER)) return 'one file per split';
  if (ds.chat !== null) return 'a chat file beside its rows';
  return undefined;
}

/**
 * Throws SYN5030 when `ds` writes a file per split (`{split}`, `format hf`) and a split cannot name a file: the
 * checker allows only letters, digits and `_` (SYN3092); a plan edited by hand must not write outside its
 * folder. Called before anything of the dataset is written (its output lock included).
 */
export function refuseUnsafeSplits(ds: DatasetStage): void {
  if (ds.output.format !== 'hf' && !ds.output.path.includes(SPLIT_PLACEHOLDER)) return;
  const unsafe = (splitsOf(ds) ?? []).find((sp) => !/^[A-Za-z0-9_]+$/.test(sp));
  if (unsafe !== undefined) throw synthError('SYN5030', { dataset: ds.name, split: unsafe });
}

/** The files of one dataset's output during a run (see the header). */
export class DatasetOutputs {
  private readonly rows = new Map<string, OutputFile>();
  private readonly chats = new Map<string, OutputFile>();
  /** per split: rows written (the card's counts) */
  readonly splitRows = new Map<string, number>();
  private readonly perSplit: boolean;
  private readonly splits: string[];

  /**
   * @param output the resolved output path (may hold `{split}`; a folder for `hf`)
   */
  constructor(
    readonly output: string,
    readonly ds: DatasetStage,
    private readonly plan: Plan,
    private readonly faults?: WriteFaults,
  ) {
    const hf = ds.output.format === 'hf';
    this.splits = splitsOf(ds) ?? [DEFAULT_SPLIT];
    this.perSplit = hf || output.includes(SPLIT_PLACEHOLDER);
    refuseUnsafeSplits(ds);
    const format: Format = hf ? 'jsonl' : (ds.output.format as Format);
    // Parquet columns from the plan (parquet-schema.ts); a file of one split has no `split` column
    const columns = parquetColumns(ds);
    if (this.perSplit) delete columns['split'];
    for (const sp of this.perSplit ? this.splits : ['']) {
      // an hf folder's rows are staged as JSONL and become Parquet files when the run ends (hf.ts)
      const file = hf ? path.join(output, `.${sp}.rows.jsonl`) : this.perSplit ? splitFile(output, sp) : output;
      this.rows.set(sp, new OutputFile(file, format, faults, hf ? {} : columns));
      if (ds.chat) this.chats.set(sp, new OutputFile(hf ? path.join(output, 'chat', `${sp}.jsonl`) : chatFile(file), 'jsonl', faults));
    }
  }

  /** Starts every file's temp file. */
  open(): void {
    for (const f of [...this.rows.values(), ...this.chats.values()]) f.open();
  }

  private target(files: Map<string, OutputFile>, split: string | undefined): OutputFile {
    if (!this.perSplit) return files.get('')!;
    return files.get(split ?? this.splits[0]!) ?? files.get(this.splits[0]!)!;
  }

  /** Appends one row's lines (and its chat line) to the files of its split; a file of one split needs no
   *  `split` column. `json`: the single line's JSON, already serialised (used by a file of all splits). */
  write(lines: Record<string, Value>[], split: string | undefined, chat: Record<string, Value> | undefined, json?: string): void {
    // one file per split drops the split key, so a line serialised with it is not that file's line
    if (this.perSplit) this.target(this.rows, split).write(lines.map(withoutSplitKey));
    else this.target(this.rows, split).write(lines, json);
    if (chat) this.target(this.chats, split).write([chat]);
    const sp = split ?? DEFAULT_SPLIT;
    this.splitRows.set(sp, (this.splitRows.get(sp) ?? 0) + lines.length);
  }

  /** Finishes every file (an hf folder: Parquet, chat and card); returns what each holds, the row files first.
   *  `expected`: the rows the spec asks for and the `--limit`, for an hf card to say when it is incomplete. */
  async commit(expected: HfFolderInput['expected'] = {}): Promise<WrittenFile[]> {
    const out: WrittenFile[] = [];
    const hf = this.ds.output.format === 'hf';
    const staged: Array<{ split: string; jsonl: string }> = [];
    for (const [sp, f] of this.rows) {
      const s = await f.commit();
      if (hf) staged.push({ split: sp, jsonl: s.file });
      else out.push({ ...s, role: 'rows', format: f.format, ...(this.perSplit ? { split: sp } : {}) });
    }
    const chats: WrittenFile[] = [];
    for (const [sp, f] of this.chats) chats.push({ ...(await f.commit()), role: 'chat', format: 'jsonl', ...(this.perSplit ? { split: sp } : {}) });
    if (hf) {
      const { files, card } = await writeHfFolder({ folder: this.output, ds: this.ds, plan: this.plan, staged, chats: chats.length > 0, faults: this.faults, expected });
      for (const st of staged) rmSync(st.jsonl, { force: true });
      out.push(...files.map((f): WrittenFile => ({ ...f, role: 'rows', format: 'parquet' })));
      out.push(...chats);
      out.push({ ...card, role: 'card', format: 'markdown' });
      return out;
    }
    return [...out, ...chats];
  }

  /** Drops every temp file (after an error): the files stay what the last finished run made. */
  abandon(): void {
    for (const f of [...this.rows.values(), ...this.chats.values()]) f.abandon();
  }
}

function withoutSplitKey(row: Record<string, Value>): Record<string, Value> {
  if (!('split' in row)) return row;
  const { split: _split, ...rest } = row;
  return rest;
}

/** Files a killed run left in an hf folder's staging area (they are rebuilt from the journal). */
export function sweepHfStaging(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const n of names) if (/^\..*\.rows\.jsonl(\.tmp)?$/.test(n)) rmSync(path.join(folder, n), { force: true });
}

export { HF_CARD, chatFile, SPLIT_PLACEHOLDER, splitFile, withoutSplit };
