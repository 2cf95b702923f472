// Built-in functions of dataset expressions (`check`, `row = {...}`, `let`, templates) and of `expect`
// aggregates, and the samplers of `vary`. The runtime implements exactly these (runtime/eval.ts); the LSP
// offers them in completion with these docs.
import { MESSAGE_TYPE } from './chat-types.js';
import { T, isNumeric, joinTypes, type Ty } from './types.js';

/** What is wrong with a call's arguments: their number (SYN2010), or the type of one (0-based `index`, SYN2032). */
export type ArgProblem = { problem: 'count'; expected: number } | { problem: 'type'; index: number; expected: string };

export interface BuiltinFn {
  doc: string;
  signature: string;
  /** The result type for arguments of types `args`, or what is wrong with them. */
  result(args: Ty[]): Ty | ArgProblem;
}

/** Is `r` a problem with the arguments rather than a result type? */
export function isArgProblem(r: Ty | ArgProblem): r is ArgProblem {
  return 'problem' in r;
}

/** A parameter: which argument types it accepts, and how a message names them. */
interface Param {
  accepts(t: Ty): boolean;
  what: string;
}

const NUM: Param = { accepts: isNumeric, what: 'a number' };
const TEXT: Param = { accepts: (t) => t.k === 'string' || t.k === 'union' || t.k === 'unknown' || t.k === 'enum', what: 'text' };
const LIST: Param = { accepts: (t) => t.k === 'array' || t.k === 'unknown', what: 'a list' };
const TEXT_OR_LIST: Param = { accepts: (t) => TEXT.accepts(t) || t.k === 'array', what: 'text or a list' };
const BOOL: Param = { accepts: (t) => t.k === 'bool' || t.k === 'unknown', what: 'bool' };
const ANY: Param = { accepts: () => true, what: 'a value' };
const RECORD: Param = { accepts: (t) => t.k === 'record' || t.k === 'struct' || t.k === 'unknown', what: 'a record or struct' };
const MESSAGE: Param = { accepts: (t) => t.k === 'unknown' || (t.k === 'record' && t.name === 'message'), what: 'a message' };
const WHEN: Param = { accepts: (t) => t.k === 'string' || t.k === 'union' || t.k === 'unknown' || t.k === 'date' || t.k === 'datetime', what: 'ISO 8601 text, a date or a datetime' };

function fixed(sig: string, doc: string, params: Param[], out: (args: Ty[]) => Ty): BuiltinFn {
  return {
    doc,
    signature: sig,
    result(args) {
      if (args.length !== params.length) return { problem: 'count', expected: params.length };
      for (let i = 0; i < params.length; i++) if (!params[i]!.accepts(args[i]!)) return { problem: 'type', index: i, expected: params[i]!.what };
      return out(args);
    },
  };
}

const num = NUM.accepts;

const widen = (a: Ty, b: Ty): Ty => (a.k === 'float' || b.k === 'float' ? T.float : a.k === 'unknown' ? b : a);

export const FUNCTIONS: Record<string, BuiltinFn> = {
  len: fixed('len(text | list)', 'length in characters, or number of items', [TEXT_OR_LIST], () => T.int),
  words: fixed('words(text)', 'number of whitespace-separated words', [TEXT], () => T.int),
  lower: fixed('lower(text)', 'lower-case text', [TEXT], () => T.string),
  upper: fixed('upper(text)', 'upper-case text', [TEXT], () => T.string),
  trim: fixed('trim(text)', 'text without leading/trailing whitespace', [TEXT], () => T.string),
  contains: fixed('contains(text, part)', 'does text contain part?', [TEXT, TEXT], () => T.bool),
  starts_with: fixed('starts_with(text, prefix)', 'does text start with prefix?', [TEXT, TEXT], () => T.bool),
  ends_with: fixed('ends_with(text, suffix)', 'does text end with suffix?', [TEXT, TEXT], () => T.bool),
  str: fixed('str(value)', 'the value as text', [ANY], () => T.string),
  join: fixed('join(list, separator)', 'list items joined with separator', [LIST, TEXT], () => T.string),
  round: fixed('round(x)', 'nearest integer', [NUM], () => T.int),
  floor: fixed('floor(x)', 'largest integer ≤ x', [NUM], () => T.int),
  ceil: fixed('ceil(x)', 'smallest integer ≥ x', [NUM], () => T.int),
  abs: fixed('abs(x)', 'absolute value', [NUM], (a) => a[0]!),
  min: fixed('min(a, b)', 'the smaller of a and b', [NUM, NUM], (a) => widen(a[0]!, a[1]!)),
  max: fixed('max(a, b)', 'the larger of a and b', [NUM, NUM], (a) => widen(a[0]!, a[1]!)),
  date: fixed('date(text | datetime)', 'a calendar day: ISO 8601 text `"2024-01-31"`, or the UTC day of a datetime', [WHEN], () => T.date),
  datetime: fixed('datetime(text | date)', 'an instant: ISO 8601 text with a zone `"2024-01-31T09:30:00Z"`, or midnight UTC of a date', [WHEN], () => T.datetime),
  if_else: {
    doc: 'a if cond is true, otherwise b',
    signature: 'if_else(cond, a, b)',
    result(args) {
      if (args.length !== 3) return { problem: 'count', expected: 3 };
      if (!BOOL.accepts(args[0]!)) return { problem: 'type', index: 0, expected: BOOL.what };
      const [, a, b] = args as [Ty, Ty, Ty];
      if (num(a) && num(b)) return widen(a, b);
      return joinTypes(a, b);
    },
  },
  // conversations (compiler/chat-types.ts): messages in OpenAI's chat fine-tuning format
  system: fixed('system(text)', 'a system message', [TEXT], () => MESSAGE_TYPE),
  user: fixed('user(text)', 'a user message', [TEXT], () => MESSAGE_TYPE),
  assistant: fixed('assistant(text)', 'an assistant message', [TEXT], () => MESSAGE_TYPE),
  call_tool: fixed('call_tool(name, arguments)', 'an assistant message calling tool `name` with `arguments` (a record or struct, written as JSON)', [TEXT, RECORD], () => MESSAGE_TYPE),
  tool_result: fixed('tool_result(call, content)', 'the tool message answering `call` (a message made by call_tool); content that is not text is written as JSON', [MESSAGE, ANY], () => MESSAGE_TYPE),
};

/** Aggregates over all rows, for `expect`. Their arguments are evaluated per row. */
export const AGGREGATES: Record<string, BuiltinFn> = {
  share: fixed('share(cond)', 'fraction of rows where cond holds', [BOOL], () => T.float),
  mean: fixed('mean(x)', 'mean of x over rows', [NUM], () => T.float),
  stddev: fixed('stddev(x)', 'standard deviation of x over rows', [NUM], () => T.float),
  sum: fixed('sum(x)', 'sum of x over rows', [NUM], () => T.float),
  quantile: fixed('quantile(x, q)', 'the q-quantile of x over rows', [NUM, NUM], () => T.float),
  min: fixed('min(x)', 'smallest x over rows', [NUM], () => T.float),
  max: fixed('max(x)', 'largest x over rows', [NUM], () => T.float),
  distinct: fixed('distinct(x)', 'distinct values of x divided by rows (1.0 = all different)', [ANY], () => T.float),
  rows: fixed('rows()', 'number of rows written', [], () => T.int),
};

export interface SamplerSpec {
  doc: string;
  signature: string;
}

export const SAMPLERS: Record<string, SamplerSpec> = {
  uniform: { signature: 'uniform(Enum) | uniform(low, high)', doc: 'every enum case equally likely, a float uniform in [low, high), or a date (datetime) uniform in [low, high]' },
  one_of: { signature: 'one_of(a, b, ...) | one_of(TABLE)', doc: 'one of the listed values, equally likely; or a row of a table source or dataset' },
  weighted: { signature: 'weighted { a: 0.6, b: 0.4 } | weighted(TABLE, column)', doc: 'enum cases or strings with probabilities summing to 1; or a row of a table source or dataset, weighted by a numeric column' },
  normal: { signature: 'normal(mean, sd)', doc: 'normally distributed float' },
  randint: { signature: 'randint(low, high)', doc: 'integer uniform in [low, high], both ends included' },
  bernoulli: { signature: 'bernoulli(p)', doc: 'true with probability p' },
  poisson: { signature: 'poisson(lambda)', doc: 'Poisson-distributed count' },
  fake: { signature: 'fake("module.method", locale: "en")', doc: 'a realistic value from faker (@faker-js/faker): names, emails, addresses, companies, dates…' },
  uuid: { signature: 'uuid()', doc: 'a random version-4 UUID, deterministic per row: a key' },
  seq: { signature: 'seq()', doc: 'the row index + 1: unique and increasing in output order (gaps where rows were dropped): a key' },
};
