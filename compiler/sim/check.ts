// Type checking of `sim` blocks. Simulation code is WGSL-like: scalar types f32 i32 u32 bool, vectors
// vec2f vec3f vec4f, integer literals that adapt to the other operand (like WGSL's abstract int), no strings.
// Every error is reported here, in Synth terms, so generated WGSL never fails to compile on user mistakes.
// The result also carries the type of every expression, which both code generators use.
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { makeDiagnostic, type Diagnostic, type DiagnosticCode, type DiagnosticRest } from '../../base/diagnostics.js';
import { constNumber } from '../check/const-eval.js';
import { closest } from '../suggest.js';
import { withArticle } from '../symbols.js';
import { typeRefText } from '../types.js';
import { REDUCTION_BINDER_FIELDS, SIM_FUNCTIONS, SIM_RANDOM, SIM_REDUCTIONS, SIM_SETTINGS, isSimFn, resolveCall } from './builtins.js';
import { SIM_TYPE_NAMES, isNumericT, isVec, vecSize, type SimType } from './types.js';

export interface SimCheckResult {
  diagnostics: Diagnostic[];
  types: Map<A.Expr, SimType>;
  /** rules grouped into phases: a rule with a neighbour reduction starts a new phase */
  phases: A.RuleDecl[][];
}

interface VarInfo {
  type: SimType;
  kind: 'param' | 'state' | 'let' | 'builtin';
}

const cache = new WeakMap<A.SimDecl, SimCheckResult>();

/** The diagnostics of a `sim` block (`analyzeSim`, cached per AST node); `file` names it in them. */
export function checkSim(sim: A.SimDecl, file: string): Diagnostic[] {
  return analyzeSim(sim, file).diagnostics;
}

/**
 * Type-checks a `sim` block: its diagnostics, the type of each expression and its rules grouped into phases.
 * Cached per AST node, so the checker and both code generators share one analysis. Never throws.
 */
export function analyzeSim(sim: A.SimDecl, file: string): SimCheckResult {
  const hit = cache.get(sim);
  if (hit) return hit;
  const r = new SimChecker(sim, file).run();
  cache.set(sim, r);
  return r;
}

class SimChecker {
  readonly diagnostics: Diagnostic[] = [];
  readonly types = new Map<A.Expr, SimType>();
  private readonly globals = new Map<string, VarInfo>();
  private readonly stateTypes = new Map<string, SimType>();
  private inRule = false;
  private inReduction: string | undefined;
  /** `let` names declared directly in the block being checked */
  private blockLets = new Set<string>();

  constructor(
    readonly sim: A.SimDecl,
    readonly file: string,
  ) {}

  private report<C extends DiagnosticCode>(code: C, span: A.Span, ...rest: DiagnosticRest<C>): void {
    this.diagnostics.push(makeDiagnostic(code, this.file, span, ...rest));
  }

  private typeOfRef(t: A.TypeRef): SimType {
    if (t.kind !== 'NamedType') {
      this.report('SYN2034', t.span, { found: typeRefText(t) });
      return 'unknown';
    }
    const n = t.name.name;
    if (['f32', 'i32', 'u32', 'bool', 'vec2f', 'vec3f', 'vec4f'].includes(n)) return n as SimType;
    if (!n) return 'unknown';
    const types = ['f32', 'i32', 'u32', 'bool', 'vec2f', 'vec3f', 'vec4f'];
    this.report('SYN1001', t.name.span, { what: 'simulation type', name: n }, { suggestion: closest(n, types), choices: types, data: { name: n } });
    return 'unknown';
  }

  run(): SimCheckResult {
    const s = this.sim;
    // settings
    const seen = new Set<string>();
    for (const st of s.settings) {
      const k = st.key.name;
      const spec = SIM_SETTINGS[k];
      if (!spec) {
        this.report('SYN1004', st.key.span, { key: k, block: `sim ${s.name.name}` }, { suggestion: closest(k, Object.keys(SIM_SETTINGS)), data: { key: k, block: `sim ${s.name.name}` } });
        continue;
      }
      if (seen.has(k)) this.report('SYN1010', st.key.span, { key: k, block: `sim ${s.name.name}` });
      seen.add(k);
      if (st.value.kind === 'Call' && st.value.callee.name === 'env') {
        this.report('SYN4001', st.value.span, { what: `\`${k}\` (it sizes the simulation's buffers)` });
        continue;
      }
      if (spec.kind === 'bool') {
        if (st.value.kind !== 'Bool') this.report('SYN2009', st.value.span, { key: k, block: `sim ${s.name.name}`, expected: 'true or false' });
        continue;
      }
      const v = constNumber(st.value);
      if (v === undefined || !Number.isInteger(v) || v < spec.min || v > spec.max) {
        this.report('SYN2009', st.value.span, { key: k, block: `sim ${s.name.name}`, expected: `a constant integer from ${spec.min} to ${spec.max}` });
      }
    }
    for (const req of ['worlds', 'agents', 'steps']) if (!seen.has(req)) this.report('SYN1005', s.name.span, { block: `sim ${s.name.name}`, key: req }, { data: { key: req, block: `sim ${s.name.name}` } });

    for (const b of ['step', 'world', 'agent']) this.globals.set(b, { type: 'u32', kind: 'builtin' });
    // params: constants
    for (const p of s.params) {
      const t = this.typeOfRef(p.type);
      if (this.globals.has(p.name.name)) this.dup(p.name);
      if (p.init) {
        const it = this.expr(p.init);
        this.assignable(it, t, p.init.span, `param ${p.name.name}`);
        // Params become WGSL constants and JS literals: only values known at compile time.
        if (it !== 'unknown' && !isConstInit(p.init)) {
          this.report('SYN3026', p.init.span, { name: p.name.name });
        }
      } else this.report('SYN3027', p.name.span, { name: p.name.name, type: t });
      this.globals.set(p.name.name, { type: t, kind: 'param' });
    }
    for (const st of s.states) {
      const t = this.typeOfRef(st.type);
      if (this.globals.has(st.name.name)) this.dup(st.name);
      this.globals.set(st.name.name, { type: t, kind: 'state' });
      this.stateTypes.set(st.name.name, t);
    }
    // Initialisers run in declaration order: one reads the states declared before it, not after.
    s.states.forEach((st, k) => {
      if (!st.init) return;
      const later = new Set(s.states.slice(k).map((x) => x.name.name));
      const bad = findNode(st.init, (n) => n.kind === 'Name' && later.has(n.name.name));
      if (bad && bad.kind === 'Name') {
        this.report('SYN2027', bad.span, { state: st.name.name, read: bad.name.name === st.name.name ? 'itself' : bad.name.name });
      }
      const it = this.expr(st.init);
      this.assignable(it, this.stateTypes.get(st.name.name)!, st.init.span, `state ${st.name.name}`);
    });
    // events
    const events = new Map<string, A.EventDecl>();
    for (const e of s.events) {
      if (events.has(e.name.name)) this.dup(e.name);
      // `SIM.trajectory` names the observations table, so an event of that name could never be read
      if (e.name.name === 'trajectory') this.report('SYN2038', e.name.span, { sim: s.name.name });
      events.set(e.name.name, e);
      for (const f of e.fields) {
        const t = this.typeOfRef(f.type);
        if (isVec(t)) this.report('SYN2035', f.type.span, { found: t });
      }
    }
    // rules
    const ruleNames = new Set<string>();
    for (const r of s.rules) {
      if (ruleNames.has(r.name.name)) this.dup(r.name);
      ruleNames.add(r.name.name);
      this.inRule = true;
      const scope = new Map(this.globals);
      if (r.when) this.expectBool(r.when, scope, '`when`');
      this.block(r.body, scope, events);
      this.inRule = false;
    }
    for (const o of s.observes) {
      const n = constNumber(o.every);
      if (n === undefined || !Number.isInteger(n) || n < 1) this.report('SYN2016', o.every.span, { what: 'observe every' });
      for (const f of o.fields) {
        if (!this.stateTypes.has(f.name)) {
          this.report('SYN1001', f.span, { what: 'state field', name: f.name }, { suggestion: closest(f.name, this.stateTypes.keys()), data: { name: f.name } });
        }
      }
    }
    for (const c of s.checks) {
      if (c.expr.kind === 'Name' && c.expr.name.name === 'finite') continue;
      // An invariant is evaluated per agent after each step, so it may read only that agent's values.
      const bad = findNode(c.expr, (n) => n.kind === 'Reduction' || (n.kind === 'Call' && n.callee.name in SIM_RANDOM));
      if (bad) {
        if (bad.kind === 'Reduction') this.report('SYN3021', bad.span);
        else this.report('SYN3025', bad.span);
        continue;
      }
      this.expectBool(c.expr, new Map(this.globals), '`check`');
    }
    if (!this.diagnostics.some((d) => d.severity === 'error')) this.constants();
    return { diagnostics: this.diagnostics, types: this.types, phases: this.phases() };
  }

  /**
   * Constant subexpressions (literals and params only) are evaluated when the WGSL is compiled, and WGSL
   * rejects one that divides by zero, overflows or leaves a built-in's domain. Evaluate them here so the
   * user gets a Synth error at the expression instead of a WGSL compile error.
   */
  private constants(): void {
    const params = new Map<string, number>();
    for (const p of this.sim.params) {
      const v = p.init ? constNumber(p.init) : undefined;
      if (v !== undefined) params.set(p.name.name, v);
    }
    const memo = new Map<A.Expr, number | null>();
    const fail = (e: A.Expr, why: string): null => {
      this.report('SYN3028', e.span, { problem: why });
      return null;
    };
    const ev = (e: A.Expr): number | null => {
      const hit = memo.get(e);
      if (hit !== undefined) return hit;
      const v = evaluate(e);
      memo.set(e, v);
      return v;
    };
    const inRange = (e: A.Expr, v: number): number | null => {
      const t = this.types.get(e) ?? 'unknown';
      if (Number.isNaN(v)) return fail(e, 'is NaN');
      if (t === 'f32' && !Number.isFinite(Math.fround(v))) return fail(e, `is ${v > 0 ? '' : '-'}Infinity in f32`);
      if (t === 'i32' && (v < -(2 ** 31) || v >= 2 ** 31)) return fail(e, `is ${v}, outside the i32 range`);
      // an integer literal still adapting to its use may be an i32 or a u32
      if (t === 'int' && (v < -(2 ** 31) || v >= 2 ** 32)) return fail(e, `is ${v}, outside the 32-bit integer range`);
      if (t === 'u32' && (v < 0 || v >= 2 ** 32)) return fail(e, `is ${v}, outside the u32 range`);
      return t === 'f32' ? Math.fround(v) : v;
    };
    const evaluate = (e: A.Expr): number | null => {
      switch (e.kind) {
        case 'Number':
          return inRange(e, e.value);
        case 'Name':
          return params.get(e.name.name) ?? null;
        case 'Unary': {
          const o = ev(e.operand);
          return o === null || e.op !== '-' ? null : inRange(e, -o);
        }
        case 'Binary': {
          const l = ev(e.left);
          const r = ev(e.right);
          if (l === null || r === null) return null;
          const t = this.types.get(e);
          const int = t === 'i32' || t === 'u32' || t === 'int';
          switch (e.op) {
            case '+':
              return inRange(e, l + r);
            case '-':
              return inRange(e, l - r);
            case '*':
              return inRange(e, l * r);
            case '/':
              if (r === 0) return fail(e, 'divides by zero');
              return inRange(e, int ? Math.trunc(l / r) : l / r);
            case '%':
              if (r === 0) return fail(e, 'takes a remainder by zero');
              return inRange(e, l % r);
            default:
              return null;
          }
        }
        case 'Call': {
          if (e.callee.name === 'randint' && e.args.length === 2) {
            // constant bounds out of order: an empty range (at run time the bounds are swapped, see lower.ts)
            const [lo, hi] = e.args.map(ev);
            if (lo !== null && lo !== undefined && hi !== null && hi !== undefined && lo > hi) this.report('SYN3034', e.span, { what: 'randint', low: lo, high: hi });
            return null;
          }
          const fn = CONST_FNS[e.callee.name];
          if (!fn || e.args.length !== fn.length) {
            e.args.forEach(ev);
            return null;
          }
          const args = e.args.map(ev);
          if (args.some((a) => a === null)) return null;
          const v = fn(...(args as number[]));
          if (Number.isNaN(v)) return fail(e, `is NaN (${e.callee.name} outside its domain)`);
          if (!Number.isFinite(v)) return fail(e, `is ${v > 0 ? '' : '-'}Infinity`);
          return inRange(e, v);
        }
        default:
          return null;
      }
    };
    const visit = (x: unknown): void => {
      if (!x || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(visit);
      const n = x as A.Expr;
      if (typeof n.kind === 'string' && this.types.has(n)) {
        ev(n);
        // vector constructors, reductions, draws: evaluate their parts
      }
      for (const [k, v] of Object.entries(x)) if (k !== 'span') visit(v);
    };
    visit(this.sim.params.map((p) => p.init));
    visit(this.sim.states.map((s) => s.init));
    visit(this.sim.rules);
    visit(this.sim.checks);
  }

  private dup(id: A.Ident): void {
    this.report('SYN1009', id.span, { name: id.name, scope: `sim ${this.sim.name.name}` });
  }

  /** Rules run in order; a rule that reads other agents (a reduction) starts a new phase. */
  private phases(): A.RuleDecl[][] {
    const phases: A.RuleDecl[][] = [];
    let cur: A.RuleDecl[] = [];
    let writes = new Map<string, A.RuleDecl>();
    for (const r of this.sim.rules) {
      if (cur.length > 0 && hasReduction(r)) {
        phases.push(cur);
        cur = [];
        writes = new Map();
      }
      for (const [name, span] of writesOf(r.body)) {
        const prev = writes.get(name);
        if (prev && prev !== r) {
          this.report('SYN3002', span, { name, a: prev.name.name, b: r.name.name }, {
            related: [{ file: this.file, span: prev.name.span, message: `rule ${prev.name.name} also writes ${name}` }],
          });
        }
        writes.set(name, r);
      }
      cur.push(r);
    }
    if (cur.length) phases.push(cur);
    return phases;
  }

  private block(b: A.Block, scope: Map<string, VarInfo>, events: Map<string, A.EventDecl>): void {
    const local = new Map(scope);
    const outer = this.blockLets;
    this.blockLets = new Set();
    for (const s of b.stmts) this.stmt(s, local, events);
    this.blockLets = outer;
  }

  private stmt(s: A.Stmt, scope: Map<string, VarInfo>, events: Map<string, A.EventDecl>): void {
    switch (s.kind) {
      case 'Let': {
        const prev = scope.get(s.name.name);
        if (prev && (prev.kind !== 'let' || this.blockLets.has(s.name.name))) {
          if (prev.kind === 'let') this.report('SYN1009', s.name.span, { name: s.name.name, scope: 'this block' });
          else this.report('SYN1002', s.name.span, { name: s.name.name, previous: `${withArticle(prev.kind === 'builtin' ? 'built-in' : prev.kind)} of sim ${this.sim.name.name}` });
        }
        this.blockLets.add(s.name.name);
        let t = this.expr(s.value, scope);
        if (s.type) {
          const declared = this.typeOfRef(s.type);
          this.assignable(t, declared, s.value.span, `let ${s.name.name}`);
          t = declared;
        }
        if (t === 'int') t = 'i32';
        scope.set(s.name.name, { type: t, kind: 'let' });
        return;
      }
      case 'Assign': {
        const v = scope.get(s.target.name);
        if (!v) {
          this.report('SYN1001', s.target.span, { what: 'state field', name: s.target.name }, { suggestion: closest(s.target.name, this.stateTypes.keys()), data: { name: s.target.name } });
          this.expr(s.value, scope);
          return;
        }
        if (v.kind !== 'state') {
          this.report('SYN3006', s.target.span, { name: s.target.name, what: v.kind === 'param' ? 'a param' : v.kind === 'let' ? 'a `let` value' : 'a built-in' });
        }
        const t = this.expr(s.value, scope);
        if (s.op !== '=' && !isNumericT(v.type)) this.report('SYN2011', s.span, { op: s.op, expected: 'a numeric field', found: `${s.target.name}: ${v.type}` });
        this.assignable(t, v.type, s.value.span, s.target.name);
        return;
      }
      case 'If':
        this.expectBool(s.cond, scope, '`if`');
        this.block(s.then, scope, events);
        if (s.else?.kind === 'If') this.stmt(s.else, scope, events);
        else if (s.else) this.block(s.else, scope, events);
        return;
      case 'Emit': {
        const ev = events.get(s.event.name);
        if (!ev) {
          this.report('SYN1001', s.event.span, { what: 'event', name: s.event.name }, { suggestion: closest(s.event.name, events.keys()), data: { name: s.event.name } });
          for (const en of s.fields.entries) this.expr(en.value, scope);
          return;
        }
        const given = new Set<string>();
        for (const en of s.fields.entries) {
          const k = keyName(en.key);
          given.add(k);
          const f = ev.fields.find((x) => x.name.name === k);
          const t = this.expr(en.value, scope);
          if (!f) {
            this.report('SYN2005', en.key.span, { type: `event ${ev.name.name}`, name: k }, { suggestion: closest(k, ev.fields.map((x) => x.name.name)) });
            continue;
          }
          const want = f.type.kind === 'NamedType' ? (f.type.name.name as SimType) : 'unknown';
          this.assignable(t, want, en.value.span, `field ${k} of event ${ev.name.name}`);
        }
        for (const f of ev.fields) if (!given.has(f.name.name)) this.report('SYN2006', s.fields.span, { type: `event ${ev.name.name}`, name: f.name.name });
        return;
      }
    }
  }

  private expectBool(e: A.Expr, scope: Map<string, VarInfo>, what: string): void {
    const t = this.expr(e, scope);
    if (t !== 'bool' && t !== 'unknown') this.report('SYN2028', e.span, { clause: what, found: t });
  }

  private assignable(from: SimType, to: SimType, span: A.Span, what: string): void {
    if (from === 'unknown' || to === 'unknown' || from === to) return;
    if (from === 'int' && (to === 'f32' || to === 'i32' || to === 'u32')) return;
    if (to === 'f32' && (from === 'i32' || from === 'u32')) this.report('SYN2019', span, { what, found: from });
    else this.report('SYN2001', span, { what, expected: to, found: from === 'int' ? 'an integer' : from });
  }

  expr(e: A.Expr, scope: Map<string, VarInfo> = this.globals): SimType {
    const t = this.infer(e, scope);
    this.types.set(e, t);
    return t;
  }

  /** Reports `code` and gives the type of an erroneous expression. */
  private bad<C extends DiagnosticCode>(code: C, span: A.Span, ...rest: DiagnosticRest<C>): SimType {
    this.report(code, span, ...rest);
    return 'unknown';
  }

  private infer(e: A.Expr, scope: Map<string, VarInfo>): SimType {
    switch (e.kind) {
      case 'Missing':
        return 'unknown';
      case 'Number':
        return e.isFloat ? 'f32' : 'int';
      case 'Bool':
        return 'bool';
      case 'Name': {
        if (e.name.name === this.inReduction) return this.bad('SYN2026', e.span, { binder: e.name.name });
        const v = scope.get(e.name.name);
        if (v) return v.type;
        if (e.name.name === 'agents') {
          return this.bad('SYN3024', e.span);
        }
        return this.bad('SYN1001', e.name.span, { what: 'name', name: e.name.name }, { suggestion: closest(e.name.name, [...scope.keys()]), data: { name: e.name.name } });
      }
      case 'Member': {
        if (e.object.kind === 'Name' && e.object.name.name === this.inReduction) {
          const t = this.stateTypes.get(e.member.name) ?? REDUCTION_BINDER_FIELDS[e.member.name];
          if (!t) {
            return this.bad('SYN2005', e.member.span, { type: 'agent', name: e.member.name }, { suggestion: closest(e.member.name, [...this.stateTypes.keys(), ...Object.keys(REDUCTION_BINDER_FIELDS)]) });
          }
          return t;
        }
        const o = this.expr(e.object, scope);
        if (o === 'unknown') return 'unknown';
        if (isVec(o)) {
          const comps = 'xyzw'.slice(0, vecSize(o));
          if (e.member.name.length === 1 && comps.includes(e.member.name)) return 'f32';
          return this.bad('SYN2005', e.member.span, { type: o, name: e.member.name }, { suggestion: closest(e.member.name, comps.split('')), choices: comps.split('') });
        }
        return this.bad('SYN2013', e.member.span, { type: o });
      }
      case 'Call':
        return this.call(e, scope);
      case 'Reduction':
        return this.reduction(e, scope);
      case 'Unary': {
        const t = this.expr(e.operand, scope);
        if (e.op === '!') {
          if (t !== 'bool' && t !== 'unknown') return this.bad('SYN2011', e.span, { op: '!', expected: 'a bool', found: t });
          return 'bool';
        }
        if (t === 'u32') return this.bad('SYN2011', e.span, { op: '-', expected: 'a signed number (a u32 cannot be negated)', found: t });
        if (!isNumericT(t) && !isVec(t) && t !== 'unknown') return this.bad('SYN2011', e.span, { op: '-', expected: 'a number', found: t });
        return t;
      }
      case 'Binary':
        return this.binary(e, scope);
      default:
        return this.bad('SYN2021', e.span, { what: e.kind === 'String' || e.kind === 'Template' ? 'strings' : e.kind === 'Record' ? 'records' : e.kind === 'Array' ? 'lists' : e.kind === 'Range' ? 'ranges' : 'this expression' });
    }
  }

  private unify(a: SimType, b: SimType): SimType | undefined {
    if (a === 'unknown' || b === 'unknown') return 'unknown';
    if (a === b) return a;
    if (a === 'int' && isNumericT(b) && b !== 'bool') return b;
    if (b === 'int' && isNumericT(a) && a !== 'bool') return a;
    return undefined;
  }

  private binary(e: A.BinaryExpr, scope: Map<string, VarInfo>): SimType {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    switch (e.op) {
      case '&&':
      case '||':
        if ((l !== 'bool' && l !== 'unknown') || (r !== 'bool' && r !== 'unknown')) return this.bad('SYN2011', e.span, { op: e.op, expected: 'bool operands', found: `${l} and ${r}` });
        return 'bool';
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const u = this.unify(l, r);
        if (!u || isVec(u) || ((e.op !== '==' && e.op !== '!=') && u === 'bool')) {
          if (!u && isNumericT(l) && isNumericT(r)) return this.bad('SYN2020', e.span, { op: e.op, left: l, right: r });
          return this.bad('SYN2012', e.span, { left: l, right: r });
        }
        return 'bool';
      }
      case 'in':
        return this.bad('SYN2021', e.span, { what: '`in`' });
      default: {
        if (isVec(l) || isVec(r)) {
          if (l === r || (isVec(l) && (r === 'f32' || r === 'int')) || (isVec(r) && (l === 'f32' || l === 'int'))) return isVec(l) ? l : r;
          return this.bad('SYN2011', e.span, { op: e.op, expected: 'vectors of one type, or a vector and an f32', found: `${l} and ${r}` });
        }
        const u = this.unify(l, r);
        if (!u && isNumericT(l) && isNumericT(r)) return this.bad('SYN2020', e.span, { op: e.op, left: l, right: r });
        if (!u || u === 'bool') return this.bad('SYN2011', e.span, { op: e.op, expected: 'numbers', found: `${l} and ${r}` });
        return u;
      }
    }
  }

  private call(e: A.CallExpr, scope: Map<string, VarInfo>): SimType {
    const name = e.callee.name;
    const args = e.args.map((a) => this.expr(a, scope));
    if (SIM_RANDOM[name]) {
      const spec = SIM_RANDOM[name]!;
      if (args.length !== spec.params.length) return this.bad('SYN2010', e.span, { callee: spec.signature, expected: `${spec.params.length} argument${spec.params.length === 1 ? '' : 's'}`, found: args.length });
      args.forEach((t, i) => {
        const want = spec.params[i]!;
        if (want === 'int') {
          if (t !== 'int' && t !== 'u32' && t !== 'i32' && t !== 'unknown') this.report('SYN2032', e.args[i]!.span, { index: i + 1, signature: spec.signature, expected: 'an integer', found: t });
        } else this.assignable(t, want, e.args[i]!.span, `argument ${i + 1} of ${name}`);
      });
      if (name === 'randint') {
        const k = args.find((t) => t === 'i32' || t === 'u32');
        if (k) return k;
        // literal bounds: one above i32's range makes the draw a u32 (so an i32 use of it is SYN2001, not a
        // wrapped bound); bounds that no one 32-bit type holds are an error
        const [lo, hi] = e.args.map(constNumber);
        if (lo !== undefined && hi !== undefined && hi >= 2 ** 31) {
          if (lo < 0) return this.bad('SYN3028', e.span, { problem: `has the bounds ${lo} and ${hi}, which neither i32 nor u32 holds` });
          return 'u32';
        }
        return 'int';
      }
      return spec.result;
    }
    if (['f32', 'i32', 'u32'].includes(name)) {
      if (args.length !== 1) return this.bad('SYN2010', e.span, { callee: `${name}(x)`, expected: '1 argument', found: args.length });
      if (!isNumericT(args[0]!) && args[0] !== 'bool' && args[0] !== 'unknown') return this.bad('SYN2032', e.args[0]!.span, { index: 1, signature: `${name}(x)`, expected: 'a number or bool', found: args[0]! });
      return name as SimType;
    }
    if (['vec2f', 'vec3f', 'vec4f'].includes(name)) {
      const n = Number(name[3]);
      if (args.length !== n && args.length !== 1) return this.bad('SYN2010', e.span, { callee: name, expected: `${n} components (or one to splat)`, found: args.length });
      args.forEach((t, i) => this.assignable(t, 'f32', e.args[i]!.span, `component ${i + 1} of ${name}`));
      return name as SimType;
    }
    if (!isSimFn(name)) {
      if (name === 'env') {
        return this.bad('SYN4004', e.span, { where: 'a simulation' });
      }
      const suggestion = closest(name, [...Object.keys(SIM_FUNCTIONS), ...Object.keys(SIM_RANDOM), 'f32', 'u32', 'i32', 'vec2f', 'vec3f']);
      return this.bad('SYN1001', e.callee.span, { what: 'function', name }, { suggestion, data: { name } });
    }
    const res = resolveCall(name, args);
    if ('problem' in res) {
      const p = res.problem;
      // a bad argument is underlined itself; the others concern the whole call
      return p.code === 'SYN2032' ? this.bad(p.code, e.args[p.args.index - 1]!.span, p.args) : this.bad(p.code, e.span, p.args as never);
    }
    return res.result;
  }

  private reduction(e: A.ReductionExpr, scope: Map<string, VarInfo>): SimType {
    const op = e.op.name;
    if (!this.inRule) {
      return this.bad('SYN3021', e.span);
    }
    if (this.inReduction) {
      return this.bad('SYN3022', e.span);
    }
    if (!SIM_REDUCTIONS.includes(op)) {
      return this.bad('SYN1001', e.op.span, { what: 'reduction', name: op }, { suggestion: closest(op, SIM_REDUCTIONS), choices: SIM_REDUCTIONS, data: { name: op } });
    }
    if (e.domain.kind !== 'Name' || e.domain.name.name !== 'agents') {
      this.report('SYN3023', e.domain.span);
    }
    this.inReduction = e.binder.name;
    const inner = new Map(scope);
    inner.delete(e.binder.name);
    const body = this.expr(e.body, inner);
    if (e.where) this.expectBool(e.where, inner, '`where`');
    this.inReduction = undefined;
    let result: SimType;
    switch (op) {
      case 'count':
        if (body !== 'bool' && body !== 'unknown') this.report('SYN2036', e.body.span, { reduction: 'count', expected: 'a bool (count counts the agents where it holds)', found: body });
        result = 'u32';
        break;
      case 'any':
      case 'all':
        if (body !== 'bool' && body !== 'unknown') this.report('SYN2036', e.body.span, { reduction: op, expected: 'a bool', found: body });
        result = 'bool';
        break;
      case 'mean':
        if (!isNumericT(body) && body !== 'unknown') this.report('SYN2036', e.body.span, { reduction: 'mean', expected: 'a number', found: body });
        result = 'f32';
        break;
      default:
        if (!isNumericT(body) && !isVec(body) && body !== 'unknown') this.report('SYN2036', e.body.span, { reduction: op, expected: 'a number', found: body });
        result = body === 'int' ? 'i32' : body;
        if ((op === 'min' || op === 'max') && isVec(body)) this.report('SYN2036', e.body.span, { reduction: op, expected: 'a scalar', found: body });
    }
    if (e.default) {
      const d = this.expr(e.default, scope);
      this.assignable(d, result, e.default.span, `the default of ${op}`);
    } else if (op === 'min' || op === 'max' || op === 'mean') {
      // with no agents matching, min/max/mean fall back to 0; say so explicitly with `default`
    }
    return result;
  }
}

/** Does the rule read other agents (a neighbour reduction in its condition or body)? */
export function hasReduction(r: A.RuleDecl): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || !x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    if ((x as { kind?: string }).kind === 'Reduction') {
      found = true;
      return;
    }
    for (const [k, v] of Object.entries(x as object)) if (k !== 'span') visit(v);
  };
  visit(r.when);
  visit(r.body);
  return found;
}

/** The state fields a block assigns, with the span of each assignment, in source order (branches included). */
export function writesOf(b: A.Block): Array<[string, A.Span]> {
  const out: Array<[string, A.Span]> = [];
  const visit = (s: A.Stmt) => {
    if (s.kind === 'Assign') out.push([s.target.name, s.target.span]);
    if (s.kind === 'If') {
      s.then.stmts.forEach(visit);
      if (s.else?.kind === 'If') visit(s.else);
      else s.else?.stmts.forEach(visit);
    }
  };
  b.stmts.forEach(visit);
  return out;
}

const CONST_FNS: Record<string, (...a: number[]) => number> = {
  sqrt: Math.sqrt,
  log: Math.log,
  exp: Math.exp,
  pow: Math.pow,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  abs: Math.abs,
  floor: Math.floor,
  ceil: Math.ceil,
  min: Math.min,
  max: Math.max,
  clamp: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
  f32: (x) => x,
};

/** The first node (depth first) of an expression tree that matches. */
function findNode(x: unknown, pred: (n: A.Expr) => boolean): A.Expr | undefined {
  if (!x || typeof x !== 'object') return undefined;
  if (Array.isArray(x)) {
    for (const y of x) {
      const f = findNode(y, pred);
      if (f) return f;
    }
    return undefined;
  }
  if (typeof (x as A.Expr).kind === 'string' && pred(x as A.Expr)) return x as A.Expr;
  for (const [k, v] of Object.entries(x)) {
    if (k === 'span') continue;
    const f = findNode(v, pred);
    if (f) return f;
  }
  return undefined;
}

/** What a param may be initialised with: what layout.ts's constValue folds. */
function isConstInit(e: A.Expr): boolean {
  if (e.kind === 'Bool') return true;
  if (constNumber(e) !== undefined) return true;
  if (e.kind === 'Call' && /^(vec[234]f|f32|i32|u32)$/.test(e.callee.name)) return e.args.every((a) => constNumber(a) !== undefined);
  return false;
}
