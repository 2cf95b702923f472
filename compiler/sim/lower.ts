// Checked sim AST → IR (ir.ts), once for both printers. Here every decision about a value is made: the type an
// integer literal takes from its use, the overload of each built-in (from builtins.ts), the broadcast of a
// scalar over a vector, f32 `%` spelled out as a − b·trunc(a/b), compound assignments, the draw site of each
// random call (sites.ts), the agent a reduction reads and whether it reads a phase-start snapshot.
//
// The sim must have checked without errors (plan.ts only lowers such sims).
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { printExpr } from '../format.js';
import { SIM_FUNCTIONS, isSimFn, resolveCall, type SimFnName, type Ty } from './builtins.js';
import { analyzeSim, hasReduction } from './check.js';
import { invariantsOf, type SimLayout } from './layout.js';
import { siteMap } from './sites.js';
import type { SimType } from './types.js';
import { elemOf, isVecTy, stmtExprs, walkExpr, widthOf, type Expr, type FnDef, type Phase, type Rule, type SimIR, type Stmt } from './ir.js';
import { DRAWS, SINCOS, closure, libFn } from './xmath.js';
import { validateIR } from './validate.js';
import { synthError } from '../../base/diagnostics.js';

export interface Lowered {
  ir: SimIR;
  /**
   * Why the program's results may differ between backends other than the CPU and the tested WebGPU driver
   * (empty: bit-identical on every backend). Today only f32 division (`/`, f32 `%`, `mean`): WGSL lets a
   * driver divide to 2.5 ULP; the CPU and llvmpipe divide correctly rounded.
   */
  inexact: string[];
}

/** Lowers a checked sim. */
export function lowerSim(sim: A.SimDecl, layout: SimLayout, file = ''): Lowered {
  const lowered = new Lowerer(sim, layout, file).run();
  // a node one printer cannot print as the other does is our bug: refuse the plan rather than run it
  const problems = validateIR(lowered.ir);
  if (problems.length) throw synthError('SYN9002', { backend: 'IR', sim: sim.name.name, problem: problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '') });
  return lowered;
}

interface Scope {
  /** source `let` name → IR local name */
  lets: Map<string, { name: string; ty: Ty }>;
}

class Lowerer {
  private readonly types: Map<A.Expr, SimType>;
  private readonly astPhases: A.RuleDecl[][];
  private readonly sites: Map<object, number>;
  private readonly params = new Map<string, Ty>();
  private readonly states = new Map<string, Ty>();
  private readonly lib = new Set<FnDef>();
  private readonly inexact: string[] = [];
  /** the reduction binder while lowering its body */
  private binder: string | undefined;
  /** lets of the current rule so far: each gets its own IR name, `l1_v`, `l2_w`, … (no shadowing to print) */
  private lets = 0;

  constructor(
    readonly sim: A.SimDecl,
    readonly layout: SimLayout,
    readonly file: string,
  ) {
    const a = analyzeSim(sim, file);
    this.types = a.types;
    this.astPhases = a.phases;
    this.sites = siteMap(sim);
    for (const p of layout.params) this.params.set(p.name, concreteTy(p.type));
    for (const s of layout.states) this.states.set(s.name, concreteTy(s.type));
  }

  run(): Lowered {
    const scope = (): Scope => ({ lets: new Map() });
    const init = this.sim.states.map((s) => {
      const ty = this.states.get(s.name.name)!;
      return { state: s.name.name, ty, value: s.init ? this.expr(s.init, scope(), ty) : zero(ty) };
    });
    const phases: Phase[] = this.astPhases.map((rules) => {
      const lowered = rules.map((r) => this.rule(r));
      const uses = unique(lowered.flatMap((r) => r.uses));
      const writes = unique(lowered.flatMap((r) => r.writes));
      const others = new Set<string>();
      for (const r of lowered) for (const e of ruleExprs(r)) walkExpr(e, (x) => x.k === 'other' && others.add(x.state));
      const snapshot = [...others].filter((s) => writes.includes(s));
      for (const r of lowered) for (const e of ruleExprs(r)) walkExpr(e, (x) => x.k === 'other' && (x.snapshot = snapshot.includes(x.state)));
      return { rules: lowered, uses: this.stateOrder(uses), writes: this.stateOrder(writes), snapshot: this.stateOrder(snapshot), reads_others: rules.some(hasReduction) };
    });
    const invariants = invariantsOf(this.sim).map((c) => this.expr(c.expr, scope(), 'bool'));
    return { ir: { init, phases, invariants, lib: closure(this.lib) }, inexact: [...new Set(this.inexact)] };
  }

  /** States in declaration order (deterministic output whatever order a walk found them in). */
  private stateOrder(names: string[]): string[] {
    return this.layout.states.map((s) => s.name).filter((n) => names.includes(n));
  }

  private rule(r: A.RuleDecl): Rule {
    this.lets = 0;
    const scope: Scope = { lets: new Map() };
    const when = r.when ? this.expr(r.when, scope, 'bool') : null;
    const body = this.block(r.body.stmts, scope);
    const uses = new Set<string>();
    const writes = new Set<string>();
    const scan = (e: Expr) => walkExpr(e, (x) => x.k === 'var' && x.scope === 'state' && uses.add(x.name));
    if (when) scan(when);
    const visit = (ss: Stmt[]) => {
      for (const s of ss) {
        if (s.k === 'assign') {
          writes.add(s.state);
          uses.add(s.state);
        }
        if (s.k === 'if') {
          visit(s.then);
          visit(s.else);
        }
      }
    };
    visit(body);
    stmtExprs(body).forEach(scan);
    return { name: r.name.name, when, body, uses: this.stateOrder([...uses]), writes: this.stateOrder([...writes]) };
  }

  private block(stmts: A.Stmt[], outer: Scope): Stmt[] {
    const scope: Scope = { lets: new Map(outer.lets) };
    return stmts.map((s) => this.stmt(s, scope));
  }

  private stmt(s: A.Stmt, scope: Scope): Stmt {
    return withSinCos(this.stmt1(s, scope), this.lib);
  }

  private stmt1(s: A.Stmt, scope: Scope): Stmt {
    switch (s.kind) {
      case 'Let': {
        const declared = s.type && s.type.kind === 'NamedType' ? (s.type.name.name as Ty) : undefined;
        const ty = declared ?? concreteTy(this.types.get(s.value) ?? 'f32');
        const value = this.expr(s.value, scope, ty);
        const name = `l${++this.lets}_${s.name.name}`;
        scope.lets.set(s.name.name, { name, ty });
        return { k: 'let', name, ty, value };
      }
      case 'Assign': {
        const ty = this.states.get(s.target.name)!;
        let value = this.expr(s.value, scope, elemOrSelf(ty, this.types.get(s.value)));
        if (s.op !== '=') {
          const op = ({ '+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'div' } as const)[s.op];
          const cur: Expr = { k: 'var', ty, scope: 'state', name: s.target.name };
          if (op === 'div' && elemOf(ty) === 'f32') this.inexact.push(`f32 division (\`${s.target.name} ${s.op} ${printExpr(s.value)}\`)`);
          value = this.arith(op, cur, this.broadcast(value, ty));
        } else value = this.broadcast(value, ty);
        return { k: 'assign', state: s.target.name, ty, value };
      }
      case 'If': {
        const cond = this.expr(s.cond, scope, 'bool');
        const then = this.block(s.then.stmts, scope);
        const els = s.else ? (s.else.kind === 'If' ? [this.stmt(s.else, { lets: new Map(scope.lets) })] : this.block(s.else.stmts, scope)) : [];
        return { k: 'if', cond, then, else: els };
      }
      case 'Emit': {
        const ev = this.layout.events.findIndex((e) => e.name === s.event.name);
        const fields = this.layout.events[ev]!.fields.map((f) => {
          const en = s.fields.entries.find((x) => keyName(x.key) === f.name)!;
          return this.expr(en.value, scope, f.type);
        });
        return { k: 'emit', event: ev, site: this.sites.get(s)!, fields };
      }
    }
  }

  /** The type of an expression: its checked type, or `want` while it is an integer literal still adapting. */
  private tyOf(e: A.Expr, want?: Ty): Ty {
    const t = this.types.get(e) ?? 'unknown';
    if (t === 'int' || t === 'unknown') return want && !isVecTy(want) && want !== 'bool' ? want : 'i32';
    return t as Ty;
  }

  expr(e: A.Expr, scope: Scope, want?: Ty): Expr {
    // `randint(0, 3)` adapts to an integer use like a literal, but it is drawn at run time: an expression of it
    // used as an f32 or u32 is computed in i32 (closest to WGSL's abstract integers: `-randint(1, 3)` is
    // negative) and converted (integer literals alone are simply read as the type)
    if ((want === 'f32' || want === 'u32') && this.types.get(e) === 'int' && hasDraw(e) && !(e.kind === 'Call' && e.callee.name === 'randint')) {
      return { k: 'convert', ty: want, a: this.expr(e, scope, 'i32') };
    }
    if (want === 'f32' && this.types.get(e) === 'int' && hasDraw(e)) return { k: 'convert', ty: 'f32', a: this.expr(e, scope, 'i32') };
    // an integer expression that is not a constant and negates something (`-select(65536, 7, b)`), used as a
    // u32: it is an i32 value (the language never negates a u32, SYN2011; WGSL concretizes such an abstract
    // int to i32), computed in i32 and converted — WGSL has no u32 negation (adv12 #2)
    if (want === 'u32' && this.types.get(e) === 'int' && intConst(e) === undefined && hasNegation(e)) return { k: 'convert', ty: 'u32', a: this.expr(e, scope, 'i32') };
    const ty = this.tyOf(e, want);
    // integer literals combined (`-(1 - 3)`) are one constant of the type they take, as WGSL evaluates them
    if (this.types.get(e) === 'int' && e.kind !== 'Number') {
      const v = intConst(e);
      if (v !== undefined) return constOf(ty, v);
    }
    switch (e.kind) {
      case 'Number':
        return constOf(ty, e.value);
      case 'Bool':
        return { k: 'const', ty: 'bool', v: [e.value ? 1 : 0] };
      case 'Name': {
        const n = e.name.name;
        if (n === 'step' || n === 'world' || n === 'agent') return { k: 'var', ty: 'u32', scope: 'builtin', name: n };
        const l = scope.lets.get(n);
        if (l) return { k: 'var', ty: l.ty, scope: 'local', name: l.name };
        if (this.params.has(n)) return { k: 'var', ty: this.params.get(n)!, scope: 'param', name: n };
        return { k: 'var', ty: this.states.get(n)!, scope: 'state', name: n };
      }
      case 'Member': {
        if (this.binder && e.object.kind === 'Name' && e.object.name.name === this.binder) {
          if (!this.states.has(e.member.name)) return { k: 'otherAgent', ty: 'u32' };
          return { k: 'other', ty: this.states.get(e.member.name)!, state: e.member.name, snapshot: false };
        }
        return { k: 'comp', ty: 'f32', a: this.expr(e.object, scope), i: 'xyzw'.indexOf(e.member.name) };
      }
      case 'Unary': {
        if (e.op === '!') return { k: 'not', ty: 'bool', a: this.expr(e.operand, scope, 'bool') };
        const a = this.expr(e.operand, scope, ty);
        // fold a negated literal: WGSL has no negative literals, and -2147483648 is no negated i32 literal
        if (a.k === 'const') return constOf(ty, -a.v[0]!, a.v.map((x) => -x));
        return { k: 'neg', ty, a };
      }
      case 'Binary':
        return this.binary(e, scope, ty);
      case 'Call':
        return this.call(e, scope, ty);
      case 'Reduction':
        return this.reduction(e, scope, ty);
      default:
        throw new Error(`sim lowering: ${e.kind} in a checked sim`);
    }
  }

  private binary(e: A.BinaryExpr, scope: Scope, ty: Ty): Expr {
    if (e.op === '&&' || e.op === '||') {
      return { k: 'logic', ty: 'bool', op: e.op === '&&' ? 'and' : 'or', a: this.expr(e.left, scope, 'bool'), b: this.expr(e.right, scope, 'bool') };
    }
    const cmps: Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
    const cmpOp = cmps[e.op];
    if (cmpOp) {
      // operands take the type of the side that has one (an integer literal adapts)
      const lt = this.types.get(e.left);
      const rt = this.types.get(e.right);
      const ot: Ty = lt !== 'int' && lt !== 'unknown' && lt ? (lt as Ty) : rt !== 'int' && rt !== 'unknown' && rt ? (rt as Ty) : 'i32';
      return { k: 'cmp', ty: 'bool', op: cmpOp, a: this.expr(e.left, scope, ot), b: this.expr(e.right, scope, ot) };
    }
    const ops: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'rem'> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'rem' };
    const op = ops[e.op]!;
    const el = elemOf(ty);
    const a = this.broadcast(this.expr(e.left, scope, el), ty);
    const b = this.broadcast(this.expr(e.right, scope, el), ty);
    if (el === 'f32' && (op === 'div' || op === 'rem')) this.inexact.push(`f32 ${op === 'div' ? 'division' : 'remainder'} (\`${printExpr(e)}\`)`);
    return this.arith(op, a, b);
  }

  /** Arithmetic on operands of one type; f32 `%` is spelled out as a − b · trunc(a / b), as WGSL defines it. */
  private arith(op: 'add' | 'sub' | 'mul' | 'div' | 'rem', a: Expr, b: Expr): Expr {
    const ty = a.ty;
    if (op === 'rem' && elemOf(ty) === 'f32') {
      const q: Expr = { k: 'prim', ty, fn: 'trunc', args: [{ k: 'arith', ty, op: 'div', a, b }] };
      return { k: 'arith', ty, op: 'sub', a, b: { k: 'arith', ty, op: 'mul', a: b, b: q } };
    }
    return { k: 'arith', ty, op, a, b };
  }

  /** A scalar used where a vector is: an explicit splat. */
  private broadcast(e: Expr, ty: Ty): Expr {
    if (isVecTy(ty) && !isVecTy(e.ty)) return e.k === 'const' ? { k: 'const', ty, v: new Array(widthOf(ty)).fill(e.v[0]) } : { k: 'splat', ty, a: e };
    return e;
  }

  private call(e: A.CallExpr, scope: Scope, ty: Ty): Expr {
    const name = e.callee.name;
    const argT = e.args.map((a) => this.types.get(a) ?? 'unknown');
    const rand = (n: number): Expr[] => Array.from({ length: n }, (_, i) => ({ k: 'rand', ty: 'u32', site: this.sites.get(e)! + i }) as Expr);
    const lib = (fn: FnDef, args: Expr[]): Expr => {
      this.lib.add(fn);
      return { k: 'call', ty: fn.ret, fn: fn.name, args };
    };
    switch (name) {
      case 'uniform':
        return lib(DRAWS.uniform, [...rand(1), ...e.args.map((a) => this.expr(a, scope, 'f32'))]);
      case 'normal':
        return lib(DRAWS.normal, [...rand(2), ...e.args.map((a) => this.expr(a, scope, 'f32'))]);
      case 'bernoulli':
        return lib(DRAWS.bernoulli, [...rand(1), this.expr(e.args[0]!, scope, 'f32')]);
      case 'randint': {
        // literal bounds with a negative one used as a u32 (`u32(randint(-5, 5))`): an i32 draw, converted
        if (ty === 'u32' && e.args.some((a) => this.types.get(a) === 'int' && (intConst(a) ?? 0) < 0)) return { k: 'convert', ty: 'u32', a: this.call(e, scope, 'i32') };
        const it = ty === 'u32' ? 'u32' : 'i32';
        // a bound of the other integer type (`randint(-65435, u32(b))` drawn in i32) is converted to the draw's type
        const bound = (a: A.Expr): Expr => {
          const x = this.expr(a, scope, it);
          return x.ty === it ? x : { k: 'convert', ty: it, a: x };
        };
        return lib(it === 'u32' ? DRAWS.randint_u32 : DRAWS.randint_i32, [...rand(1), ...e.args.map(bound)]);
      }
      case 'f32':
      case 'i32':
      case 'u32': {
        const at = argT[0];
        // a literal argument is read as the target type: f32(3) is 3.0, not a conversion of 3i
        const a = this.expr(e.args[0]!, scope, at === 'int' ? name : undefined);
        return a.ty === name ? a : { k: 'convert', ty: name, a };
      }
      case 'vec2f':
      case 'vec3f':
      case 'vec4f': {
        const args = e.args.map((a) => this.expr(a, scope, 'f32'));
        if (args.length === 1) return this.broadcast(args[0]!, name);
        if (args.every((a) => a.k === 'const')) return { k: 'const', ty: name, v: args.map((a) => (a as { v: number[] }).v[0]!) };
        return { k: 'vec', ty: name, args };
      }
    }
    if (!isSimFn(name)) throw new Error(`sim lowering: unknown function ${name}`);
    const res = resolveCall(name, argT);
    if ('problem' in res) throw new Error(`sim lowering: ${SIM_FUNCTIONS[name].signature}: ${res.problem.code}`);
    // `T` parameters still abstract (every argument a literal) take the type the use wants
    const params = res.result === 'int' ? res.params.map((p, i) => (SIM_FUNCTIONS[name].overloads.params[i] === 'T' ? ty : p)) : res.params;
    const args = e.args.map((a, i) => this.expr(a, scope, params[i]));
    return this.builtin(name, args);
  }

  /** One built-in call, from builtins.ts's overload to IR. Each name has a case: a missing one fails to compile. */
  private builtin(name: SimFnName, args: Expr[]): Expr {
    const T = args[0]!.ty;
    const prim = (fn: 'min' | 'max' | 'abs' | 'floor' | 'ceil', xs: Expr[]): Expr => ({ k: 'prim', ty: T, fn, args: xs });
    const lib = (fn: FnDef, xs: Expr[]): Expr => {
      this.lib.add(fn);
      return { k: 'call', ty: fn.ret, fn: fn.name, args: xs };
    };
    switch (name) {
      case 'min':
      case 'max':
      case 'abs':
      case 'floor':
      case 'ceil':
        return prim(name, args);
      case 'clamp':
        return prim('min', [prim('max', [args[0]!, args[1]!]), args[2]!]);
      case 'select':
        return { k: 'select', ty: args[0]!.ty, f: args[0]!, t: args[1]!, c: args[2]! };
      case 'sqrt':
      case 'exp':
      case 'log':
      case 'sin':
      case 'cos':
      case 'tanh':
      case 'pow':
      case 'length':
      case 'dot':
      case 'normalize':
      case 'distance':
        return lib(libFn(name, T), args);
    }
  }

  private reduction(e: A.ReductionExpr, scope: Scope, ty: Ty): Expr {
    const op = e.op.name as 'min' | 'max' | 'sum' | 'count' | 'mean' | 'any' | 'all';
    const saved = this.binder;
    this.binder = e.binder.name;
    const inner: Scope = { lets: new Map([...scope.lets].filter(([k]) => k !== e.binder.name)) };
    const bodyWant: Ty = op === 'count' || op === 'any' || op === 'all' ? 'bool' : op === 'mean' ? this.tyOf(e.body, 'f32') : ty;
    let body = this.expr(e.body, inner, bodyWant);
    if (op === 'mean' && body.ty !== 'f32') body = { k: 'convert', ty: 'f32', a: body };
    const where = e.where ? this.expr(e.where, inner, 'bool') : null;
    this.binder = saved;
    const dflt = e.default ? this.expr(e.default, scope, ty) : op === 'all' ? ({ k: 'const', ty: 'bool', v: [1] } as Expr) : zero(ty);
    if (op === 'mean') this.inexact.push(`mean (\`${printExpr(e)}\`): a division`);
    return { k: 'reduce', ty, op, body, where, dflt };
  }
}

/** The value of an expression of integer literals only (what WGSL's abstract-int evaluation gives), if it is one. */
function intConst(e: A.Expr): number | undefined {
  switch (e.kind) {
    case 'Number':
      return e.isFloat ? undefined : e.value;
    case 'Unary': {
      const a = intConst(e.operand);
      return a === undefined || e.op !== '-' ? undefined : -a;
    }
    case 'Binary': {
      const a = intConst(e.left);
      const b = intConst(e.right);
      if (a === undefined || b === undefined) return undefined;
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0 ? undefined : Math.trunc(a / b);
        case '%':
          return b === 0 ? undefined : a % b;
        default:
          return undefined;
      }
    }
    case 'Call': {
      const args = e.args.map(intConst);
      if (args.some((x) => x === undefined)) return undefined;
      const [x, y, z] = args as number[];
      switch (e.callee.name) {
        case 'min':
          return args.length === 2 ? Math.min(x!, y!) : undefined;
        case 'max':
          return args.length === 2 ? Math.max(x!, y!) : undefined;
        case 'abs':
          return args.length === 1 ? Math.abs(x!) : undefined;
        case 'clamp':
          return args.length === 3 ? Math.min(Math.max(x!, y!), z!) : undefined;
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

/**
 * sin(e) and cos(e) of one argument in one statement's own expressions become the two components of x_sincos(e):
 * one range reduction instead of two, the same values (x_sincos computes each as x_sin and x_cos do).
 */
function withSinCos(s: Stmt, lib: Set<FnDef>): Stmt {
  const own: Expr[] = s.k === 'let' || s.k === 'assign' ? [s.value] : s.k === 'if' ? [s.cond] : s.k === 'emit' ? s.fields : [];
  const fns = new Map<string, Set<string>>();
  for (const e of own) walkExpr(e, (x) => x.k === 'call' && (x.fn === 'x_sin' || x.fn === 'x_cos') && fns.set(JSON.stringify(x.args[0]), (fns.get(JSON.stringify(x.args[0])) ?? new Set()).add(x.fn)));
  const both = new Set([...fns].filter(([, f]) => f.size === 2).map(([k]) => k));
  if (!both.size) return s;
  lib.add(SINCOS);
  const rewrite = (e: Expr): Expr => {
    if (e.k === 'call' && (e.fn === 'x_sin' || e.fn === 'x_cos') && both.has(JSON.stringify(e.args[0]))) {
      return { k: 'comp', ty: 'f32', a: { k: 'call', ty: 'vec2f', fn: SINCOS.name, args: e.args }, i: e.fn === 'x_sin' ? 0 : 1 };
    }
    return mapChildren(e, rewrite);
  };
  switch (s.k) {
    case 'let':
    case 'assign':
      return { ...s, value: rewrite(s.value) };
    case 'if':
      return { ...s, cond: rewrite(s.cond) };
    case 'emit':
      return { ...s, fields: s.fields.map(rewrite) };
  }
}

/** `e` with `f` applied to each direct child. */
function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.k) {
    case 'neg':
    case 'not':
    case 'convert':
    case 'bitcast':
    case 'splat':
    case 'comp':
      return { ...e, a: f(e.a) } as Expr;
    case 'arith':
    case 'bits':
    case 'cmp':
    case 'logic':
      return { ...e, a: f(e.a), b: f(e.b) } as Expr;
    case 'prim':
    case 'vec':
    case 'call':
      return { ...e, args: e.args.map(f) } as Expr;
    case 'select':
      return { ...e, f: f(e.f), t: f(e.t), c: f(e.c) };
    case 'reduce':
      return { ...e, body: f(e.body), where: e.where ? f(e.where) : null, dflt: f(e.dflt) };
    default:
      return e;
  }
}

function hasDraw(x: unknown): boolean {
  if (!x || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some(hasDraw);
  const n = x as { kind?: string; callee?: { name: string } };
  if (n.kind === 'Call' && n.callee?.name === 'randint') return true;
  return Object.entries(x).some(([k, v]) => k !== 'span' && hasDraw(v));
}

/** Does a (checked) expression contain a unary minus? */
function hasNegation(x: unknown): boolean {
  if (!x || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some(hasNegation);
  const n = x as { kind?: string; op?: string };
  if (n.kind === 'Unary' && n.op === '-') return true;
  return Object.entries(x).some(([k, v]) => k !== 'span' && hasNegation(v));
}

function ruleExprs(r: Rule): Expr[] {
  return [...(r.when ? [r.when] : []), ...stmtExprs(r.body)];
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function concreteTy(t: SimType): Ty {
  return t === 'int' || t === 'unknown' ? 'i32' : t;
}

/** For an assignment to a vector state, a scalar value is broadcast; integer literals take the element type. */
function elemOrSelf(ty: Ty, valueT: SimType | undefined): Ty {
  return isVecTy(ty) && valueT !== ty ? 'f32' : ty;
}

/** A constant of a type, its value converted as the type stores it (f32 rounded, i32/u32 wrapped). */
function constOf(ty: Ty, v: number, vs?: number[]): Expr {
  const one = (x: number) => (elemOf(ty) === 'f32' ? Math.fround(x) : ty === 'u32' ? x >>> 0 : ty === 'bool' ? (x ? 1 : 0) : x | 0);
  return { k: 'const', ty, v: (vs ?? new Array(widthOf(ty)).fill(v)).map(one) };
}

function zero(ty: Ty): Expr {
  return { k: 'const', ty, v: new Array(widthOf(ty)).fill(0) };
}

