// The step interpreter: runs a dataset's steps (let, new values, loops, row, check, judge) for one row and asks
// for each prompt call as it is reached, so only the calls of the branches taken are made — `if_else`, `match`,
// `&&` and `||` evaluate lazily, prompt calls included. It is a generator: it yields a `CallRequest` and is
// resumed with the answer. The runtime drives it asynchronously (runtime/dataset/produce.ts, one real call per
// request); the estimate drives it synchronously (estimate.ts), answering every request with `UNKNOWN`.
//
// With `UNKNOWN` answers (`explore`), a condition that depends on an answer cannot be decided: both branches are
// run, so their calls are all counted, and `onUpperBound` is told — the count is then an upper bound. Values
// computed from `UNKNOWN` are `UNKNOWN`; `vary` draws, `for` items and constants stay known, so conditions and
// loops over them are decided exactly as the run will decide them.
//
// A call's `site` names it within its row for the LLM cache: the step (`row`, a let's name, `judge:NAME`; inside
// a loop body also the step's position and, per enclosing loop, the loop's position and iteration: `x#1@2:i=3`)
// and its index among the step's calls in evaluation order. The index is
// static (the call's position in its expression), so taking one branch never renumbers the calls of another,
// and an expression without conditionals numbers its calls as they always were.
import { binaryOp, callFunction, EvalError, evaluate, interpolate, matchArm, promptCalls, unaryOp, type Env, type Value } from './eval.js';
import type { ExprIR } from './expr-ir.js';
import type { DatasetStep } from './schema.js';

export type PromptNode = Extract<ExprIR, { prompt: string }>;

/** A prompt call to be answered: the prompt, its arguments, the model it is sent to (`using`; undefined: the
 *  prompt's own), and its site in the row (see the header). */
export interface CallRequest {
  prompt: string;
  args: Value[];
  model: Value | undefined;
  site: string;
}

/** What running a row's steps asks for (calls), is told (answers) and returns. */
export type StepRun<R> = Generator<CallRequest, R, Value>;

/** The value of an answer the estimate does not know (see the header). Compared by identity. */
export const UNKNOWN: Value = Object.freeze({ '#unknown': true }) as unknown as Value;

/** Loop iterations one loop may run in one row: beyond this the row fails (a runaway range). */
export const MAX_LOOP_ITERATIONS = 10_000;

export interface InterpretOptions {
  /** the estimate: UNKNOWN answers are expected, undecidable conditions run both branches */
  explore?: boolean;
  /** told once per branch point that could not be decided and holds prompt calls (explore only) */
  onUpperBound?: () => void;
}

/** Why a row was dropped by a `check` or a judge threshold; undefined when it passed them all. */
export type Filtered = string | undefined;

/** The judge's score from its answer: a number, or a struct's numeric `score`. */
function scoreOf(raw: Value): number | undefined {
  if (typeof raw === 'number') return raw;
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && typeof raw['score'] === 'number') return raw['score'];
  return undefined;
}

/**
 * Runs `steps` for one row in `scope` (its `vary` values and `for` item; the steps add their names), asking for
 * each prompt call. Returns why a `check` or judge dropped the row, or undefined; throws EvalError when an
 * expression cannot be computed (the row fails).
 */
export function* runSteps(steps: DatasetStep[], scope: Env, o: InterpretOptions = {}, loops = ''): StepRun<Filtered> {
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    // a site inside a loop body also names the step's position (two `chat = …` of one body are two sites) and
    // the iteration of each enclosing loop (`@2:turn=3`: the loop that is step 2, its third turn)
    const at = loops ? `#${k}${loops}` : '';
    if ('let' in step) scope.set(step.let, yield* evalRoot(step.expr, scope, o, step.let + at));
    else if ('set' in step) scope.set(step.set, yield* evalRoot(step.expr, scope, o, `set:${step.set}${at}`));
    else if ('row' in step) scope.set('row', yield* evalRoot(step.row, scope, o, 'row' + at));
    else if ('loop' in step) {
      const from = yield* evalRoot(step.from, scope, o, `loop:${step.loop}${at}`);
      const to = yield* evalRoot(step.to, scope, o, `loop:${step.loop}${at}`);
      if (from === UNKNOWN || to === UNKNOWN) {
        // a bound the estimate cannot know (a `for` item it was not given): one iteration, as an upper bound
        o.onUpperBound?.();
        scope.set(step.loop, UNKNOWN);
        yield* runSteps(step.steps, scope, o, `${loops}@${k}:${step.loop}=?`);
        continue;
      }
      if (typeof from !== 'number' || typeof to !== 'number') throw Object.assign(new EvalError(`loop ${step.loop}: the range is not two numbers`), { expr: step.from, env: scope });
      if (to - from + 1 > MAX_LOOP_ITERATIONS) throw Object.assign(new EvalError(`loop ${step.loop}: ${from}..${to} is more than ${MAX_LOOP_ITERATIONS} iterations`), { expr: step.to, env: scope });
      for (let i = from; i <= to; i++) {
        scope.set(step.loop, i);
        const filtered = yield* runSteps(step.steps, scope, o, `${loops}@${k}:${step.loop}=${i}`);
        if (filtered !== undefined) return filtered;
      }
    } else if ('check' in step) {
      const ok = evalKnown(step.check, scope);
      if (ok !== UNKNOWN && !ok) return `filtered: check ${step.text}`;
    } else if ('judge' in step) {
      const raw = yield* evalRoot(step.call, scope, o, `judge:${step.judge}${loops}`);
      if (raw === UNKNOWN) {
        scope.set(step.judge, UNKNOWN);
        if (step.reason) scope.set(step.judge + '_reason', UNKNOWN);
        continue; // the estimate assumes the row passes
      }
      const score = scoreOf(raw);
      if (score === undefined || !Number.isFinite(score)) {
        throw Object.assign(new EvalError(`judge ${step.judge} gave no numeric score (got ${JSON.stringify(raw)?.slice(0, 60)})`), { expr: step.call, env: scope });
      }
      scope.set(step.judge, score);
      if (step.reason) {
        const r = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw[step.reason] : undefined;
        scope.set(step.judge + '_reason', typeof r === 'string' ? r : null);
      }
      if (step.threshold) {
        const th = evaluate(step.threshold, scope) as number;
        if (!(step.op === '>' ? score > th : score >= th)) return `filtered: judge ${step.judge} = ${score} (needs ${step.op} ${th})`;
      }
    }
  }
  return undefined;
}

/** `evaluate`, or UNKNOWN when the expression reads an unknown value (explore only; `check`s have no calls). */
function evalKnown(ir: ExprIR, scope: Env): Value {
  if (!readsUnknown(ir, scope)) return evaluate(ir, scope);
  return UNKNOWN;
}

/** Does `ir` read a name whose value is (or holds) UNKNOWN? */
function readsUnknown(ir: unknown, scope: Env): boolean {
  if (!ir || typeof ir !== 'object') return false;
  if (Array.isArray(ir)) return ir.some((x) => readsUnknown(x, scope));
  const v = (ir as { var?: unknown }).var;
  if (typeof v === 'string') return holdsUnknown(scope.get(v));
  return Object.values(ir).some((x) => readsUnknown(x, scope));
}

function holdsUnknown(v: Value | undefined): boolean {
  if (v === UNKNOWN) return true;
  if (!v || typeof v !== 'object') return false;
  return Array.isArray(v) ? v.some(holdsUnknown) : Object.values(v).some(holdsUnknown);
}

/** The static index of each prompt call of a step's expression (its position in evaluation order). */
const indices = new WeakMap<ExprIR, Map<ExprIR, number>>();
function indexOf(root: ExprIR, node: ExprIR): number {
  let m = indices.get(root);
  if (!m) {
    m = new Map(promptCalls(root).map((c, i) => [c, i]));
    indices.set(root, m);
  }
  return m.get(node) ?? 0;
}

/** Memo: does an expression hold a prompt call? (Only such branches matter for the upper bound.) */
const callsIn = new WeakMap<ExprIR, boolean>();
function hasCalls(ir: ExprIR): boolean {
  let b = callsIn.get(ir);
  if (b === undefined) callsIn.set(ir, (b = promptCalls(ir).length > 0));
  return b;
}

/** A step's expression: the fast synchronous evaluator when it holds no prompt call, else the interpreter; `where`
 *  names its calls' sites (see the header; a nested `for`'s list is `for:NAME`). */
export function* evalRoot(ir: ExprIR, scope: Env, o: InterpretOptions, where: string): StepRun<Value> {
  if (!hasCalls(ir)) return o.explore ? evalKnown(ir, scope) : evaluate(ir, scope);
  return yield* evalExpr(ir, scope, { root: ir, where, o });
}

interface Ctx {
  root: ExprIR;
  where: string;
  o: InterpretOptions;
}

/**
 * The value of `ir`, asking for its prompt calls as they are reached. The semantics are `evaluate`'s (eval.ts),
 * except that calls happen here and undecidable conditions are explored (see the header). An EvalError is
 * annotated with the innermost expression and the names in scope, as `evaluate` does.
 */
export function* evalExpr(ir: ExprIR, env: Env, c: Ctx): StepRun<Value> {
  try {
    return yield* node(ir, env, c);
  } catch (e) {
    if (e instanceof EvalError && !e.expr) {
      e.expr = ir;
      e.env = env;
    }
    throw e;
  }
}

function* node(ir: ExprIR, env: Env, c: Ctx): StepRun<Value> {
  if (!hasCalls(ir)) return c.o.explore ? evalKnown(ir, env) : evaluate(ir, env);
  if ('prompt' in ir) {
    const args: Value[] = [];
    for (const a of ir.args) args.push(yield* evalExpr(a, env, c));
    const model = ir.using ? yield* evalExpr(ir.using, env, c) : undefined;
    return yield { prompt: ir.prompt, args, model, site: `${c.where}/${indexOf(c.root, ir)}` };
  }
  if ('call' in ir) {
    if (ir.call === 'if_else') {
      const cond = yield* evalExpr(ir.args[0]!, env, c);
      if (cond === UNKNOWN) return yield* both([ir.args[1]!, ir.args[2]!], env, c);
      return yield* evalExpr(cond ? ir.args[1]! : ir.args[2]!, env, c);
    }
    const args: Value[] = [];
    for (const a of ir.args) args.push(yield* evalExpr(a, env, c));
    if (args.some((a) => a === UNKNOWN)) return UNKNOWN;
    return callFunction(ir.call, args, env);
  }
  if ('match' in ir) {
    const subject = yield* evalExpr(ir.match, env, c);
    if (subject === UNKNOWN) return yield* both([...ir.cases.map(([, v]) => v), ...(ir.default ? [ir.default] : [])], env, c);
    return yield* evalExpr(matchArm(ir, subject), env, c);
  }
  if ('op' in ir) {
    const [l, r] = ir.args;
    const a = yield* evalExpr(l!, env, c);
    if (ir.op === '&&' || ir.op === '||') {
      if (a === UNKNOWN) return yield* both([r!], env, c);
      if (ir.op === '&&' ? !a : a) return Boolean(a);
      const b = yield* evalExpr(r!, env, c);
      return b === UNKNOWN ? UNKNOWN : Boolean(b);
    }
    if (ir.op === 'neg' || ir.op === 'not') return a === UNKNOWN ? UNKNOWN : unaryOp(ir.op, a);
    const b = yield* evalExpr(r!, env, c);
    if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
    return binaryOp(ir.op, a, b, 'range' in r!);
  }
  if ('get' in ir) {
    const o = yield* evalExpr(ir.get, env, c);
    if (o === UNKNOWN) return UNKNOWN;
    if (o === null || typeof o !== 'object' || Array.isArray(o) || !(ir.field in o)) throw new EvalError(`no field '${ir.field}' in ${JSON.stringify(o)?.slice(0, 80)}`);
    return o[ir.field]!;
  }
  if ('index' in ir) {
    const o = yield* evalExpr(ir.index, env, c);
    const i = yield* evalExpr(ir.at, env, c);
    if (o === UNKNOWN || i === UNKNOWN) return UNKNOWN;
    if (typeof i !== 'number') throw new EvalError(`index: expected a number, got ${JSON.stringify(i)}`);
    if (!Array.isArray(o) || i < 0 || i >= o.length) throw new EvalError(`index ${i} out of range`);
    return o[i]!;
  }
  if ('record' in ir) {
    const out: { [k: string]: Value } = {};
    for (const [k, v] of Object.entries(ir.record)) out[k] = yield* evalExpr(v, env, c);
    return out;
  }
  if ('list' in ir) {
    const out: Value[] = [];
    for (const x of ir.list) out.push(yield* evalExpr(x, env, c));
    return out;
  }
  if ('template' in ir) {
    const parts: Value[] = [];
    for (const p of ir.template) parts.push(typeof p === 'string' ? p : yield* evalExpr(p, env, c));
    if (parts.some((p) => p === UNKNOWN)) return UNKNOWN;
    return parts.map(interpolate).join('');
  }
  if ('range' in ir) return [yield* evalExpr(ir.range[0], env, c), yield* evalExpr(ir.range[1], env, c)];
  return evaluate(ir, env);
}

/** A branch point the estimate cannot decide: every branch runs (their calls all count); the value is unknown. */
function* both(branches: ExprIR[], env: Env, c: Ctx): StepRun<Value> {
  if (!c.o.explore) throw new EvalError('a condition has no value');
  if (branches.some(hasCalls)) c.o.onUpperBound?.();
  for (const b of branches) yield* evalExpr(b, env, c);
  return UNKNOWN;
}

/**
 * Drives `run` with `answer` for each call request, asynchronously (the runtime). Rejects with whatever the
 * steps or `answer` throw.
 */
export async function drive<R>(run: StepRun<R>, answer: (r: CallRequest) => Promise<Value>): Promise<R> {
  let next = run.next();
  while (!next.done) {
    let value: Value;
    try {
      value = await answer(next.value);
    } catch (e) {
      run.return(undefined as R);
      throw e;
    }
    next = run.next(value);
  }
  return next.value;
}
