// Two datasets must never write the same file. A dataset writes its output and, beside it, files named after
// the output's path without its extension: `<stem>.manifest.json` and, in shard runs, `<stem>.keys.jsonl`
// (runtime/dataset/paths.ts), its temp file `<output>.tmp` and its lock `<output>.lock`. So `out/d.jsonl` and
// `out/d.csv` clash too: they share `out/d.manifest.json`, and the second run's manifest would describe the
// first's rows. An output is compared as the files it expands to (runtime/dataset/outputs.ts): `{split}` gives
// one file per split (and the manifest of the path without it), `format chat` adds `<stem>.chat.jsonl` beside
// each row file, and a `format hf` folder owns every path under it (data/…, chat/…, README.md, its manifest).
// Paths are compared as the file system may see them: `./out/d.jsonl`, `out//d.jsonl` and `out/D.jsonl` (on
// macOS and Windows) are one file.
import * as path from 'node:path';
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import type { CheckContext } from './context.js';

/** The placeholder an output path may hold: one file per split. */
export const SPLIT_PLACEHOLDER = '{split}';

/** `out/qa-{split}.jsonl` for split `train` → out/qa-train.jsonl. */
export function splitFile(template: string, split: string): string {
  return template.split(SPLIT_PLACEHOLDER).join(split);
}

/** The chat file beside a row file: `out/qa.jsonl` → out/qa.chat.jsonl (the same for .csv and .parquet). */
export function chatFile(rowFile: string): string {
  return rowFile.replace(/\.(jsonl|csv|parquet)$/, '') + '.chat.jsonl';
}

/**
 * A path without `{split}` and the separator before it: `out/qa-{split}.jsonl` → out/qa.jsonl; a file name that
 * was only the split (`out/{split}.jsonl`) takes `name`'s place (out/NAME.jsonl).
 */
export function withoutSplit(p: string, name: string): string {
  const dir = path.dirname(p).replace(/[-_.]?\{split\}/g, '');
  const base = path.basename(p).replace(/[-_.]?\{split\}/g, '');
  return path.join(dir, base.startsWith('.') || base === '' ? name + base : base);
}

/** What decides the files an output writes. A bare string is a plain single-file output. */
export interface OutputShape {
  path: string;
  /** `format hf`: a folder, every path under it is the dataset's */
  hf?: boolean;
  /** `format chat`: a chat file beside each row file */
  chat?: boolean;
  /** the split names (dataset's or goal's), for `{split}` */
  splits?: string[];
  /** the dataset's name (a manifest of `out/{split}.jsonl` is out/NAME.manifest.json) */
  name?: string;
}

/** One path an output claims, as spelled, and whether it is a folder (everything under it is claimed too). */
interface Claim {
  spelled: string;
  norm: string;
  folder: boolean;
}

const norm = (p: string) => path.posix.normalize(p.replace(/\\/g, '/')).toLowerCase().replace(/\/$/, '');
const stemOf = (p: string) => p.replace(/\.(jsonl|csv|parquet)$/i, '');

/** The files (and folders) an output writes, its main file first, as spelled from its path. */
export function filesWritten(o: OutputShape | string): string[] {
  return claims(typeof o === 'string' ? { path: o } : o).map((c) => c.spelled);
}

function claims(o: OutputShape): Claim[] {
  const p = o.path;
  const out: string[] = [];
  if (o.hf) return [{ spelled: p, norm: norm(p), folder: true }, { spelled: `${p}.lock`, norm: norm(`${p}.lock`), folder: false }];
  const perSplit = p.includes(SPLIT_PLACEHOLDER) && o.splits && o.splits.length > 0;
  const rowFiles = perSplit ? o.splits!.map((sp) => splitFile(p, sp)) : [p];
  out.push(...rowFiles);
  const manifestBase = p.includes(SPLIT_PLACEHOLDER) ? withoutSplit(p, o.name ?? 'data') : p;
  out.push(`${stemOf(manifestBase)}.manifest.json`, `${stemOf(p)}.keys.jsonl`);
  if (o.chat) out.push(...rowFiles.map((f) => stemOf(f) + '.chat.jsonl'));
  for (const f of rowFiles) out.push(`${f}.tmp`);
  if (o.chat) for (const f of rowFiles) out.push(`${stemOf(f)}.chat.jsonl.tmp`);
  out.push(`${p}.lock`);
  return out.map((s) => ({ spelled: s, norm: norm(s), folder: false }));
}

/** Whether claim `x` covers `y`: the same path, or `y` under folder `x`. */
const covers = (x: Claim, y: Claim) => x.norm === y.norm || (x.folder && y.norm.startsWith(x.norm + '/'));

/**
 * The first file two outputs would both write, as `b` spells it (as `a` spells it when it lies inside `b`'s hf
 * folder); undefined when they share none. A bare string is a plain single-file output.
 */
export function sharedFile(a: OutputShape | string, b: OutputShape | string): string | undefined {
  const ca = claims(typeof a === 'string' ? { path: a } : a);
  const cb = claims(typeof b === 'string' ? { path: b } : b);
  for (const y of cb) {
    for (const x of ca) {
      if (covers(x, y)) return y.spelled;
      if (covers(y, x)) return x.spelled;
    }
  }
  return undefined;
}

/** The split names a dataset's rows fall into: its own `split`, else the goal's (undefined without one). */
function splitNames(d: A.DatasetDecl, ctx: CheckContext): string[] | undefined {
  const own = d.clauses.find((c): c is A.SettingClause => c.kind === 'SettingClause' && c.setting.key.name === 'split');
  const s = own?.setting ?? ctx.symbols.goalRead()?.decl.settings.find((x) => x.key.name === 'split');
  return s?.value.kind === 'Record' ? s.value.entries.map((en) => keyName(en.key)) : undefined;
}

/** What a dataset writes: its `output` (or `out/NAME.jsonl` without one: SYN3009; compiler/plan/lower.ts). */
function outputOf(d: A.DatasetDecl, ctx: CheckContext): OutputShape & { span: A.DatasetDecl['span'] } {
  const c = d.clauses.find((x): x is A.OutputClause => x.kind === 'Output');
  const chat = d.clauses.some((x) => x.kind === 'Format' && x.style.name === 'chat');
  const shape = { hf: c?.format?.name === 'hf', chat, splits: splitNames(d, ctx), name: d.name.name };
  return c ? { path: c.path.value, span: c.path.span, ...shape } : { path: `out/${d.name.name}.jsonl`, span: d.name.span, ...shape };
}

/**
 * A dataset's output and its claims, memoised per declaration object and goal block (a dataset's AST is not
 * changed once parsed; the language server re-parses an edited declaration into a new object, and the goal's
 * `split` is the only other input).
 */
const claimsMemo = new WeakMap<A.DatasetDecl, { goal: A.GoalDecl | undefined; out: ReturnType<typeof outputOf>; cs: Claim[] }>();
function claimsOf(d: A.DatasetDecl, ctx: CheckContext): { out: ReturnType<typeof outputOf>; cs: Claim[] } {
  const goal = ctx.symbols.goal?.decl;
  const memo = claimsMemo.get(d);
  if (memo && memo.goal === goal) return memo;
  const out = outputOf(d, ctx);
  const m = { goal, out, cs: claims(out) };
  claimsMemo.set(d, m);
  return m;
}

/**
 * SYN3070 at a dataset's output (its name when it has none) when a dataset declared before it writes one of the
 * same files; one pass over the program's datasets (`files` in program order), reporting into `ctx`.
 *
 * A program-wide pass rather than a per-dataset check: every dataset would read every earlier one, so under the
 * language server's incremental check (check/session.ts) any edit to a dataset would re-check every dataset after
 * it (measured: 30 ms per edit on the 5,000-line bench spec instead of 0.3 ms). This pass records no reads and
 * runs on every check; it indexes each dataset's claimed paths once, so it is linear in the number of files the
 * datasets write (an hf folder, which owns a whole tree, is compared against the claims before it).
 */
export function checkOutputClashes(files: Array<{ path: string; ast: { decls: A.Decl[] } }>, ctx: CheckContext): void {
  const seen: Array<{ d: A.DatasetDecl; file: string; out: ReturnType<typeof outputOf> }> = [];
  /** normalised path → the first dataset (index in `seen`) that claims it */
  const first = new Map<string, number>();
  const folders: Array<{ norm: string; i: number }> = [];
  for (const f of files) {
    for (const d of f.ast.decls) {
      if (d.kind !== 'Dataset') continue;
      ctx.file = f.path;
      const { out: mine, cs } = claimsOf(d, ctx);
      let clash = Infinity;
      for (const c of cs) {
        const i = first.get(c.norm);
        if (i !== undefined && i < clash) clash = i;
        for (const fo of folders) if (fo.i < clash && c.norm.startsWith(fo.norm + '/')) clash = fo.i;
        if (c.folder) for (const [n, i2] of first) if (i2 < clash && n.startsWith(c.norm + '/')) clash = i2;
      }
      if (clash !== Infinity) {
        const other = seen[clash]!;
        const file = sharedFile(other.out, mine)!;
        ctx.report('SYN3070', mine.span, { path: mine.path, name: d.name.name, first: other.d.name.name, other: other.out.path, file }, {
          related: [{ file: other.file, span: other.out.span, message: `dataset ${other.d.name.name}'s output` }],
        });
      }
      const i = seen.push({ d, file: f.path, out: mine }) - 1;
      for (const c of cs) {
        if (!first.has(c.norm)) first.set(c.norm, i);
        if (c.folder) folders.push({ norm: c.norm, i });
      }
    }
  }
}
