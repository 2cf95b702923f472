// The plan's expressions (expr-ir.ts) printed back as Synth source, for messages: a failed row names the
// expression that failed (`1.0 / v`) and the values of the names it read (`v = 0`). The plan keeps no source
// text (reformatting must not change it), so this printer is the way back; it is close to, not exactly, what
// the user wrote (parentheses are added wherever precedence needs them, literals are printed canonically).
import type { ExprIR } from './expr-ir.js';
import type { Env, Value } from './eval.js';

const PREC: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, in: 3, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };

/** `ir` as Synth source text, shortened to about `max` characters. */
export function showExpr(ir: ExprIR, max = 120): string {
  const s = show(ir, 0);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function show(ir: ExprIR, outer: number): string {
  if ('lit' in ir) return literal(ir.lit);
  if ('var' in ir) return ir.var;
  if ('get' in ir) return `${show(ir.get, 9)}.${ir.field}`;
  if ('index' in ir) return `${show(ir.index, 9)}[${show(ir.at, 0)}]`;
  if ('prompt' in ir) return `${ir.prompt}(${ir.args.map((a) => show(a, 0)).join(', ')})`;
  if ('call' in ir) return `${ir.call}(${ir.args.map((a) => show(a, 0)).join(', ')})`;
  if ('agg' in ir) return `${ir.agg}(${ir.args.map((a) => show(a, 0)).join(', ')})`;
  if ('range' in ir) return `${show(ir.range[0], 4)}..${show(ir.range[1], 4)}`;
  if ('record' in ir) return `{ ${Object.entries(ir.record).map(([k, v]) => `${k}: ${show(v, 0)}`).join(', ')} }`;
  if ('list' in ir) return `[${ir.list.map((x) => show(x, 0)).join(', ')}]`;
  if ('template' in ir) return JSON.stringify(ir.template.map((p) => (typeof p === 'string' ? p.replace(/[{}]/g, '\\$&') : `{${show(p, 0)}}`)).join(''));
  if ('op' in ir) {
    if (ir.op === 'neg') return `-${show(ir.args[0]!, 8)}`;
    if (ir.op === 'not') return `!${show(ir.args[0]!, 8)}`;
    const p = PREC[ir.op] ?? 4;
    const text = `${show(ir.args[0]!, p)} ${ir.op} ${show(ir.args[1]!, p + 1)}`;
    return p < outer ? `(${text})` : text;
  }
  return '?';
}

function literal(v: string | number | boolean | null): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** The names an expression reads, in first-use order. */
export function namesRead(ir: ExprIR): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    const o = x as Record<string, unknown>;
    if (typeof o['var'] === 'string' && !out.includes(o['var'])) out.push(o['var']);
    for (const v of Object.values(o)) walk(v);
  };
  walk(ir);
  return out;
}

/** `v = 0, name = "ann"`: the values of the names `ir` reads, each shortened, for a failed row's message. */
export function showValues(ir: ExprIR, env: Env, maxEach = 60): string {
  return namesRead(ir)
    .filter((n) => env.has(n))
    .map((n) => `${n} = ${shortValue(env.get(n)!, maxEach)}`)
    .join(', ');
}

/** A value as JSON (non-finite numbers by name), shortened to `max` characters. */
export function shortValue(v: Value, max = 60): string {
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
