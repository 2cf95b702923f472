// `source people: Person = table("seed/people.csv")`: typed rows from a CSV (RFC 4180 with a header line), JSONL
// (one JSON object per line) or Parquet file, read as a stream (one chunk or Parquet row group at a time, never
// the whole file as one string) and each row checked against the struct: a missing or unknown column, a value of
// the wrong type or outside a constraint, a repeated `@unique` value. Problems are diagnostics naming the file,
// the line (CSV/JSONL) and the row number, so `synth check` and `synth run` show them like spec errors.
//
// CSV cells are text, converted by the field's type: `int` (an exact decimal integer), `float` (a decimal
// number), `bool` (`true`/`false`), enums and string unions (one of their cases), lists and structs (JSON in the
// cell), `string` (as is). An empty cell is absent: null for an optional field (`T?`), an empty string for a
// `string` field, a problem for any other field. JSON values (JSONL, Parquet) must have the field's JSON type;
// a missing key is absent.
//
// Each row's key is a hash of its content (plus `~n` for the n-th repeat of identical rows), so inserting,
// deleting or reordering other rows never changes a row's draws, LLM cache keys or journal provenance.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { makeDiagnostic, SynthError, synthError, type Diagnostic } from '../../base/diagnostics.js';
import { LineIndex } from '../../base/source.js';
import { canonicalDates, parseDate, parseDatetime } from '../../compiler/plan/dates.js';
import { csvCellSpan, jsonMembers } from './cell-span.js';
import { setOwn } from '../../base/own.js';
import type { Value } from '../../compiler/plan/eval.js';
import type { TableSourceStage } from '../../compiler/plan/schema.js';
import { schemaErrors } from '../llm/validate.js';
import { resolveProjectPath, type PathOptions } from '../paths.js';
import { CsvRecords } from '../report/csv-records.js';
import { closest } from '../../compiler/suggest.js';

/** A table's rows (typed values, in file order), a stable key per row, and the problems found. */
export interface TableData {
  /** the absolute path read */
  file: string;
  rows: Value[];
  keys: string[];
  /** at most MAX_PROBLEMS, in file order; the rows are not usable when there is one */
  problems: Diagnostic[];
}

/**
 * A table's rows do not fit its type: every problem found (at most MAX_PROBLEMS per table), as diagnostics
 * naming the file and line; the error's own code and message are the first one's.
 */
export class TableProblems extends SynthError {
  constructor(readonly diagnostics: Diagnostic[]) {
    const first = diagnostics[0]!;
    super(first.code, first.message, {}, { file: first.file, span: first.span });
  }
}

/** Problems collected per table; reading stops at this many. */
export const MAX_PROBLEMS = 200;

const CHUNK = 1 << 20;

/** One declared column: its JSON Schema, whether it may be absent, and how its type reads in messages. */
interface Column {
  name: string;
  schema: Record<string, unknown>;
  optional: boolean;
  json: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | undefined;
  values?: string[];
}

/**
 * Reads and checks table `stage` of the project at `root` (path confinement as for `files()`: SYN4002). Throws
 * SynthError SYN5054 when the file cannot be read at all (missing, not the format its ending says); row problems
 * are returned as diagnostics (SYN5050-5053).
 */
export async function readTable(root: string, stage: TableSourceStage, o: PathOptions = {}): Promise<TableData> {
  const file = resolveProjectPath(root, stage.table.path, o);
  const reader = new TableChecker(stage, file);
  refuseNonRegular(file, stage, reader);
  if (stage.table.format === 'parquet') await readParquet(file, stage, reader);
  else await readText(file, stage, reader);
  return reader.finish();
}

/**
 * Only a regular file is a table: opening a FIFO blocks until something writes to it (`check`, `run` and the
 * language server would hang), and a device or socket is no data file. Throws SYN5054 with the reason; a path
 * with nothing there is left to the reader, which says so.
 */
function refuseNonRegular(file: string, stage: TableSourceStage, t: TableChecker): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    return;
  }
  if (st.isFile()) return;
  const reason = st.isDirectory() ? 'it is a folder, not a table file' : `it is not a regular file (${st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device'})`;
  throw synthError('SYN5054', { source: stage.name, file: t.rel(), reason });
}

/** Checks rows one at a time and builds the result. */
class TableChecker {
  readonly columns: Column[];
  private readonly byName: Map<string, Column>;
  private readonly rows: Value[] = [];
  private readonly keys: string[] = [];
  private readonly seenKeys = new Map<string, number>();
  private readonly unique = new Map<string, Map<string, number>>();
  /** `cell`: the bad cell's position in its line, a CSV cell index or a JSON key (else the whole line is shown) */
  private readonly problems: Array<{ line: number | undefined; d: Diagnostic; cell?: number | string }> = [];
  /** columns the header lacks (reported once there, not again for every row) */
  private readonly headerMissing = new Set<string>();
  /** rows read so far (1-based numbering in messages) */
  row = 0;

  constructor(
    readonly stage: TableSourceStage,
    readonly file: string,
  ) {
    this.columns = columnsOf(stage.rowType.schema);
    this.byName = new Map(this.columns.map((c) => [c.name, c]));
    for (const u of stage.unique) this.unique.set(u, new Map());
  }

  get full(): boolean {
    return this.problems.length >= MAX_PROBLEMS;
  }

  problem(line: number | undefined, d: Diagnostic, cell?: number | string): void {
    if (!this.full) this.problems.push({ line, d, ...(cell !== undefined ? { cell } : {}) });
  }

  private diag<C extends 'SYN5050' | 'SYN5051' | 'SYN5052' | 'SYN5053'>(code: C, args: Parameters<typeof makeDiagnostic<C>>[3], extra?: Parameters<typeof makeDiagnostic<C>>[4]): Diagnostic {
    return (makeDiagnostic as (...a: unknown[]) => Diagnostic)(code, this.file, { start: 0, end: 0 }, args, extra);
  }

  /**
   * The header's (or a JSON row's) column names: unknown ones (SYN5052, at the name's cell: `cellOf` gives a CSV
   * cell index or a JSON key) and missing ones (SYN5051).
   */
  header(names: string[], line: number | undefined, missingAllowed: boolean, cellOf?: (name: string, index: number) => number | string): void {
    const type = this.stage.rowType.name;
    const seen = new Set<string>();
    for (const [i, n] of names.entries()) {
      if (seen.has(n)) throw synthError('SYN5054', { source: this.stage.name, file: this.rel(), reason: `column '${n}' appears twice in the header` });
      seen.add(n);
      if (!this.byName.has(n)) {
        // the declared columns the header lacks: a close name, or one the unknown name abbreviates
        const free = this.columns.map((c) => c.name).filter((c) => !names.includes(c));
        const suggestion = closest(n, free) ?? free.find((c) => c.toLowerCase().startsWith(n.toLowerCase()) || n.toLowerCase().startsWith(c.toLowerCase()));
        this.problem(line, this.diag('SYN5052', { source: this.stage.name, column: n, type }, suggestion ? { suggestion } : { choices: free }), cellOf?.(n, i));
      }
    }
    if (missingAllowed) return;
    for (const c of this.columns) {
      if (seen.has(c.name) || c.optional) continue;
      this.headerMissing.add(c.name);
      this.problem(line, this.diag('SYN5051', { source: this.stage.name, column: c.name, type }));
    }
  }

  /** One row of CSV cells (by header position), or of JSON values (`json`). */
  add(get: (c: Column) => { present: boolean; value: unknown; text?: string; cell?: number | string }, line: number | undefined, json: boolean): void {
    this.row++;
    const out: Record<string, Value> = {};
    const cells = new Map<string, number | string>();
    let ok = true;
    for (const c of this.columns) {
      if (this.headerMissing.has(c.name)) continue;
      const raw = get(c);
      if (raw.present && raw.cell !== undefined) cells.set(c.name, raw.cell);
      const r = json ? fromJson(c, raw.present ? raw.value : undefined) : fromCell(c, raw.present ? (raw.text ?? '') : undefined);
      if ('expected' in r) {
        ok = false;
        this.problem(line, this.diag('SYN5050', { row: this.row, source: this.stage.name, column: c.name, expected: r.expected, found: r.found }), cells.get(c.name));
        continue;
      }
      setOwn(out, c.name, r.value);
    }
    if (!ok) return;
    for (const [name, seen] of this.unique) {
      const v = out[name];
      if (v === null || v === undefined) continue;
      const k = JSON.stringify(v);
      const first = seen.get(k);
      if (first !== undefined) {
        ok = false;
        this.problem(line, this.diag('SYN5053', { row: this.row, source: this.stage.name, column: name, value: k, first, type: this.stage.rowType.name }), cells.get(name));
      } else seen.set(k, this.row);
    }
    if (!ok || this.problems.length) return; // rows are kept only while the table is clean
    const text = JSON.stringify(out);
    const h = contentKey(text);
    const n = this.seenKeys.get(h) ?? 0;
    this.seenKeys.set(h, n + 1);
    this.rows.push(out);
    this.keys.push(n ? `${h}~${n}` : h);
  }

  rel(): string {
    return displayPath(this.file);
  }

  /**
   * The result; spans of line-located problems are their cells (a CSV cell, a JSON member), else their lines
   * (the text is read again only when there are some).
   */
  finish(): TableData {
    let text: string | undefined;
    let index: LineIndex | undefined;
    const problems = this.problems.map(({ line, d, cell }) => {
      if (line === undefined) return d;
      text ??= readFileSync(this.file, 'utf8');
      index ??= new LineIndex(text);
      const start = index.offset({ line: line - 1, character: 0 });
      const lineText = index.lineText(line - 1);
      const end = index.offset({ line: line - 1, character: lineText.length });
      let span = typeof cell === 'number' ? csvCellSpan(text, start, cell) : undefined;
      if (typeof cell === 'string') {
        const m = jsonMembers(lineText).find((x) => x.key === cell);
        if (m) span = { start: start + m.keyStart, end: start + m.valueEnd };
      }
      return { ...d, span: span && span.end > span.start ? span : { start, end } };
    });
    return { file: this.file, rows: problems.length ? [] : this.rows, keys: problems.length ? [] : this.keys, problems };
  }
}

/** A path as messages show it: relative to the working folder when inside it. */
function displayPath(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

/** 64 bits of FNV-1a over a row's JSON: its identity, for draws, cache keys and provenance. */
function contentKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36).padStart(7, '0');
}

/** The columns of a struct's JSON Schema (lowering writes optional fields as `[T, null]` or `anyOf`). */
function columnsOf(schema: unknown): Column[] {
  const props = isRecord(schema) && isRecord(schema['properties']) ? schema['properties'] : {};
  return Object.entries(props).map(([name, s]) => {
    const sch = isRecord(s) ? s : {};
    let inner = sch;
    let optional = false;
    if (Array.isArray(sch['anyOf'])) {
      const rest = sch['anyOf'].filter((a) => !(isRecord(a) && a['type'] === 'null'));
      optional = rest.length < sch['anyOf'].length;
      inner = isRecord(rest[0]) ? rest[0] : {};
    } else if (Array.isArray(sch['type'])) {
      const ts = sch['type'].filter((t) => t !== 'null');
      optional = ts.length < sch['type'].length;
      inner = { ...sch, type: ts[0] };
    }
    const t = inner['type'];
    const json = typeof t === 'string' && ['string', 'integer', 'number', 'boolean', 'array', 'object'].includes(t) ? (t as Column['json']) : undefined;
    const values = Array.isArray(inner['enum']) ? inner['enum'].filter((v): v is string => typeof v === 'string') : undefined;
    return { name, schema: inner, optional, json, ...(values ? { values } : {}) };
  });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

type Checked = { value: Value } | { expected: string; found: string };

/** How a column's type reads in a message: `int`, `one of a, b`, `a list (JSON)`. */
function typeWord(c: Column): string {
  if (c.values) return `one of ${c.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (c.schema['format'] === 'date') return 'a date (YYYY-MM-DD)';
  if (c.schema['format'] === 'date-time') return 'a datetime (ISO 8601 with a zone, e.g. 2024-03-05T09:30:00Z)';
  switch (c.json) {
    case 'integer':
      return 'an int';
    case 'number':
      return 'a float';
    case 'boolean':
      return 'a bool (true or false)';
    case 'array':
      return 'a list (as JSON)';
    case 'object':
      return 'a record (as JSON)';
    default:
      return 'text';
  }
}

/** A found value as a message shows it: JSON, cut short; a number JSON cannot write says what it is (JSON would
 *  show Infinity as `null`), and a whole number past 2^53 why it is refused (not its rounded value). */
function shown(v: unknown): string {
  if (typeof v === 'object' && v !== null && deeperThan(v, MAX_DEPTH)) return Array.isArray(v) ? 'a list nested too deeply to show' : 'a record nested too deeply to show';
  if (typeof v === 'number' && !Number.isFinite(v)) return `${String(v)} (a number past the largest float, about 1.8e308)`;
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return `a whole number past 2^53 (integers are exact only up to 2^53)`;
  const s = v === undefined ? 'nothing' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
}

const INT = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A CSV cell (undefined: the column is missing from the row) as column `c`'s value. */
function fromCell(c: Column, cell: string | undefined): Checked {
  if (cell === undefined || (cell === '' && c.json !== 'string')) {
    if (c.optional) return { value: null };
    return { expected: typeWord(c), found: cell === undefined ? 'nothing (the row has no such cell)' : 'an empty cell' };
  }
  if (cell === '' && c.optional) return { value: null };
  let v: unknown;
  switch (c.json) {
    case 'integer':
      if (!INT.test(cell.trim())) return { expected: typeWord(c), found: shown(cell) };
      if (!Number.isSafeInteger(Number(cell))) return { expected: typeWord(c), found: `${shown(cell)} (integers are exact only up to 2^53)` };
      v = Number(cell);
      break;
    case 'number':
      if (!NUMBER.test(cell.trim())) return { expected: typeWord(c), found: shown(cell) };
      if (!Number.isFinite(Number(cell))) return { expected: typeWord(c), found: `${shown(cell)} (a number past the largest float, about 1.8e308)` };
      v = Number(cell);
      break;
    case 'boolean':
      if (cell !== 'true' && cell !== 'false') return { expected: typeWord(c), found: shown(cell) };
      v = cell === 'true';
      break;
    case 'array':
    case 'object':
      try {
        v = JSON.parse(cell);
      } catch {
        return { expected: typeWord(c), found: shown(cell) };
      }
      break;
    default:
      v = cell;
  }
  return constrained(c, v);
}

/** A JSON value (undefined: the key is missing) as column `c`'s value. */
function fromJson(c: Column, v: unknown): Checked {
  if (v === undefined || v === null) return c.optional ? { value: null } : { expected: typeWord(c), found: v === undefined ? 'nothing (the row has no such key)' : 'null' };
  const bad = () => ({ expected: typeWord(c), found: shown(v) });
  switch (c.json) {
    case 'integer':
      if (typeof v === 'bigint') v = Number(v);
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return bad();
      break;
    case 'number':
      if (typeof v === 'bigint') v = Number(v);
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad();
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return bad();
      break;
    case 'string':
      // Parquet DATE and TIMESTAMP columns come as Dates (UTC): a date column keeps the day
      if (v instanceof Date) v = Number.isNaN(v.getTime()) ? String(v) : c.schema['format'] === 'date' ? v.toISOString().slice(0, 10) : v.toISOString();
      if (typeof v !== 'string') return bad();
      break;
    case 'array':
      if (!Array.isArray(v)) return bad();
      break;
    case 'object':
      if (!isRecord(v)) return bad();
      break;
  }
  return constrained(c, v);
}

/**
 * Why datetime text that `parseDatetime` reads is still refused in a table cell, where nothing may change
 * silently: a bare date (the docs ask for ISO 8601 with a time and a zone; midnight UTC would be a guess), or
 * digits finer than the millisecond a datetime keeps (they would be cut). Undefined when it is kept as written.
 */
function datetimeLoss(text: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'a date without a time: a datetime cell needs a time and a zone, e.g. 2024-03-05T00:00:00Z';
  const frac = /[.](\d+)(?:[Zz]|[+-]\d{2}:\d{2})$/.exec(text)?.[1];
  if (frac && frac.length > 3 && /[1-9]/.test(frac.slice(3))) return 'digits finer than a millisecond, which a datetime does not keep';
  return undefined;
}

/** Deeper values are refused before they are walked (validation, hashing and writing recurse). */
const MAX_DEPTH = 200;

/** Is `v` nested more than `max` lists/records deep? Iterative, so a hostile cell cannot overflow the stack. */
function deeperThan(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d > max) return true;
    for (const y of Array.isArray(x) ? x : Object.values(x)) stack.push([y, d + 1]);
  }
  return false;
}

/** `v` (of the column's JSON type) checked against its cases and constraints. */
function constrained(c: Column, v: unknown): Checked {
  const s = c.schema;
  if (typeof v === 'object' && v !== null && deeperThan(v, MAX_DEPTH)) return { expected: typeWord(c), found: `a value nested more than ${MAX_DEPTH} levels deep` };
  if (c.values && !c.values.includes(v as string)) return { expected: typeWord(c), found: shown(v) };
  if (typeof v === 'string' && (s['format'] === 'date' || s['format'] === 'date-time')) {
    // dates are canonical ISO text at run time (compiler/plan/dates.ts), so equal instants compare equal
    const t = s['format'] === 'date' ? parseDate(v) : parseDatetime(v);
    if (t === undefined) return { expected: typeWord(c), found: shown(v) };
    const loss = s['format'] === 'date-time' ? datetimeLoss(v) : undefined;
    if (loss) return { expected: typeWord(c), found: `${shown(v)} (${loss})` };
    v = t;
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    const lo = s['minLength'] as number | undefined;
    const hi = s['maxLength'] as number | undefined;
    if ((lo !== undefined && len < lo) || (hi !== undefined && len > hi)) return { expected: `text of ${lo ?? 0} to ${hi ?? '∞'} characters`, found: `${len} characters` };
    const p = s['pattern'];
    if (typeof p === 'string' && !new RegExp(p, 'u').test(v)) return { expected: `text matching /${p}/`, found: shown(v) };
  }
  if (typeof v === 'number') {
    const lo = s['minimum'] as number | undefined;
    const hi = s['maximum'] as number | undefined;
    if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) return { expected: `${typeWord(c)} in ${lo ?? '-∞'}..${hi ?? '∞'}`, found: shown(v) };
  }
  if (Array.isArray(v) || isRecord(v)) {
    v = canonicalDates(s, v);
    const errs = schemaErrors(s, v, 1);
    if (errs.length) return { expected: `${typeWord(c)} that fits (${errs[0]})`, found: shown(v) };
  }
  return { value: v as Value };
}

/** CSV and JSONL, in chunks of CHUNK bytes. */
/**
 * SYN5054 located at line `line` (1-based) of the table file, so the message shows the line that cannot be read
 * (the file is read again for it: this happens once, when reading stops).
 */
function unreadableAt(file: string, line: number, args: { source: string; file: string; reason: string }): SynthError {
  let span = { start: 0, end: 0 };
  try {
    const index = new LineIndex(readFileSync(file, 'utf8'));
    const start = index.offset({ line: line - 1, character: 0 });
    span = { start, end: index.offset({ line: line - 1, character: index.lineText(line - 1).length }) };
  } catch {
    // the file went away meanwhile: the message still names the line
  }
  return synthError('SYN5054', args, { location: { file, span } });
}

async function readText(file: string, stage: TableSourceStage, t: TableChecker): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const stream = createReadStream(file, { highWaterMark: CHUNK });
  const csv = stage.table.format === 'csv' ? new CsvRecords() : undefined;
  let header: string[] | undefined;
  let carry = '';
  let line = 0;
  let first = true;
  const onRecord = (cells: string[], at: number) => {
    if (!header) {
      header = cells.length && cells[0]!.startsWith('\ufeff') ? [cells[0]!.slice(1), ...cells.slice(1)] : cells;
      t.header(header, at, false, (_, i) => i);
      return;
    }
    if (cells.length !== header.length) {
      throw unreadableAt(file, at, { source: stage.name, file: t.rel(), reason: `the record at line ${at} has ${cells.length} cells, the header ${header.length}` });
    }
    const at_ = new Map(header.map((h, i) => [h, i]));
    t.add((c) => {
      const i = at_.get(c.name);
      return i === undefined ? { present: false, value: undefined } : { present: true, value: undefined, text: cells[i]!, cell: i };
    }, at, false);
  };
  const onLine = (text: string, at: number) => {
    if (!text.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw unreadableAt(file, at, { source: stage.name, file: t.rel(), reason: `line ${at} is not JSON (${(e as Error).message})` });
    }
    if (!isRecord(v)) throw unreadableAt(file, at, { source: stage.name, file: t.rel(), reason: `line ${at} is not a JSON object` });
    // JSON.parse keeps the last of a repeated key: a value would be dropped silently
    const seen = new Set<string>();
    for (const m of jsonMembers(text)) {
      if (seen.has(m.key)) throw unreadableAt(file, at, { source: stage.name, file: t.rel(), reason: `key '${m.key}' appears twice in line ${at}` });
      seen.add(m.key);
    }
    const keys = Object.keys(v);
    t.header(keys.filter((k) => !t.columns.some((c) => c.name === k)), at, true, (k) => k);
    const obj = v;
    t.add((c) => ({ present: Object.hasOwn(obj, c.name), value: obj[c.name], cell: c.name }), at, true);
  };
  try {
    for await (const buf of stream) {
      let text = decoder.write(buf as Buffer);
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff && !csv) text = text.slice(1);
      }
      if (csv) csv.push(text, onRecord);
      else {
        text = carry + text;
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          onLine(text.slice(start, nl), ++line);
          start = nl + 1;
        }
        carry = text.slice(start);
      }
      if (t.full) break;
    }
  } catch (e) {
    if ((e as { code?: string }).code && !(e instanceof Error && e.name === 'SynthError')) {
      throw synthError('SYN5054', { source: stage.name, file: t.rel(), reason: fsReason(e) });
    }
    throw e;
  } finally {
    stream.destroy();
  }
  const rest = decoder.end();
  if (csv) {
    if (rest) csv.push(rest, onRecord);
    const last = csv.end();
    if (last) {
      if (!last.complete) throw unreadableAt(file, last.line, { source: stage.name, file: t.rel(), reason: `the quoted cell starting on line ${last.line} is never closed` });
      onRecord(last.cells, last.line);
    }
    if (!header) throw synthError('SYN5054', { source: stage.name, file: t.rel(), reason: 'the file is empty (a CSV table starts with a header line naming its columns)' });
  } else {
    const tail = carry + rest;
    if (tail.trim()) onLine(tail, ++line);
  }
}

/** Parquet, one row group at a time (hyparquet). */
async function readParquet(file: string, stage: TableSourceStage, t: TableChecker): Promise<void> {
  const hp = await import('hyparquet');
  let buffer;
  let metadata;
  try {
    buffer = await hp.asyncBufferFromFile(file);
    metadata = await hp.parquetMetadataAsync(buffer);
  } catch (e) {
    throw synthError('SYN5054', { source: stage.name, file: t.rel(), reason: (e as NodeJS.ErrnoException).code ? fsReason(e) : `not a Parquet file (${(e as Error).message})` });
  }
  // top-level columns only: a nested group (a list, a record) is one column
  t.header(hp.parquetSchema(metadata).children.map((c) => c.element.name), undefined, false);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = (await hp.parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd })) as Record<string, unknown>[];
    } catch (e) {
      throw synthError('SYN5054', { source: stage.name, file: t.rel(), reason: `rows ${rowStart + 1}-${rowEnd}: ${(e as Error).message}` });
    }
    for (const r of rows) {
      t.add((c) => ({ present: Object.hasOwn(r, c.name), value: r[c.name] }), undefined, true);
      if (t.full) return;
    }
    rowStart = rowEnd;
  }
}

/** A file-system error as a reason: `no such file`, `permission denied`, or the system's message. */
function fsReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'a folder, not a file';
  return String((e as Error).message ?? e);
}
