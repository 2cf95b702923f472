// Shrinks a generated sim that the backends disagree on to a small program that still makes them disagree:
// greedy, one edit at a time (fewer worlds/agents/steps, a rule, a statement or a check removed, an `if`
// replaced by one branch, an expression replaced by one of its operands or by a plain literal), keeping each
// edit after which the program still checks and still fails. The result is what a regression test keeps.
import { printProgram, type GExpr, type GStmt, type GTy, type GenProgram } from './sim-gen.js';

const EXPR_KINDS = new Set(['lit', 'name', 'member', 'un', 'bin', 'call', 'red']);
const isExpr = (x: unknown): x is GExpr => !!x && typeof x === 'object' && EXPR_KINDS.has((x as { k?: string }).k ?? '');
const isStmtList = (key: string) => key === 'body' || key === 'then' || key === 'else';

type Path = (string | number)[];

function at(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root);
}

function withReplaced<T>(root: T, path: Path, value: unknown): T {
  const copy = structuredClone(root);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = structuredClone(value);
  return copy;
}

function withSpliced<T>(root: T, path: Path, index: number, insert: unknown[]): T {
  const copy = structuredClone(root);
  (at(copy, path) as unknown[]).splice(index, 1, ...structuredClone(insert));
  return copy;
}

function simpleLit(ty: GTy | 'int'): GExpr {
  switch (ty) {
    case 'f32':
      return { k: 'lit', ty: 'f32', text: '1.0' };
    case 'bool':
      return { k: 'lit', ty: 'bool', text: 'true' };
    case 'i32':
    case 'u32':
    case 'int':
      return { k: 'lit', ty: 'int', text: '1' };
    default:
      return { k: 'call', ty, fn: ty, args: [{ k: 'lit', ty: 'f32', text: '1.0' }] };
  }
}

function exprChildren(e: GExpr): GExpr[] {
  switch (e.k) {
    case 'un':
      return [e.a];
    case 'bin':
      return [e.a, e.b];
    case 'call':
      return e.args;
    case 'member':
      return [e.obj];
    case 'red':
      return [e.body, ...(e.where ? [e.where] : []), ...(e.dflt ? [e.dflt] : [])];
    default:
      return [];
  }
}

/** Every smaller program one edit away, biggest cuts first. */
export function* candidates(p: GenProgram): Generator<GenProgram> {
  if (p.worlds > 1) yield { ...p, worlds: 1 };
  if (p.agents > 1) yield { ...p, agents: 1 };
  if (p.agents > 2) yield { ...p, agents: 2 };
  if (p.steps > 1) yield { ...p, steps: 1 };
  if (p.maxEvents !== null) yield { ...p, maxEvents: null };
  for (const key of ['rules', 'checks', 'events', 'states', 'params'] as const) {
    for (let i = 0; i < p[key].length; i++) yield withSpliced(p, [key], i, []);
  }
  if (p.observe) {
    yield { ...p, observe: null };
    if (p.observe.fields.length > 1) for (let i = 0; i < p.observe.fields.length; i++) yield { ...p, observe: { ...p.observe, fields: p.observe.fields.filter((_, j) => j !== i) } };
  }
  // statements: removed, or an `if` replaced by its branches
  const stmtLists: Path[] = [];
  const exprs: { path: Path; e: GExpr }[] = [];
  const walk = (x: unknown, path: Path): void => {
    if (!x || typeof x !== 'object') return;
    if (isExpr(x)) exprs.push({ path, e: x });
    if (Array.isArray(x)) {
      x.forEach((y, i) => walk(y, [...path, i]));
      return;
    }
    for (const [k, v] of Object.entries(x)) {
      if (Array.isArray(v) && isStmtList(k)) stmtLists.push([...path, k]);
      walk(v, [...path, k]);
    }
  };
  walk(p.rules, ['rules']);
  walk(p.states, ['states']);
  walk(p.checks, ['checks']);
  for (const path of stmtLists) {
    const list = at(p, path) as GStmt[];
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.k === 'if') {
        if (s.else) yield withSpliced(p, path, i, s.else);
        yield withSpliced(p, path, i, s.then);
      }
    }
    for (let i = 0; i < list.length; i++) yield withSpliced(p, path, i, []);
  }
  for (const r of p.rules.keys()) if (p.rules[r]!.when) yield withReplaced(p, ['rules', r, 'when'], null);
  for (const { path, e } of exprs) {
    for (const c of exprChildren(e)) if (c.ty === e.ty) yield withReplaced(p, path, c);
    if (e.k === 'red') {
      if (e.where) yield withReplaced(p, [...path, 'where'], null);
      if (e.dflt) yield withReplaced(p, [...path, 'dflt'], null);
    }
    if (e.k !== 'lit' && e.k !== 'name') yield withReplaced(p, path, simpleLit(e.ty));
  }
}

/**
 * The smallest program reachable by single edits that still `fails` (checks, and the backends disagree).
 * `budget` bounds the number of programs tried.
 */
export async function shrink(p: GenProgram, fails: (src: string) => Promise<boolean>, budget = 3000): Promise<{ program: GenProgram; source: string; tried: number }> {
  let best = p;
  let bestSrc = printProgram(p);
  let tried = 0;
  let progress = true;
  while (progress && tried < budget) {
    progress = false;
    for (const c of candidates(best)) {
      if (tried++ >= budget) break;
      const src = printProgram(c);
      if (src.length >= bestSrc.length) continue;
      if (await fails(src)) {
        best = c;
        bestSrc = src;
        progress = true;
        break;
      }
    }
  }
  return { program: best, source: bestSrc, tried };
}
