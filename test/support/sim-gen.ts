// A seeded generator of random well-typed sims, for the differential tests of the two backends (test/sim/
// generated.test.ts, bench/sim/differential.ts). Programs are kept as a small tree (GenProgram) so a failure can
// be shrunk (sim-shrink.ts), and printed as .synth source so every one goes through the real parser, checker,
// lowering and both printers.
//
// What it covers: every built-in with scalar and vector arguments, integer literals meeting f32/i32/u32, the
// conversions, `when` guards, `if`/`else if`/`else`, `let` (with and without a type), compound assignments,
// every reduction with and without `where`/`default` (including `where o.agent != agent`), every random draw,
// events emitted inside branches, observations, `check finite` and invariants, small event buffers (overflow),
// and values that reach NaN, ±Infinity, −0 and subnormals.
import { mulberry32, type Rng } from './prng.js';

export type GTy = 'f32' | 'i32' | 'u32' | 'bool' | 'vec2f' | 'vec3f' | 'vec4f';

export type GExpr =
  | { k: 'lit'; ty: GTy | 'int'; text: string }
  | { k: 'name'; ty: GTy; name: string }
  | { k: 'member'; ty: GTy; obj: GExpr; field: string }
  | { k: 'un'; ty: GTy; op: '-' | '!'; a: GExpr }
  | { k: 'bin'; ty: GTy; op: string; a: GExpr; b: GExpr }
  | { k: 'call'; ty: GTy; fn: string; args: GExpr[] }
  | { k: 'red'; ty: GTy; op: string; body: GExpr; where: GExpr | null; dflt: GExpr | null };

export type GStmt =
  | { k: 'let'; name: string; ty: GTy; typed: boolean; value: GExpr }
  | { k: 'assign'; target: string; op: '=' | '+=' | '-=' | '*=' | '/='; value: GExpr }
  | { k: 'if'; cond: GExpr; then: GStmt[]; else: GStmt[] | null }
  | { k: 'emit'; event: string; fields: { name: string; value: GExpr }[] };

export interface GenProgram {
  worlds: number;
  agents: number;
  steps: number;
  seed: number;
  maxEvents: number | null;
  allowNonfinite: boolean;
  params: { name: string; ty: GTy; value: string }[];
  states: { name: string; ty: GTy; init: GExpr | null }[];
  events: { name: string; fields: { name: string; ty: GTy }[] }[];
  rules: { name: string; when: GExpr | null; body: GStmt[] }[];
  observe: { every: number; fields: string[] } | null;
  checks: (GExpr | 'finite')[];
}

const SCALARS: GTy[] = ['f32', 'i32', 'u32', 'bool'];
const VECS: GTy[] = ['vec2f', 'vec3f', 'vec4f'];
const isVec = (t: GTy | 'int') => t === 'vec2f' || t === 'vec3f' || t === 'vec4f';
const width = (t: GTy) => (t === 'vec2f' ? 2 : t === 'vec3f' ? 3 : t === 'vec4f' ? 4 : 1);

const F32_LITS = ['0.0', '1.0', '-1.0', '0.5', '2.0', '3.25', '0.1', '0.001', '100.0', '1e6', '1e20', '-7.5', '1e-20', '0.3333', '6.2831855', '-0.0', '1e30', '16777217.0', '0.75'];
const I32_LITS = ['0', '1', '2', '3', '7', '-1', '-5', '100', '65536', '2147483647', '-2147483647', '1000003'];
const U32_LITS = ['0', '1', '2', '3', '5', '31', '100', '65535', '4000000000', '16777217'];

/** One scope of names visible where an expression is generated. */
interface Scope {
  vars: { name: string; ty: GTy }[];
  /** inside a rule (reductions allowed unless already inside one) */
  rule: boolean;
  /** the reduction binder's fields when generating a reduction body */
  binder: boolean;
  /** the sim's states (what `o.` may read) */
  states: { name: string; ty: GTy }[];
  draws: boolean;
}

export class SimGenerator {
  private readonly r: Rng;
  private n = 0;

  constructor(seed: number) {
    this.r = mulberry32(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  private fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  program(): GenProgram {
    this.n = 0;
    const tys = (k: number) => Array.from({ length: k }, () => (this.chance(0.3) ? this.pick(VECS) : this.pick(SCALARS)));
    const params = tys(this.int(0, 2)).map((ty) => ({ name: this.fresh('k'), ty, value: this.paramValue(ty) }));
    const stateTys = tys(this.int(1, 5));
    const builtins = [
      { name: 'step', ty: 'u32' as GTy },
      { name: 'world', ty: 'u32' as GTy },
      { name: 'agent', ty: 'u32' as GTy },
    ];
    const states: GenProgram['states'] = [];
    for (const ty of stateTys) {
      const scope: Scope = { vars: [...builtins, ...params, ...states.map((s) => ({ name: s.name, ty: s.ty }))], rule: false, binder: false, draws: true, states: [] };
      states.push({ name: this.fresh('s'), ty, init: this.chance(0.85) ? this.expr(ty, 2, scope) : null });
    }
    const events = Array.from({ length: this.int(0, 2) }, () => ({ name: this.fresh('e'), fields: Array.from({ length: this.int(1, 3) }, () => ({ name: this.fresh('f'), ty: this.pick(SCALARS) })) }));
    const p: GenProgram = {
      worlds: this.int(1, 3),
      agents: this.int(1, 6),
      steps: this.int(1, 5),
      seed: this.int(0, 1000),
      maxEvents: events.length && this.chance(0.15) ? this.int(1, 6) : null,
      allowNonfinite: this.chance(0.8),
      params,
      states,
      events,
      rules: [],
      observe: null,
      checks: [],
    };
    // rules: a rule writes only states no earlier rule of its phase writes (a reduction starts a phase)
    let written = new Set<string>();
    for (let i = 0, nr = this.int(1, 4); i < nr; i++) {
      const rule = this.rule(p, builtins, written);
      if (containsReduction(rule)) written = new Set(writesOf(rule.body));
      else for (const w of writesOf(rule.body)) written.add(w);
      p.rules.push(rule);
    }
    if (this.chance(0.85)) {
      const fields = states.filter(() => this.chance(0.7)).map((s) => s.name);
      if (fields.length) p.observe = { every: this.int(1, 3), fields };
    }
    if (this.chance(0.15)) p.checks.push('finite');
    if (this.chance(0.15)) {
      const scope: Scope = { vars: [...builtins, ...params, ...states.map((s) => ({ name: s.name, ty: s.ty }))], rule: false, binder: false, draws: false, states: [] };
      p.checks.push(this.expr('bool', 2, scope));
    }
    return p;
  }

  private paramValue(ty: GTy): string {
    switch (ty) {
      case 'f32':
        return this.pick(F32_LITS.filter((l) => !l.startsWith('-')));
      case 'i32':
        return this.pick(['0', '3', '-2', '17']);
      case 'u32':
        return this.pick(['0', '4', '9', '300']);
      case 'bool':
        return this.pick(['true', 'false']);
      default:
        return `${ty}(${Array.from({ length: width(ty) }, () => this.pick(['0.0', '1.5', '-2.0', '0.25'])).join(', ')})`;
    }
  }

  private rule(p: GenProgram, builtins: { name: string; ty: GTy }[], phaseWrites: Set<string>): GenProgram['rules'][number] {
    const states = p.states.map((s) => ({ name: s.name, ty: s.ty }));
    const scope: Scope = { vars: [...builtins, ...p.params, ...states], rule: true, binder: false, draws: true, states };
    // a rule with a reduction starts a phase: then it may write anything
    const wantsReduction = this.chance(0.35);
    const writable = p.states.filter((s) => wantsReduction || !phaseWrites.has(s.name));
    const rule = { name: this.fresh('r'), when: this.chance(0.3) ? this.expr('bool', 2, scope) : null, body: this.block(p, scope, writable, 2, this.int(1, 4)) };
    if (wantsReduction && !containsReduction(rule)) {
      // make sure it has one (so the phase split the writes assume is real)
      const ty = this.pick(['f32', 'u32', 'bool', 'i32'] as GTy[]);
      rule.body.unshift({ k: 'let', name: this.fresh('l'), ty, typed: false, value: this.reduction(ty, 2, scope) });
    }
    return rule;
  }

  private block(p: GenProgram, outer: Scope, writable: { name: string; ty: GTy }[], depth: number, count: number): GStmt[] {
    const scope: Scope = { ...outer, vars: [...outer.vars] };
    const out: GStmt[] = [];
    for (let i = 0; i < count; i++) {
      const roll = this.r();
      if (roll < 0.25) {
        const ty = this.chance(0.3) ? this.pick(VECS) : this.pick(SCALARS);
        const name = this.fresh('l');
        const typed = this.chance(0.3);
        const value = typed ? this.expr(ty, 3, scope) : concrete(this.expr(ty, 3, scope), ty);
        out.push({ k: 'let', name, ty, typed, value });
        scope.vars.push({ name, ty });
      } else if (roll < 0.65 && writable.length) {
        const t = this.pick(writable);
        const numeric = t.ty === 'f32' || t.ty === 'i32' || t.ty === 'u32';
        const op = numeric && this.chance(0.3) ? this.pick(['+=', '-=', '*=', '/='] as const) : '=';
        out.push({ k: 'assign', target: t.name, op, value: this.expr(t.ty, 3, scope) });
      } else if (roll < 0.85 && depth > 0) {
        const els = this.chance(0.5) ? (this.chance(0.3) ? [{ k: 'if', cond: this.expr('bool', 2, scope), then: this.block(p, scope, writable, depth - 1, this.int(1, 2)), else: null } as GStmt] : this.block(p, scope, writable, depth - 1, this.int(1, 2))) : null;
        out.push({ k: 'if', cond: this.expr('bool', 2, scope), then: this.block(p, scope, writable, depth - 1, this.int(1, 3)), else: els });
      } else if (p.events.length) {
        const ev = this.pick(p.events);
        out.push({ k: 'emit', event: ev.name, fields: ev.fields.map((f) => ({ name: f.name, value: this.expr(f.ty, 2, scope) })) });
      }
    }
    return out;
  }

  private lit(ty: GTy): GExpr {
    switch (ty) {
      case 'f32':
        return { k: 'lit', ty: 'f32', text: this.pick(F32_LITS) };
      case 'i32':
        return { k: 'lit', ty: 'int', text: this.pick(I32_LITS) };
      case 'u32':
        return { k: 'lit', ty: 'int', text: this.pick(U32_LITS) };
      case 'bool':
        return { k: 'lit', ty: 'bool', text: this.pick(['true', 'false']) };
      default:
        return { k: 'call', ty, fn: ty, args: this.chance(0.3) ? [this.lit('f32')] : Array.from({ length: width(ty) }, () => this.lit('f32')) };
    }
  }

  /** An expression of type `ty`, at most `depth` levels deep. */
  expr(ty: GTy, depth: number, scope: Scope): GExpr {
    const vars = scope.vars.filter((v) => v.ty === ty);
    if (depth <= 0 || this.chance(0.15)) {
      if (vars.length && this.chance(0.7)) return { k: 'name', ty, name: this.pick(vars).name };
      return this.lit(ty);
    }
    const d = depth - 1;
    const options: Array<() => GExpr> = [];
    const add = (w: number, f: () => GExpr) => {
      for (let i = 0; i < w; i++) options.push(f);
    };
    if (vars.length) add(3, () => ({ k: 'name', ty, name: this.pick(vars).name }));
    add(1, () => this.lit(ty));
    if (scope.rule && !scope.binder) add(1, () => this.reduction(ty, d, scope));
    if (scope.binder) {
      const own = scope.states.filter((v) => v.ty === ty);
      if (own.length) add(3, () => ({ k: 'member', ty, obj: { k: 'name', ty, name: 'o' }, field: this.pick(own).name }));
      if (ty === 'u32') add(2, () => ({ k: 'member', ty, obj: { k: 'name', ty, name: 'o' }, field: 'agent' }));
    }
    add(1, () => ({ k: 'call', ty, fn: 'select', args: [this.expr(ty, d, scope), this.expr(ty, d, scope), this.expr('bool', d, scope)] }));
    switch (ty) {
      case 'bool':
        add(4, () => {
          const t = this.pick(['f32', 'i32', 'u32', 'f32'] as GTy[]);
          return { k: 'bin', ty, op: this.pick(['<', '<=', '>', '>=', '==', '!=']), a: this.expr(t, d, scope), b: this.maybeIntLit(t, d, scope) };
        });
        add(2, () => ({ k: 'bin', ty, op: this.pick(['&&', '||']), a: this.expr('bool', d, scope), b: this.expr('bool', d, scope) }));
        add(1, () => ({ k: 'un', ty, op: '!', a: this.expr('bool', d, scope) }));
        add(1, () => ({ k: 'bin', ty, op: this.pick(['==', '!=']), a: this.expr('bool', d, scope), b: this.expr('bool', d, scope) }));
        if (scope.draws) add(1, () => ({ k: 'call', ty, fn: 'bernoulli', args: [this.expr('f32', d, scope)] }));
        break;
      case 'f32':
        add(5, () => ({ k: 'bin', ty, op: this.pick(['+', '-', '*', '*', '/', '%']), a: this.expr(ty, d, scope), b: this.maybeIntLit(ty, d, scope) }));
        add(1, () => ({ k: 'un', ty, op: '-', a: this.expr(ty, d, scope) }));
        add(4, () => this.builtin(ty, d, scope));
        add(2, () => {
          const v = this.pick(VECS);
          const roll = this.r();
          if (roll < 0.25) return { k: 'call', ty, fn: 'length', args: [this.expr(v, d, scope)] };
          if (roll < 0.5) return { k: 'call', ty, fn: this.pick(['dot', 'distance']), args: [this.expr(v, d, scope), this.expr(v, d, scope)] };
          return { k: 'member', ty, obj: this.expr(v, d, scope), field: this.pick(['x', 'y', 'z', 'w'].slice(0, width(v))) };
        });
        add(2, () => ({ k: 'call', ty, fn: 'f32', args: [this.expr(this.pick(['i32', 'u32', 'bool'] as GTy[]), d, scope)] }));
        if (scope.draws) add(2, () => ({ k: 'call', ty, fn: this.pick(['uniform', 'normal']), args: [this.expr('f32', d, scope), this.expr('f32', d, scope)] }));
        break;
      case 'i32':
      case 'u32':
        add(5, () => ({ k: 'bin', ty, op: this.pick(['+', '-', '*', '/', '%']), a: this.expr(ty, d, scope), b: this.maybeIntLit(ty, d, scope) }));
        if (ty === 'i32') add(1, () => ({ k: 'un', ty, op: '-', a: this.expr(ty, d, scope) }));
        add(2, () => this.builtin(ty, d, scope));
        add(2, () => ({ k: 'call', ty, fn: ty, args: [this.expr(this.pick(['f32', ty === 'i32' ? 'u32' : 'i32', 'bool'] as GTy[]), d, scope)] }));
        if (scope.draws) add(1, () => ({ k: 'call', ty, fn: 'randint', args: [this.expr(ty, d, scope), this.maybeIntLit(ty, d, scope)] }));
        break;
      default: {
        // vectors
        add(3, () => ({ k: 'call', ty, fn: ty, args: Array.from({ length: width(ty) }, () => this.expr('f32', d, scope)) }));
        add(1, () => ({ k: 'call', ty, fn: ty, args: [this.expr('f32', d, scope)] }));
        add(4, () => {
          const op = this.pick(['+', '-', '*', '/']);
          const sa = this.chance(0.2);
          const sb = !sa && this.chance(0.3);
          return { k: 'bin', ty, op, a: sa ? this.expr('f32', d, scope) : this.expr(ty, d, scope), b: sb ? this.maybeIntLit('f32', d, scope) : this.expr(ty, d, scope) };
        });
        add(1, () => ({ k: 'un', ty, op: '-', a: this.expr(ty, d, scope) }));
        add(4, () => this.builtin(ty, d, scope));
      }
    }
    return this.pick(options)();
  }

  /** The right operand of a binary: sometimes an integer literal, which adapts to the left side's type. */
  private maybeIntLit(ty: GTy, d: number, scope: Scope): GExpr {
    if ((ty === 'f32' || ty === 'i32' || ty === 'u32') && this.chance(0.2)) return { k: 'lit', ty: 'int', text: this.pick(['0', '1', '2', '3', '10']) };
    return this.expr(ty, d, scope);
  }

  private builtin(ty: GTy, d: number, scope: Scope): GExpr {
    const float = ty === 'f32' || isVec(ty);
    const fns = float ? ['min', 'max', 'clamp', 'abs', 'floor', 'ceil', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tanh', 'pow', ...(isVec(ty) ? ['normalize'] : [])] : ['min', 'max', 'clamp', 'abs'];
    const fn = this.pick(fns);
    const arity = fn === 'clamp' ? 3 : fn === 'min' || fn === 'max' || fn === 'pow' ? 2 : 1;
    const args = Array.from({ length: arity }, (_, i) => (i > 0 ? this.maybeIntLit(ty, d, scope) : this.expr(ty, d, scope)));
    if (fn === 'abs' && ty === 'u32' && this.chance(0.5)) return { k: 'call', ty, fn: 'min', args: [args[0]!, this.lit('u32')] };
    return { k: 'call', ty, fn, args };
  }

  reduction(ty: GTy, d: number, scope: Scope): GExpr {
    const inner: Scope = { ...scope, binder: true };
    const where = this.chance(0.5) ? (this.chance(0.4) ? ({ k: 'bin', ty: 'bool', op: '!=', a: { k: 'member', ty: 'u32', obj: { k: 'name', ty: 'u32', name: 'o' }, field: 'agent' }, b: { k: 'name', ty: 'u32', name: 'agent' } } as GExpr) : this.expr('bool', d, inner)) : null;
    const ops: string[] = ty === 'bool' ? ['any', 'all'] : ty === 'u32' ? ['count', 'sum', 'min', 'max'] : ty === 'f32' ? ['sum', 'min', 'max', 'mean'] : ty === 'i32' ? ['sum', 'min', 'max'] : ['sum'];
    const op = this.pick(ops);
    const bodyTy: GTy = op === 'count' ? 'bool' : op === 'mean' ? this.pick(['f32', 'f32', 'i32', 'u32'] as GTy[]) : ty;
    const body = concrete(this.expr(bodyTy, d, inner), bodyTy);
    const dflt = this.chance(0.4) ? this.expr(ty, Math.min(d, 1), { ...scope, binder: false }) : null;
    return { k: 'red', ty, op, body, where, dflt };
  }
}

/** Is `e` still an abstract integer (only integer literals decide its type)? */
function abstract(e: GExpr): boolean {
  switch (e.k) {
    case 'lit':
      return e.ty === 'int';
    case 'un':
      return abstract(e.a);
    case 'bin':
      return !['<', '<=', '>', '>=', '==', '!=', '&&', '||'].includes(e.op) && abstract(e.a) && abstract(e.b);
    case 'call':
      return ['min', 'max', 'clamp', 'abs', 'randint'].includes(e.fn) ? e.args.every(abstract) : e.fn === 'select' ? abstract(e.args[0]!) && abstract(e.args[1]!) : false;
    default:
      return false;
  }
}

/** `e` with its type fixed where nothing else fixes it (an untyped `let`, a reduction's body). */
function concrete(e: GExpr, ty: GTy): GExpr {
  if (ty === 'i32' || !abstract(e)) return e;
  return { k: 'call', ty, fn: ty, args: [e] };
}

export function writesOf(stmts: GStmt[]): string[] {
  const out: string[] = [];
  for (const s of stmts) {
    if (s.k === 'assign') out.push(s.target);
    if (s.k === 'if') out.push(...writesOf(s.then), ...writesOf(s.else ?? []));
  }
  return out;
}

export function containsReduction(x: unknown): boolean {
  if (!x || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some(containsReduction);
  if ((x as { k?: string }).k === 'red') return true;
  return Object.values(x).some(containsReduction);
}

// ---------------------------------------------------------------- printing

export function printExpr(e: GExpr): string {
  switch (e.k) {
    case 'lit':
      return e.text.startsWith('-') ? `(${e.text})` : e.text;
    case 'name':
      return e.name;
    case 'member':
      return `${printExpr(e.obj)}.${e.field}`;
    case 'un':
      return `(${e.op}${printExpr(e.a)})`;
    case 'bin':
      return `(${printExpr(e.a)} ${e.op} ${printExpr(e.b)})`;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
    case 'red':
      return `${e.op}(${printExpr(e.body)} for o in agents${e.where ? ` where ${printExpr(e.where)}` : ''}${e.dflt ? `, default ${printExpr(e.dflt)}` : ''})`;
  }
}

function printStmts(ss: GStmt[], ind: string): string[] {
  const out: string[] = [];
  for (const s of ss) {
    switch (s.k) {
      case 'let':
        out.push(`${ind}let ${s.name}${s.typed ? `: ${s.ty}` : ''} = ${printExpr(s.value)}`);
        break;
      case 'assign':
        out.push(`${ind}${s.target} ${s.op} ${printExpr(s.value)}`);
        break;
      case 'if': {
        out.push(`${ind}if ${printExpr(s.cond)} {`, ...printStmts(s.then, ind + '  '));
        if (s.else && s.else.length === 1 && s.else[0]!.k === 'if') {
          const [first, ...rest] = printStmts(s.else, ind);
          out.push(`${ind}} else ${first!.trimStart()}`, ...rest);
        } else if (s.else) out.push(`${ind}} else {`, ...printStmts(s.else, ind + '  '), `${ind}}`);
        else out.push(`${ind}}`);
        break;
      }
      case 'emit':
        out.push(`${ind}emit ${s.event} { ${s.fields.map((f) => `${f.name}: ${printExpr(f.value)}`).join(', ')} }`);
        break;
    }
  }
  return out;
}

/** The program as .synth source. */
export function printProgram(p: GenProgram): string {
  const out = ['sim g {', `  worlds ${p.worlds}`, `  agents ${p.agents}`, `  steps ${p.steps}`, `  seed ${p.seed}`];
  if (p.maxEvents !== null) out.push(`  max_events ${p.maxEvents}`);
  if (p.allowNonfinite) out.push('  finite_outputs 0');
  for (const k of p.params) out.push(`  param ${k.name}: ${k.ty} = ${k.value}`);
  for (const s of p.states) out.push(`  state ${s.name}: ${s.ty}${s.init ? ` = ${printExpr(s.init)}` : ''}`);
  for (const r of p.rules) out.push(`  rule ${r.name}${r.when ? ` when ${printExpr(r.when)}` : ''} {`, ...printStmts(r.body, '    '), '  }');
  for (const e of p.events) out.push(`  event ${e.name} { ${e.fields.map((f) => `${f.name}: ${f.ty}`).join(', ')} }`);
  if (p.observe) out.push(`  observe every ${p.observe.every} { ${p.observe.fields.join(', ')} }`);
  for (const c of p.checks) out.push(`  check ${c === 'finite' ? 'finite' : printExpr(c)}`);
  out.push('}');
  return out.join('\n') + '\n';
}
