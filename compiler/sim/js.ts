// Simulation → JavaScript for the CPU backend: the rules are compiled (not interpreted) into one flat loop over
// the agents of a block of worlds, on structure-of-arrays typed arrays. f32 arithmetic is rounded with
// Math.fround after every operation and i32/u32 wrap like WGSL, so results match the GPU backend: exactly for
// arithmetic and the random draws, within a tolerance for transcendental built-ins.
//
// Semantics shared with wgsl.ts: rules run in order; rules in one phase read the state as it was when the
// phase began and each writes its own fields (sequentially within the rule); a rule with a neighbour
// reduction starts a new phase, and reductions read a snapshot of the other agents taken at that point.
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { analyzeSim } from './check.js';
import { NORMAL_JS } from './normal.js';
import { siteMap } from './sites.js';
import { binderReads, statesUsed, writesIn } from './walk.js';
import { invariantsOf, scalarOf, type SimLayout } from './layout.js';
import { concrete, isVec, vecSize, type SimType } from './types.js';

/** The RNG, shared verbatim in spirit with wgsl.ts: a counter-based hash of (seed, world, agent, step, site). */
export const JS_RUNTIME =
  `
const fround = Math.fround, imul = Math.imul;
function mix(h) { h ^= h >>> 16; h = imul(h, 0x85ebca6b); h ^= h >>> 13; h = imul(h, 0xc2b2ae35); h ^= h >>> 16; return h >>> 0; }
function rnd(seed, world, agent, step, site) {
  let h = mix((seed ^ imul(site + 1, 0x9e3779b9)) >>> 0);
  h = mix((h ^ world) >>> 0);
  h = mix((h + imul(agent, 0x27d4eb2d)) >>> 0);
  return mix((h ^ imul(step, 0x165667b1)) >>> 0);
}
function u01(h) { return (h >>> 8) * 5.9604644775390625e-8; }
function r_uniform(h, lo, hi) { return fround(lo + fround(fround(hi - lo) * u01(h))); }
function r_randint(h, lo, hi) { const n = (hi - lo + 1) >>> 0; return n === 0 ? lo : (lo + (h % n)) | 0; }
function to_i32(x) { if (x !== x) return 0; if (x >= 2147483647) return 2147483647; if (x <= -2147483648) return -2147483648; return Math.trunc(x) | 0; }
function to_u32(x) { if (x !== x || x <= 0) return 0; if (x >= 4294967295) return 4294967295; return Math.trunc(x) >>> 0; }
function idiv(a, b) { return b === 0 ? a : (a / b) | 0; }
function udiv(a, b) { return b === 0 ? a : Math.floor(a / b) >>> 0; }
function imod(a, b) { return b === 0 ? 0 : (a % b) | 0; }
function fmod(a, b) { return fround(a - fround(b * Math.trunc(fround(a / b)))); }
function fclamp(x, lo, hi) { return Math.min(Math.max(x, lo), hi); }
` + NORMAL_JS;

interface Ctx {
  types: Map<A.Expr, SimType>;
  layout: SimLayout;
  sites: Map<object, number>;
  pre: string[];
  tmp: { n: number };
  /** reduction binder name → true while emitting its body */
  binder: string | undefined;
  /** columns to read others' values from (snapshot or live) */
  snapshot: Set<string>;
  locals: Set<string>;
}

const STATE = (n: string) => `s_${n}`;
const PARAM = (n: string) => `p_${n}`;
const LOCAL = (n: string) => `l_${n}`;

function colRef(layout: SimLayout, state: string, comp: number): string {
  const idx = layout.columns.findIndex((c) => c.state === state && c.component === comp);
  return `c${idx}`;
}

function ty(ctx: Ctx, e: A.Expr): SimType {
  return concrete(ctx.types.get(e) ?? 'f32');
}

/** Rounds a JS number to the value type's arithmetic. */
function wrap(t: SimType, code: string): string {
  switch (t) {
    case 'f32':
      return `fround(${code})`;
    case 'i32':
      return `((${code}) | 0)`;
    case 'u32':
      return `((${code}) >>> 0)`;
    default:
      return code;
  }
}

function vecOp(n: number, a: string, b: string, op: (x: string, y: string) => string, aVec: boolean, bVec: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`fround(${op(aVec ? `${a}[${i}]` : a, bVec ? `${b}[${i}]` : b)})`);
  return `[${parts.join(', ')}]`;
}

function expr(e: A.Expr, ctx: Ctx, want?: SimType): string {
  const t = want && ctx.types.get(e) === 'int' ? want : ty(ctx, e);
  switch (e.kind) {
    case 'Number':
      if (t === 'f32') return String(Math.fround(e.value));
      if (t === 'u32') return String(e.value >>> 0);
      return String(e.value | 0);
    case 'Bool':
      return e.value ? 'true' : 'false';
    case 'Name': {
      const n = e.name.name;
      if (n === 'step') return 't';
      if (n === 'world') return 'w';
      if (n === 'agent') return 'a';
      if (ctx.locals.has(n)) return LOCAL(n);
      if (ctx.layout.params.some((p) => p.name === n)) return PARAM(n);
      return STATE(n);
    }
    case 'Member': {
      if (ctx.binder && e.object.kind === 'Name' && e.object.name.name === ctx.binder) {
        const st = ctx.layout.states.find((s) => s.name === e.member.name)!;
        const src = ctx.snapshot.has(st.name) ? 's' : 'c';
        const read = (c: number) => `${src}${ctx.layout.columns.findIndex((x) => x.state === st.name && x.component === c)}[j]`;
        if (isVec(st.type)) return `[${Array.from({ length: vecSize(st.type) }, (_, c) => read(c)).join(', ')}]`;
        return st.type === 'bool' ? `(${read(0)} !== 0)` : read(0);
      }
      return `${expr(e.object, ctx)}[${'xyzw'.indexOf(e.member.name)}]`;
    }
    case 'Unary': {
      const o = expr(e.operand, ctx, t);
      if (e.op === '!') return `(!${o})`;
      if (isVec(t)) return `${o}.map((v) => -v)`;
      return wrap(t, `-${o}`);
    }
    case 'Binary':
      return binary(e, ctx, t);
    case 'Call':
      return call(e, ctx, t);
    case 'Reduction':
      return reduction(e, ctx);
    default:
      return '0';
  }
}

function binary(e: A.BinaryExpr, ctx: Ctx, t: SimType): string {
  const lt = ty(ctx, e.left);
  const rt = ty(ctx, e.right);
  if (e.op === '&&' || e.op === '||') return `(${expr(e.left, ctx)} ${e.op} ${expr(e.right, ctx)})`;
  if (['==', '!=', '<', '<=', '>', '>='].includes(e.op)) {
    // operands take the type of the non-literal side
    const ot = ctx.types.get(e.left) === 'int' ? concrete(ctx.types.get(e.right) ?? 'i32') : lt;
    const op = e.op === '==' ? '===' : e.op === '!=' ? '!==' : e.op;
    return `(${expr(e.left, ctx, ot)} ${op} ${expr(e.right, ctx, ot)})`;
  }
  if (isVec(t)) {
    const n = vecSize(t);
    const jsop = (x: string, y: string) => `${x} ${e.op} ${y}`;
    return vecOp(n, expr(e.left, ctx, 'f32'), expr(e.right, ctx, 'f32'), jsop, isVec(lt), isVec(rt));
  }
  const l = expr(e.left, ctx, t);
  const r = expr(e.right, ctx, t);
  if (t === 'f32') {
    if (e.op === '%') return `fmod(${l}, ${r})`;
    return `fround(${l} ${e.op} ${r})`;
  }
  if (t === 'i32') {
    if (e.op === '*') return `imul(${l}, ${r})`;
    if (e.op === '/') return `idiv(${l}, ${r})`;
    if (e.op === '%') return `imod(${l}, ${r})`;
    return `((${l} ${e.op} ${r}) | 0)`;
  }
  if (t === 'u32') {
    if (e.op === '*') return `(imul(${l}, ${r}) >>> 0)`;
    if (e.op === '/') return `udiv(${l}, ${r})`;
    if (e.op === '%') return `(${r} === 0 ? 0 : (${l} % ${r}) >>> 0)`;
    return `((${l} ${e.op} ${r}) >>> 0)`;
  }
  return `(${l} ${e.op} ${r})`;
}

function draws(ctx: Ctx, node: object, n: number): string[] {
  const first = ctx.sites.get(node)!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`rnd(seed, w, a, t, ${first + i})`);
  return out;
}

function call(e: A.CallExpr, ctx: Ctx, t: SimType): string {
  const name = e.callee.name;
  const argTypes = e.args.map((a) => ctx.types.get(a) ?? 'f32');
  const common = concrete(argTypes.find((x) => x !== 'int') ?? (t === 'bool' ? 'i32' : t));
  const args = (want: SimType) => e.args.map((a) => expr(a, ctx, want));
  switch (name) {
    case 'uniform': {
      const [h] = draws(ctx, e, 1);
      const [lo, hi] = args('f32');
      return `r_uniform(${h}, ${lo}, ${hi})`;
    }
    case 'normal': {
      const [h1, h2] = draws(ctx, e, 2);
      const [m, s] = args('f32');
      return `r_normal(${h1}, ${h2}, ${m}, ${s})`;
    }
    case 'randint': {
      const [h] = draws(ctx, e, 1);
      const [lo, hi] = args(t);
      return t === 'u32' ? `(r_randint(${h}, ${lo}, ${hi}) >>> 0)` : `r_randint(${h}, ${lo}, ${hi})`;
    }
    case 'bernoulli': {
      const [h] = draws(ctx, e, 1);
      return `(u01(${h}) < ${args('f32')[0]})`;
    }
    case 'f32':
      return argTypes[0] === 'bool' ? `(${expr(e.args[0]!, ctx)} ? 1 : 0)` : `fround(${expr(e.args[0]!, ctx, 'f32')})`;
    case 'i32':
      return argTypes[0] === 'bool' ? `(${expr(e.args[0]!, ctx)} ? 1 : 0)` : concrete(argTypes[0]!) === 'f32' ? `to_i32(${expr(e.args[0]!, ctx)})` : `(${expr(e.args[0]!, ctx, 'i32')} | 0)`;
    case 'u32':
      return argTypes[0] === 'bool' ? `(${expr(e.args[0]!, ctx)} ? 1 : 0)` : concrete(argTypes[0]!) === 'f32' ? `to_u32(${expr(e.args[0]!, ctx)})` : `(${expr(e.args[0]!, ctx, 'u32')} >>> 0)`;
    case 'vec2f':
    case 'vec3f':
    case 'vec4f': {
      const n = Number(name[3]);
      const a = args('f32');
      return `[${(a.length === 1 ? new Array(n).fill(a[0]) : a).join(', ')}]`;
    }
    case 'min':
    case 'max':
      if (isVec(t)) return vecOp(vecSize(t), expr(e.args[0]!, ctx), expr(e.args[1]!, ctx), (x, y) => `Math.${name}(${x}, ${y})`, true, true);
      return `Math.${name}(${args(common).join(', ')})`;
    case 'clamp':
      return `fclamp(${args(common).join(', ')})`;
    case 'abs':
      return isVec(t) ? `${expr(e.args[0]!, ctx)}.map(Math.abs)` : wrap(common, `Math.abs(${args(common)[0]})`);
    case 'floor':
    case 'ceil':
      return `Math.${name}(${args('f32')[0]})`;
    case 'sqrt':
    case 'exp':
    case 'log':
    case 'sin':
    case 'cos':
    case 'tanh':
      return `fround(Math.${name}(${args('f32')[0]}))`;
    case 'pow':
      return `fround(Math.pow(${args('f32').join(', ')}))`;
    case 'select': {
      const [f, tr] = [expr(e.args[0]!, ctx, t), expr(e.args[1]!, ctx, t)];
      return `(${expr(e.args[2]!, ctx)} ? ${tr} : ${f})`;
    }
    case 'dot': {
      const n = vecSize(argTypes[0]!);
      const [x, y] = [expr(e.args[0]!, ctx), expr(e.args[1]!, ctx)];
      let acc = `fround(${x}[0] * ${y}[0])`;
      for (let i = 1; i < n; i++) acc = `fround(${acc} + fround(${x}[${i}] * ${y}[${i}]))`;
      return acc;
    }
    case 'length':
      return `fround(Math.hypot(...${expr(e.args[0]!, ctx)}))`;
    case 'distance': {
      const n = vecSize(argTypes[0]!);
      const [x, y] = [expr(e.args[0]!, ctx), expr(e.args[1]!, ctx)];
      return `fround(Math.hypot(${Array.from({ length: n }, (_, i) => `${x}[${i}] - ${y}[${i}]`).join(', ')}))`;
    }
    case 'normalize': {
      const v = `_v${ctx.tmp.n++}`;
      ctx.pre.push(`const ${v} = ${expr(e.args[0]!, ctx)}; const ${v}l = fround(Math.hypot(...${v}));`);
      return `${v}.map((c) => fround(c / ${v}l))`;
    }
  }
  return '0';
}

/** Reductions become a loop over the world's agents, emitted before the statement that uses them. */
function reduction(e: A.ReductionExpr, ctx: Ctx): string {
  const op = e.op.name;
  const v = `_r${ctx.tmp.n++}`;
  const bodyT = concrete(ctx.types.get(e.body) ?? 'f32');
  const resT = concrete(ctx.types.get(e) ?? 'f32');
  const saved = ctx.binder;
  ctx.binder = e.binder.name;
  const body = expr(e.body, ctx, bodyT === 'i32' && resT !== 'i32' ? resT : bodyT);
  const where = e.where ? expr(e.where, ctx) : 'true';
  ctx.binder = saved;
  const def = e.default ? expr(e.default, ctx, resT) : isVec(resT) ? `[${new Array(vecSize(resT)).fill(0).join(', ')}]` : resT === 'bool' ? (op === 'all' ? 'true' : 'false') : '0';
  let init: string;
  let step: string;
  let fin = v;
  switch (op) {
    case 'min':
      init = 'Infinity';
      step = `if (x < ${v}) ${v} = x;`;
      break;
    case 'max':
      init = '-Infinity';
      step = `if (x > ${v}) ${v} = x;`;
      break;
    case 'sum':
      init = isVec(resT) ? `[${new Array(vecSize(resT)).fill(0).join(', ')}]` : '0';
      step = isVec(resT) ? `for (let c = 0; c < ${vecSize(resT)}; c++) ${v}[c] = fround(${v}[c] + x[c]);` : `${v} = ${wrap(resT, `${v} + x`)};`;
      break;
    case 'count':
      init = '0';
      step = `if (x) ${v}++;`;
      break;
    case 'mean':
      init = '0';
      step = `${v} = fround(${v} + x);`;
      fin = `fround(${v} / ${v}n)`;
      break;
    case 'any':
      init = 'false';
      step = `if (x) { ${v} = true; break; }`;
      break;
    default: // all
      init = 'true';
      step = `if (!x) { ${v} = false; break; }`;
  }
  ctx.pre.push(
    `let ${v} = ${init}, ${v}n = 0; for (let j = base; j < base + A; j++) { if (!(${where})) continue; const x = ${body}; ${v}n++; ${step} }` +
      (op === 'count' || op === 'any' || op === 'all' ? '' : ` ${v} = ${v}n === 0 ? ${def} : ${fin};`) +
      (op === 'count' ? '' : ''),
  );
  if ((op === 'any' || op === 'all') && e.default) ctx.pre.push(`if (${v}n === 0) ${v} = ${def};`);
  return v;
}

function stmt(s: A.Stmt, ctx: Ctx, out: string[], indent: string): void {
  const emit = (line: string) => {
    for (const p of ctx.pre.splice(0)) out.push(indent + p);
    out.push(indent + line);
  };
  switch (s.kind) {
    case 'Let': {
      const t = concrete(ctx.types.get(s.value) === 'int' ? 'i32' : (ctx.types.get(s.value) ?? 'f32'));
      const code = expr(s.value, ctx, t);
      ctx.locals.add(s.name.name);
      emit(`let ${LOCAL(s.name.name)} = ${code};`);
      return;
    }
    case 'Assign': {
      const st = ctx.layout.states.find((x) => x.name === s.target.name)!;
      const t = concrete(st.type);
      const value = expr(s.value, ctx, t);
      if (s.op === '=') emit(`${STATE(st.name)} = ${value};`);
      else {
        const op = s.op[0]!;
        const fake = { kind: 'Binary', op, left: { kind: 'Name', name: s.target, span: s.span }, right: s.value, span: s.span } as A.BinaryExpr;
        ctx.types.set(fake, t);
        ctx.types.set(fake.left, t);
        emit(`${STATE(st.name)} = ${binary(fake, ctx, t)};`);
      }
      return;
    }
    case 'If': {
      const cond = expr(s.cond, ctx);
      emit(`if (${cond}) {`);
      for (const x of s.then.stmts) stmt(x, ctx, out, indent + '  ');
      if (s.else?.kind === 'If') {
        out.push(indent + '} else {');
        stmt(s.else, ctx, out, indent + '  ');
        out.push(indent + '}');
      } else if (s.else) {
        out.push(indent + '} else {');
        for (const x of s.else.stmts) stmt(x, ctx, out, indent + '  ');
        out.push(indent + '}');
      } else out.push(indent + '}');
      return;
    }
    case 'Emit': {
      const ev = ctx.layout.events.findIndex((x) => x.name === s.event.name);
      const fields = ctx.layout.events[ev]!.fields.map((f) => {
        const en = s.fields.entries.find((x) => keyName(x.key) === f.name)!;
        const v = expr(en.value, ctx, f.type);
        return f.type === 'bool' ? `(${v} ? 1 : 0)` : v;
      });
      emit(`E(${ev}, w, a, t, ${ctx.sites.get(s)!}, ${fields.join(', ')});`);
      return;
    }
  }
}

function loadState(layout: SimLayout, name: string): string {
  const st = layout.states.find((s) => s.name === name)!;
  if (isVec(st.type)) return `[${Array.from({ length: vecSize(st.type) }, (_, c) => `${colRef(layout, name, c)}[i]`).join(', ')}]`;
  return st.type === 'bool' ? `(${colRef(layout, name, 0)}[i] !== 0)` : `${colRef(layout, name, 0)}[i]`;
}

function storeState(layout: SimLayout, name: string, value: string): string {
  const st = layout.states.find((s) => s.name === name)!;
  if (isVec(st.type)) return Array.from({ length: vecSize(st.type) }, (_, c) => `${colRef(layout, name, c)}[i] = ${value}[${c}];`).join(' ');
  return `${colRef(layout, name, 0)}[i] = ${st.type === 'bool' ? `(${value} ? 1 : 0)` : value};`;
}

/**
 * Generates the CPU kernel module: `({ init(C, w0, w1), step(C, S, w0, w1, t, E) })` as source text.
 * C: the state columns of worlds [w0, w1) (typed arrays indexed (w - w0) * A + a), S: snapshot columns, E: emit(eventIndex, w, a, t, site, ...fields).
 */
export function generateJs(sim: A.SimDecl, layout: SimLayout, file = ''): string {
  const { types, phases } = analyzeSim(sim, file);
  const stateNames = new Set(layout.states.map((s) => s.name));
  const sites = siteMap(sim);
  const base = (): Ctx => ({ types, layout, sites, pre: [], tmp: { n: 0 }, binder: undefined, snapshot: new Set(), locals: new Set() });
  const lines: string[] = [JS_RUNTIME, `const A = ${layout.agents};`];
  lines.push(`const seed = ${layout.seed >>> 0};`);
  for (const p of layout.params) {
    const v = p.value.map((x) => (p.type === 'f32' || isVec(p.type) ? Math.fround(x) : x));
    lines.push(`const ${PARAM(p.name)} = ${isVec(p.type) ? `[${v.join(', ')}]` : p.type === 'bool' ? String(v[0] !== 0) : String(v[0])};`);
  }

  // init: states in declaration order; later initialisers may read earlier states.
  // Columns are hoisted into locals: one monomorphic typed-array reference per column for V8.
  const hoist = (arr: 'C' | 'S') => layout.columns.map((_, i) => `const ${arr.toLowerCase()}${i} = ${arr}[${i}];`).join(' ');
  lines.push('function init(C, w0, w1) {', '  ' + hoist('C'), '  const t = 0;', '  for (let w = w0; w < w1; w++) { for (let a = 0; a < A; a++) { const i = (w - w0) * A + a;');
  for (const st of sim.states) {
    const ctx = base();
    const t = concrete(layout.states.find((s) => s.name === st.name.name)!.type);
    const zero = isVec(t) ? `[${new Array(vecSize(t)).fill(0).join(', ')}]` : t === 'bool' ? 'false' : '0';
    const v = st.init ? expr(st.init, ctx, t) : zero;
    for (const p of ctx.pre) lines.push('    ' + p);
    lines.push(`    const ${STATE(st.name.name)} = ${v}; ${storeState(layout, st.name.name, STATE(st.name.name))}`);
  }
  lines.push('  } }', '}');

  // step
  lines.push('function step(C, S, w0, w1, t, E) {', '  ' + hoist('C') + ' ' + hoist('S'));
  phases.forEach((rules, pi) => {
    const used = new Set<string>();
    statesUsed(rules, stateNames, used);
    const others = new Set<string>();
    binderReads(rules, others);
    const written = new Set<string>();
    for (const r of rules) statesUsed(r.body.stmts.filter((s) => s.kind === 'Assign'), stateNames, written);
    // Snapshot only what reductions read and this phase writes: other reads of others see phase-start values.
    const snap = [...others].filter((n) => rules.some((r) => writesIn(r.body).has(n)));
    lines.push(`  // phase ${pi + 1}: rules ${rules.map((r) => r.name.name).join(', ')}`);
    for (const n of snap) {
      const st = layout.states.find((s) => s.name === n)!;
      for (let c = 0; c < vecSize(st.type); c++) {
        const idx = layout.columns.findIndex((x) => x.state === n && x.component === c);
        lines.push(`  s${idx}.set(c${idx});`);
      }
    }
    lines.push('  for (let w = w0; w < w1; w++) { const base = (w - w0) * A; for (let a = 0; a < A; a++) { const i = base + a;');
    for (const n of used) lines.push(`    const ${STATE(n)}0 = ${loadState(layout, n)};`);
    const allWritten = new Set<string>();
    for (const r of rules) for (const n of writesIn(r.body)) allWritten.add(n);
    for (const n of allWritten) lines.push(`    let ${STATE(n)}1 = ${STATE(n)}0;`);
    for (const r of rules) {
      const ctx: Ctx = { ...base(), snapshot: new Set(snap) };
      const body: string[] = [];
      const ruleUsed = new Set<string>();
      statesUsed(r, stateNames, ruleUsed);
      body.push(`    { // rule ${r.name.name}`);
      for (const n of ruleUsed) body.push(`      let ${STATE(n)} = ${STATE(n)}0;`);
      let ind = '      ';
      if (r.when) {
        const cond = expr(r.when, ctx);
        for (const p of ctx.pre.splice(0)) body.push(ind + p);
        body.push(`${ind}if (${cond}) {`);
        ind += '  ';
      }
      for (const s of r.body.stmts) stmt(s, ctx, body, ind);
      for (const n of writesIn(r.body)) body.push(`${ind}${STATE(n)}1 = ${STATE(n)};`);
      if (r.when) body.push('      }');
      body.push('    }');
      lines.push(...body);
    }
    for (const n of allWritten) lines.push(`    ${storeState(layout, n, `${STATE(n)}1`)}`);
    lines.push('  } }');
  });
  lines.push('}');

  // invariants: after each step, the first failing agent (then check) as i * K + k, or -1
  const inv = invariantsOf(sim);
  if (inv.length) {
    lines.push('function checks(C, w0, w1, t) {', '  ' + hoist('C'));
    lines.push('  for (let w = w0; w < w1; w++) { const base = (w - w0) * A; for (let a = 0; a < A; a++) { const i = base + a;');
    const used = new Set<string>();
    statesUsed(inv.map((c) => c.expr), stateNames, used);
    for (const n of used) lines.push(`    const ${STATE(n)} = ${loadState(layout, n)};`);
    inv.forEach((c, k) => {
      const ctx = base();
      const cond = expr(c.expr, ctx);
      for (const p of ctx.pre) lines.push('    ' + p);
      lines.push(`    if (!(${cond})) return i * ${inv.length} + ${k};`);
    });
    lines.push('  } }', '  return -1;', '}');
    lines.push('return { init, step, checks };');
  } else lines.push('return { init, step };');
  return lines.join('\n');
}


export { scalarOf };
