// `expect` clauses: dataset-level assertions evaluated once all rows are written. Aggregates (share, mean,
// quantile, ...) evaluate their argument per row; the measured value is reported with pass/fail.
import type { DatasetStage } from '../../compiler/plan/schema.js';
import type { ExprIR } from '../../compiler/plan/expr-ir.js';
import { evaluate, EvalError, type Env, type Value } from '../../compiler/plan/eval.js';

export interface ExpectResult {
  text: string;
  passed: boolean;
  /** the measured aggregate values, by their position in the expression */
  measured: Record<string, number>;
  error?: string;
}

function rowEnv(row: Record<string, Value>): Env {
  const env: Env = new Map(Object.entries(row));
  env.set('row', row);
  return env;
}

function aggregate(name: string, args: ExprIR[], rows: Record<string, Value>[]): number {
  const per = (ir: ExprIR) =>
    rows.map((r) => {
      try {
        return evaluate(ir, rowEnv(r));
      } catch {
        return null;
      }
    });
  const nums = (ir: ExprIR) => per(ir).filter((v): v is number => typeof v === 'number');
  switch (name) {
    case 'rows':
      return rows.length;
    case 'share': {
      const v = per(args[0]!);
      return v.length ? v.filter(Boolean).length / v.length : NaN;
    }
    case 'mean': {
      const v = nums(args[0]!);
      return v.reduce((a, b) => a + b, 0) / (v.length || NaN);
    }
    case 'sum':
      return nums(args[0]!).reduce((a, b) => a + b, 0);
    case 'stddev': {
      const v = nums(args[0]!);
      const m = v.reduce((a, b) => a + b, 0) / (v.length || NaN);
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length || NaN));
    }
    case 'min':
      return Math.min(...nums(args[0]!));
    case 'max':
      return Math.max(...nums(args[0]!));
    case 'quantile': {
      const v = nums(args[0]!).sort((a, b) => a - b);
      const q = evaluate(args[1]!, new Map()) as number;
      if (!v.length) return NaN;
      const pos = (v.length - 1) * q;
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
    }
    case 'distinct': {
      const v = per(args[0]!).map((x) => JSON.stringify(x));
      return v.length ? new Set(v).size / v.length : NaN;
    }
  }
  throw new EvalError(`unknown aggregate ${name}`);
}

/** Replaces aggregate nodes by their measured values, then evaluates the comparison. */
export function evaluateExpects(ds: DatasetStage, rows: Record<string, Value>[]): ExpectResult[] {
  return ds.expects.map(({ expr, text }) => {
    const measured: Record<string, number> = {};
    let n = 0;
    const subst = (ir: ExprIR): ExprIR => {
      if ('agg' in ir) {
        const v = aggregate(ir.agg, ir.args, rows);
        measured[`${ir.agg}#${n++}`] = v;
        return { lit: v };
      }
      if ('op' in ir) return { op: ir.op, args: ir.args.map(subst) };
      if ('range' in ir) return { range: [subst(ir.range[0]), subst(ir.range[1])] };
      if ('call' in ir) return { call: ir.call, args: ir.args.map(subst) };
      return ir;
    };
    try {
      const passed = Boolean(evaluate(subst(expr), new Map()));
      return { text, passed, measured };
    } catch (e) {
      return { text, passed: false, measured, error: (e as Error).message };
    }
  });
}
