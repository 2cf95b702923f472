// Evaluates the plan's dataset expressions (compiler/plan/expr-ir.ts). The checker has already typed every
// expression, so this is a small, strict interpreter: a failure here (e.g. a field missing from an LLM's
// answer) throws EvalError, which the executor turns into a failed row, never a crash.
//
// Prompt calls are asynchronous; everything else is synchronous. `resolvePrompts` runs the prompt calls of an
// expression first (innermost first), then `evaluate` reads their results from the map.
import { parseDate, parseDatetime } from './dates.js';
import type { ExprIR } from './expr-ir.js';
import { setOwn } from '../../base/own.js';

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
export type Env = Map<string, Value>;

/** A row expression failed. `expr` is the innermost expression that failed and `env` the names in scope there
 *  (set by `evaluate` as the error passes through), so a message can show the expression and its values. */
export class EvalError extends Error {
  expr?: ExprIR;
  env?: Env;
}

export type PromptResults = Map<ExprIR, Value>;

function num(v: Value, what: string): number {
  if (typeof v !== 'number') throw new EvalError(`${what}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

function text(v: Value): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

/** How a value is interpolated into a template: text as-is, lists joined by ", ", records as indented JSON. */
export function interpolate(v: Value): string {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : text(x))).join(', ');
  return text(v);
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  len: ([x]) => (Array.isArray(x) ? x.length : typeof x === 'string' ? [...x].length : 0),
  words: ([x]) => text(x!).split(/\s+/).filter(Boolean).length,
  lower: ([x]) => text(x!).toLowerCase(),
  upper: ([x]) => text(x!).toUpperCase(),
  trim: ([x]) => text(x!).trim(),
  contains: ([a, b]) => text(a!).includes(text(b!)),
  starts_with: ([a, b]) => text(a!).startsWith(text(b!)),
  ends_with: ([a, b]) => text(a!).endsWith(text(b!)),
  str: ([x]) => text(x!),
  join: ([xs, sep]) => (Array.isArray(xs) ? xs.map(text).join(text(sep!)) : text(xs!)),
  round: ([x]) => Math.round(num(x!, 'round')),
  floor: ([x]) => Math.floor(num(x!, 'floor')),
  ceil: ([x]) => Math.ceil(num(x!, 'ceil')),
  abs: ([x]) => Math.abs(num(x!, 'abs')),
  min: ([a, b]) => Math.min(num(a!, 'min'), num(b!, 'min')),
  max: ([a, b]) => Math.max(num(a!, 'max'), num(b!, 'max')),
  if_else: ([c, a, b]) => (c ? a! : b!),
  date: ([x]) => {
    // text `YYYY-MM-DD`, or a datetime (canonical or any ISO 8601 with a zone): its UTC day
    const s = text(x!);
    const d = parseDate(s) ?? parseDatetime(s)?.slice(0, 10);
    if (d === undefined) throw new EvalError(`date: ${JSON.stringify(s).slice(0, 80)} is not an ISO 8601 date (YYYY-MM-DD)`);
    return d;
  },
  datetime: ([x]) => {
    const s = text(x!);
    const d = parseDatetime(s);
    if (d === undefined) throw new EvalError(`datetime: ${JSON.stringify(s).slice(0, 80)} is not an ISO 8601 datetime with a zone (e.g. 2024-01-31T09:30:00Z)`);
    return d;
  },
};

function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The value of a plan expression `ir` for one row: variables from `env`, prompt calls from `prompts` (resolved
 * before by `resolvePrompts`). Throws EvalError for a value it cannot compute (a missing variable, an operand of
 * the wrong kind from a model's answer, an unresolved prompt call); the executor turns that into a failed row.
 */
export function evaluate(ir: ExprIR, env: Env, prompts?: PromptResults): Value {
  try {
    return evaluateNode(ir, env, prompts);
  } catch (e) {
    if (e instanceof EvalError && !e.expr) {
      e.expr = ir;
      e.env = env;
    }
    throw e;
  }
}

function evaluateNode(ir: ExprIR, env: Env, prompts?: PromptResults): Value {
  if ('lit' in ir) return ir.lit;
  if ('var' in ir) {
    if (!env.has(ir.var)) throw new EvalError(`'${ir.var}' has no value here`);
    return env.get(ir.var)!;
  }
  if ('get' in ir) {
    const o = evaluate(ir.get, env, prompts);
    if (o === null || typeof o !== 'object' || Array.isArray(o) || !(ir.field in o)) {
      throw new EvalError(`no field '${ir.field}' in ${JSON.stringify(o)?.slice(0, 80)}`);
    }
    return o[ir.field]!;
  }
  if ('index' in ir) {
    const o = evaluate(ir.index, env, prompts);
    const i = num(evaluate(ir.at, env, prompts), 'index');
    if (!Array.isArray(o) || i < 0 || i >= o.length) throw new EvalError(`index ${i} out of range`);
    return o[i]!;
  }
  if ('prompt' in ir) {
    if (!prompts?.has(ir)) throw new EvalError(`prompt ${ir.prompt} was not run`);
    return prompts.get(ir)!;
  }
  if ('call' in ir) {
    const fn = FUNCTIONS[ir.call];
    if (!fn) throw new EvalError(`unknown function ${ir.call}`);
    // if_else evaluates only the branch it takes
    if (ir.call === 'if_else') return evaluate(ir.args[0]!, env, prompts) ? evaluate(ir.args[1]!, env, prompts) : evaluate(ir.args[2]!, env, prompts);
    return fn(ir.args.map((a) => evaluate(a, env, prompts)));
  }
  if ('agg' in ir) throw new EvalError(`aggregate ${ir.agg} outside expect`);
  if ('op' in ir) return operator(ir.op, ir.args, env, prompts);
  if ('range' in ir) return [evaluate(ir.range[0], env, prompts), evaluate(ir.range[1], env, prompts)];
  if ('record' in ir) {
    const out: { [k: string]: Value } = {};
    for (const [k, v] of Object.entries(ir.record)) setOwn(out, k, evaluate(v, env, prompts));
    return out;
  }
  if ('list' in ir) return ir.list.map((x) => evaluate(x, env, prompts));
  if ('template' in ir) return ir.template.map((p) => (typeof p === 'string' ? p : interpolate(evaluate(p, env, prompts)))).join('');
  throw new EvalError('malformed expression');
}

function operator(op: string, args: ExprIR[], env: Env, prompts?: PromptResults): Value {
  if (op === '&&') return Boolean(evaluate(args[0]!, env, prompts)) && Boolean(evaluate(args[1]!, env, prompts));
  if (op === '||') return Boolean(evaluate(args[0]!, env, prompts)) || Boolean(evaluate(args[1]!, env, prompts));
  const a = evaluate(args[0]!, env, prompts);
  if (op === 'neg') return -num(a, '-');
  if (op === 'not') return !a;
  const b = evaluate(args[1]!, env, prompts);
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    // Text here is a date or datetime (the checker orders no other text): canonical ISO text orders like time.
    case '<':
      return typeof a === 'string' && typeof b === 'string' ? a < b : num(a, op) < num(b, op);
    case '<=':
      return typeof a === 'string' && typeof b === 'string' ? a <= b : num(a, op) <= num(b, op);
    case '>':
      return typeof a === 'string' && typeof b === 'string' ? a > b : num(a, op) > num(b, op);
    case '>=':
      return typeof a === 'string' && typeof b === 'string' ? a >= b : num(a, op) >= num(b, op);
    case 'in':
      if (Array.isArray(b) && 'range' in args[1]!) {
        if (typeof a === 'string' && typeof b[0] === 'string' && typeof b[1] === 'string') return a >= b[0] && a <= b[1]; // dates
        return num(a, 'in') >= num(b[0]!, 'in') && num(a, 'in') <= num(b[1]!, 'in');
      }
      return Array.isArray(b) && b.some((x) => equal(x, a));
    case '+':
      if (typeof a === 'string' || typeof b === 'string') return text(a) + text(b);
      return num(a, op) + num(b, op);
    case '-':
      return num(a, op) - num(b, op);
    case '*':
      return num(a, op) * num(b, op);
    case '/': {
      const d = num(b, op);
      if (d === 0) throw new EvalError('division by zero');
      return num(a, op) / d;
    }
    case '%': {
      const d = num(b, op);
      if (d === 0) throw new EvalError('division by zero');
      return num(a, op) % d;
    }
  }
  throw new EvalError(`unknown operator ${op}`);
}

/** All prompt-call nodes of an expression, innermost first (the order they must run in). */
export function promptCalls(ir: ExprIR): Array<Extract<ExprIR, { prompt: string }>> {
  const out: Array<Extract<ExprIR, { prompt: string }>> = [];
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    for (const v of Object.values(x as object)) walk(v);
    if (typeof (x as { prompt?: unknown }).prompt === 'string') out.push(x as Extract<ExprIR, { prompt: string }>);
  };
  walk(ir);
  return out;
}

/**
 * Calls every prompt call in `ir` in evaluation order (depth first, arguments first) through `call`, with its
 * arguments evaluated in `env` and its index among the row's calls; returns the answers for `evaluate`.
 * Rejects with whatever `call` or `evaluate` throws.
 */
export async function resolvePrompts(
  ir: ExprIR,
  env: Env,
  call: (prompt: string, args: Value[], callIndex: number) => Promise<Value>,
): Promise<PromptResults> {
  const results: PromptResults = new Map();
  let i = 0;
  for (const node of promptCalls(ir)) {
    const args = node.args.map((a) => evaluate(a, env, results));
    results.set(node, await call(node.prompt, args, i++));
  }
  return results;
}
