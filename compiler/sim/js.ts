// The JavaScript printer: prints a sim's IR (ir.ts) as the CPU backend's kernel — one flat loop per phase over
// the agents of a block of worlds, on structure-of-arrays typed arrays. f32 arithmetic is rounded with
// Math.fround after every operation, i32/u32 wrap like WGSL, so each IR operation gives the bits the WGSL
// printer's does.
//
// Vectors are scalarised: a vec2f value is two JavaScript numbers (`s_pos$x`, `s_pos$y`), never an array, so
// the kernel allocates nothing per agent. `ex` returns one code string per component; a vector that is not a
// plain variable or constant is first bound to temporaries, so no component expression is evaluated twice.
//
// Semantics shared with wgsl.ts: rules run in order; the rules of a phase read the state as it was when the
// phase began (plus their own writes); a rule with a neighbour reduction starts a phase, and its reductions
// read a snapshot, taken at that point, of the states the phase writes.
import type { SimLayout } from './layout.js';
import { elemOf, unreachable, walkExpr, widthOf, type Expr, type FnDef, type Phase, type SimIR, type Stmt, type Ty } from './ir.js';

/** The RNG and conversion helpers, shared in meaning with wgsl.ts's WGSL_RUNTIME. */
export const JS_RUNTIME = `
const fround = Math.fround, imul = Math.imul;
const _f32 = new Float32Array(1), _u32 = new Uint32Array(_f32.buffer), _i32 = new Int32Array(_f32.buffer);
function f2u(x) { _f32[0] = x; return _u32[0]; }
function u2f(x) { _u32[0] = x; return _f32[0]; }
function i2f(x) { _i32[0] = x; return _f32[0]; }
function f2i(x) { _f32[0] = x; return _i32[0]; }
function mix(h) { h ^= h >>> 16; h = imul(h, 0x85ebca6b); h ^= h >>> 13; h = imul(h, 0xc2b2ae35); h ^= h >>> 16; return h >>> 0; }
function rnd(seed, world, agent, step, site) {
  let h = mix((seed ^ imul(site + 1, 0x9e3779b9)) >>> 0);
  h = mix((h ^ world) >>> 0);
  h = mix((h + imul(agent, 0x27d4eb2d)) >>> 0);
  return mix((h ^ imul(step, 0x165667b1)) >>> 0);
}
// rnd with its first two rounds done once per site and world (k) and the step's factor done once per step (ts)
function rnd2(k, agent, ts) { return mix((mix((k + imul(agent, 0x27d4eb2d)) >>> 0) ^ ts) >>> 0); }
function to_i32(x) { if (x !== x) return 0; if (x >= 2147483647) return 2147483647; if (x <= -2147483648) return -2147483648; return x | 0; }
function to_u32(x) { if (x !== x || x <= 0) return 0; if (x >= 4294967295) return 4294967295; return x >>> 0; }
function idiv(a, b) { return b === 0 ? a : (a / b) | 0; }
function udiv(a, b) { return b === 0 ? a : Math.floor(a / b) >>> 0; }
function imod(a, b) { return b === 0 ? 0 : (a % b) | 0; }
function umod(a, b) { return b === 0 ? 0 : a % b; }
function fmin(a, b) { return a < b ? a : b; }
function fmax(a, b) { return a > b ? a : b; }
`;

/** The first two RNG rounds for a site, done at compile time (they depend only on the seed and the site). */
function siteKey(seed: number, site: number): number {
  const mix = (h: number) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  return mix((seed ^ Math.imul(site + 1, 0x9e3779b9)) >>> 0);
}

const COMP = 'xyzw';
/** The name of component `i` of a value named `base` (scalars keep the name). */
const part = (base: string, ty: Ty, i: number) => (widthOf(ty) === 1 ? base : `${base}$${COMP[i]}`);
const parts = (base: string, ty: Ty) => Array.from({ length: widthOf(ty) }, (_, i) => part(base, ty, i));

function num(v: number, ty: Ty): string {
  switch (elemOf(ty)) {
    case 'f32': {
      const f = Math.fround(v);
      if (Object.is(f, -0)) return '(-0)';
      if (f === -Infinity) return '(-Infinity)';
      return f < 0 ? `(${f})` : String(f);
    }
    case 'i32':
      return (v | 0) < 0 ? `(${v | 0})` : String(v | 0);
    case 'u32':
      return String(v >>> 0);
    case 'bool':
      return v ? 'true' : 'false';
  }
}

export interface JsOptions {
  /**
   * `native` prints sqrt … pow with JavaScript's Math (double precision, then rounded): not what the GPU
   * computes. Only for measuring what exact transcendentals cost (bench/sim); plans always use `exact`.
   */
  math?: 'exact' | 'native';
  /** print library functions marked `native` from their IR too (tests of the IR algorithm itself) */
  software?: boolean;
}

interface Ctx {
  /** statements to print before the expression being printed */
  pre: string[];
  /** local variable → component code (lets, function parameters, inlined lets) */
  env: Map<string, string[]>;
  /** the column read for `other` (reduction bodies): `c` live, `s` snapshot; the agent index variable */
  inReduction: boolean;
  /** how `rand(site)` is printed here */
  rand: (site: number) => string;
  /**
   * Inside one iteration of a (fused) reduction loop: library calls already printed, by their IR, so two
   * reductions reading `distance(o.pos, pos)` compute it once (every expression is pure: same IR, same value).
   */
  memo?: Map<string, string[]>;
  /** in a statement: the library calls it makes more than once (memoised there too, by the same key) */
  shared?: Set<string>;
  /** reductions already computed by a fused loop: their accumulators */
  done?: Map<Expr, string[]>;
}

class JsPrinter {
  private tmpN = 0;
  private readonly lib: Map<string, FnDef>;

  constructor(
    readonly ir: SimIR,
    readonly L: SimLayout,
    readonly opts: JsOptions,
  ) {
    this.lib = new Map(ir.lib.map((f) => [f.name, f]));
  }

  private tmp(): string {
    return `_t${this.tmpN++}`;
  }

  private col(state: string, i: number): number {
    return this.L.columns.findIndex((c) => c.state === state && c.component === i);
  }

  /** Binds each component to a temporary unless it is already a name or a literal. */
  private bind(ctx: Ctx, comps: string[]): string[] {
    return comps.map((c) => (/^[\w$]+$/.test(c) || /^\(?-?[\d.e+-]+\)?$/.test(c) ? c : this.hold(ctx, c)));
  }

  /** A temporary holding `c`'s value now (computed before the statement, in `ctx.pre`). */
  private hold(ctx: Ctx, c: string): string {
    const t = this.tmp();
    ctx.pre.push(`const ${t} = ${c};`);
    return t;
  }

  /** Code for each component of `e`. */
  ex(e: Expr, ctx: Ctx): string[] {
    const ty = e.ty;
    const el = elemOf(ty);
    const n = widthOf(ty);
    const each = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
    switch (e.k) {
      case 'const':
        return each((i) => num(e.v[i] ?? e.v[0]!, ty));
      case 'var':
        switch (e.scope) {
          case 'builtin':
            return [e.name === 'step' ? 't' : e.name === 'world' ? 'w' : 'a'];
          case 'param':
            return parts(`p_${e.name}`, ty);
          case 'state':
            return parts(`s_${e.name}`, ty);
          case 'local':
            return ctx.env.get(e.name) ?? parts(e.name, ty);
        }
        return unreachable(e.scope);
      case 'other': {
        const arr = e.snapshot ? 's' : 'c';
        return each((i) => (ty === 'bool' ? `(${arr}${this.col(e.state, i)}[j] !== 0)` : `${arr}${this.col(e.state, i)}[j]`));
      }
      case 'otherAgent':
        return ['(j - base)'];
      case 'neg': {
        const a = this.ex(e.a, ctx);
        return a.map((x) => (el === 'i32' ? `((-${x}) | 0)` : `(-${x})`));
      }
      case 'not':
        return [`(!${this.ex(e.a, ctx)[0]})`];
      case 'arith': {
        const a = this.ex(e.a, ctx);
        const b = this.ex(e.b, ctx);
        return this.vecResult(ctx, n, each((i) => arith(e.op, el, a[i]!, b[i]!)));
      }
      case 'bits': {
        const [a, b] = [this.ex(e.a, ctx)[0]!, this.ex(e.b, ctx)[0]!];
        const js = { and: '&', or: '|', xor: '^', shl: '<<', shr: e.ty === 'u32' ? '>>>' : '>>' }[e.op];
        return [e.ty === 'u32' && e.op !== 'shr' ? `((${a} ${js} ${b}) >>> 0)` : `(${a} ${js} ${b})`];
      }
      case 'cmp': {
        const [a, b] = [this.ex(e.a, ctx)[0]!, this.ex(e.b, ctx)[0]!];
        const js = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' }[e.op];
        return [`(${a} ${js} ${b})`];
      }
      case 'logic': {
        const [a, b] = [this.ex(e.a, ctx)[0]!, this.ex(e.b, ctx)[0]!];
        return [`(${a} ${e.op === 'and' ? '&&' : '||'} ${b})`];
      }
      case 'prim': {
        const args = e.args.map((x) => this.ex(x, ctx));
        return this.vecResult(ctx, n, each((i) => prim(e.fn, el, args.map((a) => a[i]!))));
      }
      case 'convert':
        return [convert(e.ty, e.a.ty, this.ex(e.a, ctx)[0]!)];
      case 'bitcast': {
        const from = e.a.ty;
        if (e.a.k === 'const') {
          // a constant's bits: the value itself (Infinity, NaN, 2^k …), not a round trip through memory per call
          const buf = new DataView(new ArrayBuffer(4));
          if (from === 'f32') buf.setFloat32(0, e.a.v[0]!);
          else buf.setUint32(0, e.a.v[0]! >>> 0);
          return [num(e.ty === 'f32' ? buf.getFloat32(0) : e.ty === 'i32' ? buf.getInt32(0) : buf.getUint32(0), e.ty)];
        }
        const a = this.ex(e.a, ctx)[0]!;
        if (from === e.ty) return [a];
        if (e.ty === 'f32') return [from === 'u32' ? `u2f(${a})` : `i2f(${a})`];
        if (from === 'f32') return [e.ty === 'u32' ? `f2u(${a})` : `f2i(${a})`];
        return [e.ty === 'u32' ? `(${a} >>> 0)` : `(${a} | 0)`];
      }
      case 'vec':
        return e.args.map((x) => this.ex(x, ctx)[0]!);
      case 'splat': {
        const [a] = this.bind(ctx, this.ex(e.a, ctx));
        return each(() => a!);
      }
      case 'comp':
        return [this.ex(e.a, ctx)[e.i]!];
      case 'select': {
        const [c] = this.bind(ctx, this.ex(e.c, ctx));
        const t = this.ex(e.t, ctx);
        const f = this.ex(e.f, ctx);
        return this.vecResult(ctx, n, each((i) => `(${c} ? ${t[i]} : ${f[i]})`));
      }
      case 'call': {
        if (!ctx.memo) return this.call(e, ctx);
        const key = JSON.stringify(e);
        if (ctx.shared && !ctx.shared.has(key)) return this.call(e, ctx);
        const hit = ctx.memo.get(key);
        if (hit) return hit;
        const v = this.bind(ctx, this.call(e, ctx));
        ctx.memo.set(key, v);
        return v;
      }
      case 'rand':
        return [ctx.rand(e.site)];
      case 'reduce':
        return ctx.done?.get(e) ?? this.reduce([e], ctx)[0]!;
    }
  }

  /** Vector results are bound to temporaries (a consumer may read each component more than once). */
  private vecResult(ctx: Ctx, n: number, comps: string[]): string[] {
    return n === 1 ? comps : this.bind(ctx, comps);
  }

  private call(e: Expr & { k: 'call' }, ctx: Ctx): string[] {
    const f = this.lib.get(e.fn)!;
    const args = e.args.map((a) => this.ex(a, ctx));
    if (this.opts.math === 'native') {
      const native = NATIVE[f.name];
      if (native) return [native(args.map((a) => a[0]!))];
    }
    if (f.params.every((p) => widthOf(p.ty) === 1) && widthOf(f.ret) === 1) return [`${f.name}(${args.map((a) => a[0]).join(', ')})`];
    // vector functions are inlined: parameters and lets become temporaries of the caller
    const env = new Map<string, string[]>();
    f.params.forEach((p, i) => env.set(p.name, this.bind(ctx, args[i]!)));
    // the body's calls are memoised per inlining: the same call node of the body means another value under
    // another binding of the parameters (sqrt(sqrt(v)) in a reduction gave sqrt(v); differential run, seed 1,028,979)
    const inner: Ctx = { ...ctx, env, memo: new Map(), shared: undefined };
    for (const l of f.lets) {
      const comps = this.ex(l.value, inner);
      env.set(l.name, this.bind(ctx, comps));
    }
    return this.vecResult(ctx, widthOf(f.ret), this.ex(f.result, inner));
  }

  /**
   * Reductions as one loop over the world's agents, emitted before the statement that uses them. Several
   * reductions (consecutive `let`s of a rule, see `stmts`) share the loop: one pass over the neighbours, each
   * `where` evaluated once, common library calls computed once. Each accumulator still sees the agents in
   * order, so the values are those of separate loops (and of the WGSL printer's).
   */
  private reduce(es: (Expr & { k: 'reduce' })[], ctx: Ctx): string[][] {
    // reductions with the same filter share one `if` block (and, in it, their common library calls)
    const groups = new Map<string, { where: Expr | null; members: number[] }>();
    es.forEach((e, k) => {
      const key = e.where ? JSON.stringify(e.where) : '';
      if (!groups.has(key)) groups.set(key, { where: e.where, members: [] });
      groups.get(key)!.members.push(k);
    });
    const accs: string[][] = es.map((e) => parts(this.tmp(), e.ty));
    // one count of the agents that passed the filter per group: the same number for every member
    const counts: string[] = new Array(es.length);
    const loop: string[] = [];
    for (const g of groups.values()) {
      const count = `${accs[g.members[0]!]![0]!.split('$')[0]}n`;
      for (const k of g.members) counts[k] = count;
      const inner: Ctx = { ...ctx, pre: [], inReduction: true, memo: new Map() };
      let cond: string | null = null;
      if (g.where) {
        cond = this.ex(g.where, inner)[0]!;
        loop.push(...inner.pre.splice(0));
      }
      const block: string[] = [];
      for (const k of g.members) {
        const e = es[k]!;
        const acc = accs[k]!;
        const x = this.bind(inner, this.ex(e.body, inner));
        block.push(...inner.pre.splice(0));
        const el = elemOf(e.ty);
        switch (e.op) {
          case 'min':
            // (x < acc first: the same outcome as `count === 0 || …`, cheaper on every agent but the first)
            block.push(`if (${x[0]} < ${acc[0]} || ${count} === 0) ${acc[0]} = ${x[0]};`);
            break;
          case 'max':
            block.push(`if (${x[0]} > ${acc[0]} || ${count} === 0) ${acc[0]} = ${x[0]};`);
            break;
          case 'sum':
          case 'mean':
            block.push(acc.map((a, i) => `${a} = ${arith('add', el, a, x[i]!)};`).join(' '));
            break;
          case 'count':
            block.push(`if (${x[0]}) ${acc[0]}++;`);
            break;
          case 'any':
            block.push(`if (${x[0]}) ${acc[0]} = true;`);
            break;
          case 'all':
            block.push(`if (!${x[0]}) ${acc[0]} = false;`);
            break;
        }
      }
      block.push(`${count}++;`);
      if (cond) loop.push(`if (${cond}) {`, ...block.map((b) => '  ' + b), '}');
      else loop.push(...block);
    }
    es.forEach((e, k) => ctx.pre.push(`let ${accs[k]!.map((a) => `${a} = ${e.op === 'all' ? 'true' : e.op === 'any' ? 'false' : num(0, e.ty)}`).join(', ')};`));
    for (const c of new Set(counts)) ctx.pre.push(`let ${c} = 0;`);
    ctx.pre.push('for (let j = base; j < base + A; j++) {', ...loop.map((l) => '  ' + l), '}');
    es.forEach((e, k) => {
      const acc = accs[k]!;
      const dflt = this.ex(e.dflt, ctx);
      ctx.pre.push(`if (${counts[k]} === 0) { ${acc.map((a, i) => `${a} = ${dflt[i]};`).join(' ')} }${e.op === 'mean' ? ` else ${acc[0]} = fround(${acc[0]} / ${counts[k]});` : ''}`);
    });
    return accs;
  }

  // ---------------------------------------------------------------- statements

  stmts(ss: Stmt[], ctx: Ctx, out: string[], ind: string): void {
    for (let i = 0; i < ss.length; i++) {
      // consecutive `let x = REDUCTION`s share one loop over the neighbours (the later ones must not read the
      // earlier ones' names; nothing between them changes what they read)
      const group: (Expr & { k: 'reduce' })[] = [];
      const names = new Set<string>();
      for (let j = i; j < ss.length; j++) {
        const st = ss[j]!;
        if (st.k !== 'let' || st.value.k !== 'reduce' || readsLocal(st.value, names)) break;
        group.push(st.value);
        names.add(st.name);
      }
      if (group.length > 1) {
        const accs = this.reduce(group, ctx);
        const done = new Map(ctx.done ?? []);
        group.forEach((e, k) => done.set(e, accs[k]!));
        const fused: Ctx = { ...ctx, done };
        for (let k = 0; k < group.length; k++) this.stmt(ss[i + k]!, fused, out, ind);
        i += group.length - 1;
        continue;
      }
      this.stmt(ss[i]!, ctx, out, ind);
    }
  }

  private stmt(s: Stmt, outer: Ctx, out: string[], ind: string): void {
    // a library call made twice in one statement (x_sincos(h).x and .y) is computed once: nothing changes
    // between the two within a statement
    const { memo: _m, shared: _s, ...rest } = outer;
    const ctx: Ctx = { ...rest, ...sharedCalls(s) };
    const flush = () => {
      for (const p of ctx.pre.splice(0)) out.push(ind + p);
    };
    switch (s.k) {
      case 'let': {
        const comps = this.ex(s.value, ctx);
        flush();
        const names = parts(s.name, s.ty);
        out.push(`${ind}let ${names.map((nm, i) => `${nm} = ${comps[i]}`).join(', ')};`);
        return;
      }
      case 'assign': {
        const names = parts(`s_${s.state}`, s.ty);
        let comps = this.ex(s.value, ctx);
        if (comps.length > 1) {
          comps = this.bind(ctx, comps);
          // a component read from the state being assigned, after that component is assigned (`v = vec4f(0.5,
          // 1.0, 100.0, v.z)`: w = z once z is 100), reads its old value from a temporary, as WGSL's whole-vector
          // assignment does (generated differential run, seeds 1,015,382 and 1,016,875)
          comps = comps.map((c, i) => {
            const j = names.indexOf(c);
            return j >= 0 && j < i ? this.hold(ctx, c) : c;
          });
        }
        flush();
        out.push(ind + names.map((nm, i) => `${nm} = ${comps[i]};`).join(' '));
        return;
      }
      case 'if': {
        const c = this.ex(s.cond, ctx)[0]!;
        flush();
        out.push(`${ind}if (${c}) {`);
        this.stmts(s.then, ctx, out, ind + '  ');
        if (s.else.length) {
          out.push(`${ind}} else {`);
          this.stmts(s.else, ctx, out, ind + '  ');
        }
        out.push(`${ind}}`);
        return;
      }
      case 'emit': {
        const fields = s.fields.map((f) => {
          const c = this.ex(f, ctx)[0]!;
          return f.ty === 'bool' ? `(${c} ? 1 : 0)` : c;
        });
        flush();
        out.push(`${ind}E(${s.event}, w, a, t, ${s.site}${fields.map((f) => ', ' + f).join('')});`);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- library functions

  fn(f: FnDef): string {
    if (this.opts.math === 'native' && NATIVE[f.name]) return '';
    const params = f.params.flatMap((p) => parts(p.name, p.ty));
    if (f.native === 'sqrt' && !this.opts.software) return `function ${f.name}(${params.join(', ')}) { return fround(Math.sqrt(${params[0]})); } // correctly rounded, as the IR's x_sqrt`;
    if (params.length !== f.params.length || widthOf(f.ret) !== 1) return ''; // vector functions are inlined
    const ctx: Ctx = { pre: [], env: new Map(), inReduction: false, rand: () => '0' };
    const body: string[] = [];
    for (const l of f.lets) {
      const c = this.ex(l.value, ctx)[0]!;
      body.push(...ctx.pre.splice(0), `const ${l.name} = ${c};`);
    }
    const r = this.ex(f.result, ctx)[0]!;
    body.push(...ctx.pre.splice(0), `return ${r};`);
    return `// ${f.doc}\nfunction ${f.name}(${params.join(', ')}) {\n  ${body.join('\n  ')}\n}`;
  }

  // ---------------------------------------------------------------- the kernel

  private randIn(sites: Set<number>): (site: number) => string {
    return (site) => {
      sites.add(site);
      return `rnd2(k${site}, a, ts)`;
    };
  }

  private load(name: string, ty: Ty): string[] {
    return Array.from({ length: widthOf(ty) }, (_, i) => (ty === 'bool' ? `(c${this.col(name, i)}[i] !== 0)` : `c${this.col(name, i)}[i]`));
  }

  private store(name: string, ty: Ty, from: string[]): string {
    return from.map((v, i) => `c${this.col(name, i)}[i] = ${ty === 'bool' ? `(${v} ? 1 : 0)` : v};`).join(' ');
  }

  private tyOfState(name: string): Ty {
    const st = this.L.states.find((s) => s.name === name)!;
    return st.type as Ty;
  }

  /** Per-world RNG keys for the sites a loop body draws from. */
  private keys(sites: Set<number>): string {
    return [...sites].sort((a, b) => a - b).map((s) => `const k${s} = mix((${siteKey(this.L.seed, s)} ^ w) >>> 0);`).join(' ');
  }

  print(): string {
    const L = this.L;
    const lines: string[] = [JS_RUNTIME];
    for (const f of this.ir.lib) {
      const code = this.fn(f);
      if (code) lines.push(code);
    }
    lines.push(`const A = ${L.agents};`, `const seed = ${L.seed >>> 0};`);
    for (const p of L.params) {
      const ty = p.type as Ty;
      lines.push(`const ${parts(`p_${p.name}`, ty).map((nm, i) => `${nm} = ${num(p.value[i] ?? p.value[0] ?? 0, ty)}`).join(', ')};`);
    }
    // Columns are hoisted into locals: one monomorphic typed-array reference per column for V8.
    const hoist = (arr: 'C' | 'S') => L.columns.map((_, i) => `const ${arr.toLowerCase()}${i} = ${arr}[${i}];`).join(' ');

    // init: states in declaration order; later initialisers read earlier states
    {
      const sites = new Set<number>();
      const ctx: Ctx = { pre: [], env: new Map(), inReduction: false, rand: this.randIn(sites) };
      const body: string[] = [];
      for (const s of this.ir.init) {
        const comps = this.ex(s.value, ctx);
        body.push(...ctx.pre.splice(0).map((p) => '      ' + p));
        const names = parts(`s_${s.state}`, s.ty);
        body.push(`      const ${names.map((nm, i) => `${nm} = ${comps[i]}`).join(', ')}; ${this.store(s.state, s.ty, names)}`);
      }
      lines.push('function init(C, w0, w1) {', '  ' + hoist('C'), '  const t = 0, ts = 0;');
      lines.push(`  for (let w = w0; w < w1; w++) { ${this.keys(sites)}`, '    for (let a = 0; a < A; a++) { const i = (w - w0) * A + a;', ...body, '  } }', '}');
    }

    lines.push('function step(C, S, w0, w1, t, E) {', '  ' + hoist('C') + ' ' + hoist('S'), '  const ts = imul(t, 0x165667b1);');
    this.ir.phases.forEach((ph, pi) => lines.push(...this.phase(ph, pi)));
    lines.push('}');

    // invariants: after each step, the first failing agent (then check) as i * K + k, or -1
    if (this.ir.invariants.length) {
      const K = this.ir.invariants.length;
      const uses = new Set<string>();
      const ctx: Ctx = { pre: [], env: new Map(), inReduction: false, rand: () => '0' };
      const body: string[] = [];
      this.ir.invariants.forEach((c, k) => {
        const code = this.ex(c, ctx)[0]!;
        body.push(...ctx.pre.splice(0).map((p) => '    ' + p), `    if (!${code}) return i * ${K} + ${k};`);
      });
      for (const c of this.ir.invariants) walkExpr(c, (x) => x.k === 'var' && x.scope === 'state' && uses.add(x.name));
      lines.push('function checks(C, w0, w1, t) {', '  ' + hoist('C'));
      lines.push('  for (let w = w0; w < w1; w++) { const base = (w - w0) * A; for (let a = 0; a < A; a++) { const i = base + a;');
      for (const n of uses) {
        const ty = this.tyOfState(n);
        lines.push(`    const ${parts(`s_${n}`, ty).map((nm, i) => `${nm} = ${this.load(n, ty)[i]}`).join(', ')};`);
      }
      lines.push(...body, '  } }', '  return -1;', '}', 'return { init, step, checks };');
    } else lines.push('return { init, step };');
    return lines.join('\n');
  }

  private phase(ph: Phase, pi: number): string[] {
    const out: string[] = [`  // phase ${pi + 1}: rule${ph.rules.length > 1 ? 's' : ''} ${ph.rules.map((r) => r.name).join(', ')}`];
    for (const n of ph.snapshot) for (let c = 0; c < widthOf(this.tyOfState(n)); c++) out.push(`  s${this.col(n, c)}.set(c${this.col(n, c)});`);
    const sites = new Set<number>();
    const body: string[] = [];
    for (const n of ph.uses) {
      const ty = this.tyOfState(n);
      body.push(`      const ${parts(`s0_${n}`, ty).map((nm, i) => `${nm} = ${this.load(n, ty)[i]}`).join(', ')};`);
    }
    for (const n of ph.writes) {
      const ty = this.tyOfState(n);
      body.push(`      let ${parts(`s1_${n}`, ty).map((nm, i) => `${nm} = ${part(`s0_${n}`, ty, i)}`).join(', ')};`);
    }
    for (const r of ph.rules) {
      const ctx: Ctx = { pre: [], env: new Map(), inReduction: false, rand: this.randIn(sites) };
      body.push(`      { // rule ${r.name}`);
      for (const n of r.uses) {
        const ty = this.tyOfState(n);
        body.push(`        let ${parts(`s_${n}`, ty).map((nm, i) => `${nm} = ${part(`s0_${n}`, ty, i)}`).join(', ')};`);
      }
      let ind = '        ';
      if (r.when) {
        const c = this.ex(r.when, ctx)[0]!;
        body.push(...ctx.pre.splice(0).map((p) => ind + p), `${ind}if (${c}) {`);
        ind += '  ';
      }
      this.stmts(r.body, ctx, body, ind);
      for (const n of r.writes) {
        const ty = this.tyOfState(n);
        body.push(ind + parts(`s1_${n}`, ty).map((nm, i) => `${nm} = ${part(`s_${n}`, ty, i)};`).join(' '));
      }
      if (r.when) body.push('        }');
      body.push('      }');
    }
    for (const n of ph.writes) {
      const ty = this.tyOfState(n);
      body.push(`      ${this.store(n, ty, parts(`s1_${n}`, ty))}`);
    }
    out.push(`  for (let w = w0; w < w1; w++) { const base = (w - w0) * A; ${this.keys(sites)}`, '    for (let a = 0; a < A; a++) { const i = base + a;', ...body, '  } }');
    return out;
  }
}

/** The library calls a statement's own expressions (not its nested blocks') make more than once, as a memo. */
function sharedCalls(s: Stmt): { memo?: Map<string, string[]>; shared?: Set<string> } {
  const own: Expr[] = s.k === 'let' || s.k === 'assign' ? [s.value] : s.k === 'if' ? [s.cond] : s.fields;
  const seen = new Map<string, number>();
  for (const e of own) walkExpr(e, (x) => x.k === 'call' && seen.set(JSON.stringify(x), (seen.get(JSON.stringify(x)) ?? 0) + 1));
  const shared = new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
  return shared.size ? { memo: new Map(), shared } : {};
}

/** Does `e` read any of these local names? */
function readsLocal(e: Expr, names: Set<string>): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.k === 'var' && x.scope === 'local' && names.has(x.name)) found = true;
  });
  return found;
}

function arith(op: 'add' | 'sub' | 'mul' | 'div' | 'rem', el: string, a: string, b: string): string {
  const js = { add: '+', sub: '-', mul: '*', div: '/', rem: '%' }[op];
  switch (el) {
    case 'f32':
      // (rem on f32 is spelled out by the lowering; this is the same formula, for completeness)
      return op === 'rem' ? `fround(${a} - fround(${b} * Math.trunc(fround(${a} / ${b}))))` : `fround(${a} ${js} ${b})`;
    case 'i32':
      return op === 'mul' ? `imul(${a}, ${b})` : op === 'div' ? `idiv(${a}, ${b})` : op === 'rem' ? `imod(${a}, ${b})` : `((${a} ${js} ${b}) | 0)`;
    case 'u32':
      return op === 'mul' ? `(imul(${a}, ${b}) >>> 0)` : op === 'div' ? `udiv(${a}, ${b})` : op === 'rem' ? `umod(${a}, ${b})` : `((${a} ${js} ${b}) >>> 0)`;
  }
  throw new Error(`arithmetic on ${el}`);
}

function prim(fn: 'min' | 'max' | 'abs' | 'floor' | 'ceil' | 'trunc' | 'clz', el: string, a: string[]): string {
  switch (fn) {
    case 'clz':
      return `Math.clz32(${a[0]})`;
    case 'min':
    case 'max':
      return el === 'f32' ? `f${fn}(${a[0]}, ${a[1]})` : `Math.${fn}(${a[0]}, ${a[1]})`;
    case 'abs':
      return el === 'f32' ? `Math.abs(${a[0]})` : el === 'i32' ? `(Math.abs(${a[0]}) | 0)` : a[0]!;
    case 'floor':
    case 'ceil':
    case 'trunc':
      return `Math.${fn}(${a[0]})`;
  }
}

function convert(to: string, from: Ty, a: string): string {
  if (from === to) return a;
  if (from === 'bool') return `(${a} ? 1 : 0)`;
  switch (to) {
    case 'f32':
      return `fround(${a})`;
    case 'i32':
      return from === 'f32' ? `to_i32(${a})` : `(${a} | 0)`;
    case 'u32':
      return from === 'f32' ? `to_u32(${a})` : `(${a} >>> 0)`;
  }
  throw new Error(`conversion to ${to}`);
}

/** `math: 'native'`: JavaScript's own functions, rounded to f32 (only to measure what the exact ones cost). */
const NATIVE: Record<string, (a: string[]) => string> = {
  x_sqrt: (a) => `fround(Math.sqrt(${a[0]}))`,
  x_exp: (a) => `fround(Math.exp(${a[0]}))`,
  x_log: (a) => `fround(Math.log(${a[0]}))`,
  x_sin: (a) => `fround(Math.sin(${a[0]}))`,
  x_cos: (a) => `fround(Math.cos(${a[0]}))`,
  x_tanh: (a) => `fround(Math.tanh(${a[0]}))`,
  x_pow: (a) => `fround(Math.pow(${a[0]}, ${a[1]}))`,
};

/**
 * Generates the CPU kernel module: `({ init(C, w0, w1), step(C, S, w0, w1, t, E), checks? })` as source text.
 * C: the state columns of worlds [w0, w1) (typed arrays indexed (w - w0) * A + a), S: snapshot columns,
 * E: emit(eventIndex, w, a, t, site, ...fields).
 */
export function generateJs(ir: SimIR, layout: SimLayout, opts: JsOptions = {}): string {
  return new JsPrinter(ir, layout, opts).print();
}

/** A library function alone, as a JavaScript function (tests compare it with its WGSL twin and with Math). */
export function libraryJs(fns: FnDef[], opts: JsOptions = {}): string {
  const p = new JsPrinter({ init: [], phases: [], invariants: [], lib: fns }, { columns: [], states: [], params: [], events: [], seed: 0, agents: 1 } as unknown as SimLayout, opts);
  return [JS_RUNTIME, ...fns.map((f) => p.fn(f))].join('\n');
}

