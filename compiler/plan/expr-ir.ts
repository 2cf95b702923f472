// Dataset expressions lowered for the plan: plain JSON with no source positions (so reformatting a spec never
// changes its plan), names already resolved (enum cases become their names, since enums render as names).
// runtime/eval.ts interprets this IR; it is tiny and evaluated once per row, so an interpreter is right here
// (simulations, evaluated per agent-step, are compiled instead).
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { setOwn } from '../../base/own.js';
import type { CheckContext } from '../check/context.js';

export type ExprIR =
  | { lit: string | number | boolean | null }
  | { var: string }
  | { get: ExprIR; field: string }
  | { index: ExprIR; at: ExprIR }
  | { call: string; args: ExprIR[] }
  | { prompt: string; args: ExprIR[] }
  | { agg: string; args: ExprIR[] }
  | { op: string; args: ExprIR[] }
  | { range: [ExprIR, ExprIR] }
  | { record: Record<string, ExprIR> }
  | { list: ExprIR[] }
  | { template: Array<string | ExprIR> };

/**
 * The plan form of a checked expression (its names resolved through `ctx`); with `aggregates`, calls of
 * `expect` aggregates become `{ agg }` nodes. Only called on programs that checked without errors.
 */
export function lowerExpr(e: A.Expr, ctx: CheckContext, aggregates = false): ExprIR {
  const lower = (x: A.Expr) => lowerExpr(x, ctx, aggregates);
  switch (e.kind) {
    case 'Number':
      return { lit: e.value };
    case 'String':
      return { lit: e.value };
    case 'Bool':
      return { lit: e.value };
    case 'Duration':
      return { lit: e.ms };
    case 'Template':
      return { template: e.parts.map((p) => (p.kind === 'Text' ? p.text : lowerExpr(p.expr, ctx))) };
    case 'Name': {
      const r = ctx.references.get(e.name);
      if (r?.kind === 'enumCase') return { lit: e.name.name };
      return { var: e.name.name };
    }
    case 'Member': {
      const r = ctx.references.get(e.member);
      if (r?.kind === 'enumCase') return { lit: e.member.name };
      return { get: lower(e.object), field: e.member.name };
    }
    case 'Index':
      return { index: lower(e.object), at: lower(e.index) };
    case 'Call': {
      const sym = ctx.symbols.get(e.callee.name);
      if (sym?.decl.kind === 'Prompt') return { prompt: e.callee.name, args: e.args.map(lower) };
      if (aggregates && isAggregateCall(e)) return { agg: e.callee.name, args: e.args.map((a) => lowerExpr(a, ctx, false)) };
      return { call: e.callee.name, args: e.args.map(lower) };
    }
    case 'Unary':
      return { op: e.op === '-' ? 'neg' : 'not', args: [lower(e.operand)] };
    case 'Binary':
      return { op: e.op, args: [lower(e.left), lower(e.right)] };
    case 'Range':
      return { range: [lower(e.low), lower(e.high)] };
    case 'Record': {
      const record: Record<string, ExprIR> = {};
      for (const en of e.entries) setOwn(record, keyName(en.key), lower(en.value));
      return { record };
    }
    case 'Array':
      return { list: e.items.map(lower) };
    case 'Reduction':
    case 'Missing':
      return { lit: null };
  }
}

const AGG = new Set(['share', 'mean', 'stddev', 'sum', 'quantile', 'distinct', 'rows']);
function isAggregateCall(e: A.CallExpr): boolean {
  // `min`/`max` with one argument are aggregates in `expect`; with two they are the scalar functions.
  return AGG.has(e.callee.name) || ((e.callee.name === 'min' || e.callee.name === 'max') && e.args.length === 1);
}
