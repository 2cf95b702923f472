// Simulation → WGSL. One module per sim with an `init` entry point and one entry point per phase (rules with
// no cross-agent dependency are fused into one kernel; a rule with a neighbour reduction starts a new one).
//
// Buffers (group 0), at most 4 storage buffers so it runs in WebGPU compatibility mode:
//   0 state    array<u32>            all columns, structure of arrays: column c at [c*n, (c+1)*n), f32 as bits
//   1 snap     array<u32>            copies of columns that a phase's reductions read and the phase writes
//   2 counts   array<atomic<u32>>    one counter per event kind (overflow = counter past capacity), then
//                                    4 words recording the first failed `check` (see GpuProgram.checks)
//   3 events   array<u32>            per event kind a region of `cap` rows: world, agent, step, site, fields…
//   4 u        uniform Frame         step, first world, agents in this run, (unused) (dynamic offset)
// Params are compile-time constants. Observations need no binding: the host copies observed columns out.
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { analyzeSim, hasReduction } from './check.js';
import { invariantsOf, scalarOf, type SimLayout } from './layout.js';
import { binderReads, statesUsed, writesIn } from './walk.js';
import { NORMAL_WGSL } from './normal.js';
import { siteMap } from './sites.js';
import { concrete, isVec, vecSize, type SimType } from './types.js';

/** The workgroup size in the WGSL (`override WG`); the runner may set another per pipeline. */
export const WORKGROUP_SIZE = 64;
/**
 * Preferred workgroup sizes, set per pipeline through the `WG` override up to the adapter's limits. On
 * llvmpipe, 256 made the simple walk 1.5× faster at 4M agents (less per-workgroup overhead); kernels with a
 * neighbour reduction keep 64, which measured no worse there.
 */
export const WIDE_WORKGROUP = 256;

/** The bind group every generated module declares; the GPU runner builds its layout from this table. */
export const BINDINGS = [
  { binding: 0, name: 'state', kind: 'storage', access: 'read_write', element: 'u32' },
  { binding: 1, name: 'snap', kind: 'storage', access: 'read', element: 'u32' },
  { binding: 2, name: 'counts', kind: 'storage', access: 'read_write', element: 'atomic' },
  { binding: 3, name: 'events', kind: 'storage', access: 'read_write', element: 'u32' },
  { binding: 4, name: 'u', kind: 'uniform', members: ['step', 'world0', 'n', 'width'], size: 16 },
] as const;

export interface GpuProgram {
  /** entry points in dispatch order: `init`, then one per phase */
  phases: { entry: string; rules: string[]; snapshot: number[] }[];
  /** the size written in the WGSL (the `WG` override's default) */
  workgroupSize: number;
  /** preferred workgroup size per entry point (the runner clamps it to the adapter's limits) */
  workgroupSizes: Record<string, number>;
  /** u32 words per event row, per event kind */
  eventStrides: number[];
  /**
   * The `checks` entry point (run after every step) when the sim has `check finite` or invariants. It records
   * the first failure in four words of `counts` after the event counters (initialised to 0xffffffff):
   * [first step with a non-finite value, min (column * n + agent) * 4 + kind (0 +Inf, 1 -Inf, 2 NaN) at that step,
   *  first step with a failed invariant, min agent * K + check at that step].
   */
  checks: string | null;
  module: string;
}

const WGSL_RUNTIME = `
fn mix32(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u; h *= 0x85ebca6bu; h ^= h >> 13u; h *= 0xc2b2ae35u; h ^= h >> 16u;
  return h;
}
fn rnd(world: u32, agent: u32, step: u32, site: u32) -> u32 {
  var h = mix32(SEED ^ ((site + 1u) * 0x9e3779b9u));
  h = mix32(h ^ world);
  h = mix32(h + agent * 0x27d4eb2du);
  return mix32(h ^ (step * 0x165667b1u));
}
fn u01(h: u32) -> f32 { return f32(h >> 8u) * 5.9604644775390625e-8; }
// A zero the shader compiler cannot see through (u.n, the agent count, is never 0xffffffff). Draws pass
// through it so the driver cannot fold or reassociate their arithmetic with the code around them (Mesa turned
// 25.0 + 5.0 * (a * b) into a different association), which keeps every draw bit-identical to the CPU's.
fn opaque(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ u32(u.n == 0xffffffffu)); }
fn r_uniform(h: u32, lo: f32, hi: f32) -> f32 { return opaque(lo + (hi - lo) * u01(h)); }
fn r_randint(h: u32, lo: i32, hi: i32) -> i32 {
  let n = u32(hi - lo + 1);
  if (n == 0u) { return lo; }
  return lo + i32(h % n);
}
fn idiv(a: i32, b: i32) -> i32 { if (b == 0) { return a; } return a / b; }
fn udiv(a: u32, b: u32) -> u32 { if (b == 0u) { return a; } return a / b; }
fn imod(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } return a % b; }
fn umod(a: u32, b: u32) -> u32 { if (b == 0u) { return 0u; } return a % b; }
` + NORMAL_WGSL;

interface Ctx {
  types: Map<A.Expr, SimType>;
  layout: SimLayout;
  sites: Map<object, number>;
  pre: string[];
  tmp: { n: number };
  binder: string | undefined;
  snapshot: Set<string>;
  locals: Set<string>;
}

const wty = (t: SimType): string => {
  const c = concrete(t);
  return c;
};

function colIndex(L: SimLayout, state: string, comp: number): number {
  return L.columns.findIndex((c) => c.state === state && c.component === comp);
}

function load(L: SimLayout, buf: 'state' | 'snap', name: string, idx: string): string {
  const st = L.states.find((s) => s.name === name)!;
  const word = (c: number) => `${buf}[${colIndex(L, name, c)}u * u.n + ${idx}]`;
  const scalar = (c: number, t: SimType) => (t === 'f32' || isVec(t) ? `bitcast<f32>(${word(c)})` : t === 'i32' ? `bitcast<i32>(${word(c)})` : t === 'bool' ? `(${word(c)} != 0u)` : word(c));
  if (isVec(st.type)) return `${st.type}(${Array.from({ length: vecSize(st.type) }, (_, c) => scalar(c, 'f32')).join(', ')})`;
  return scalar(0, st.type);
}

function store(L: SimLayout, name: string, idx: string, value: string): string {
  const st = L.states.find((s) => s.name === name)!;
  const word = (c: number) => `state[${colIndex(L, name, c)}u * u.n + ${idx}]`;
  if (isVec(st.type)) return Array.from({ length: vecSize(st.type) }, (_, c) => `${word(c)} = bitcast<u32>(${value}.${'xyzw'[c]});`).join(' ');
  if (st.type === 'f32' || st.type === 'i32') return `${word(0)} = bitcast<u32>(${value});`;
  if (st.type === 'bool') return `${word(0)} = select(0u, 1u, ${value});`;
  return `${word(0)} = ${value};`;
}

function lit(v: number, t: SimType): string {
  if (t === 'f32') {
    const f = Math.fround(v);
    if (!Number.isFinite(f)) return f > 0 ? '3.4028234663852886e38' : '-3.4028234663852886e38';
    const s = String(f);
    return /[.e]/.test(s) ? s : s + '.0';
  }
  if (t === 'u32') return `${v >>> 0}u`;
  if (t === 'bool') return v ? 'true' : 'false';
  return `${v | 0}i`;
}

function expr(e: A.Expr, ctx: Ctx, want?: SimType): string {
  const t = want && ctx.types.get(e) === 'int' ? want : concrete(ctx.types.get(e) ?? 'f32');
  switch (e.kind) {
    case 'Number':
      return lit(e.value, t);
    case 'Bool':
      return e.value ? 'true' : 'false';
    case 'Name': {
      const n = e.name.name;
      if (n === 'step') return 'u.step';
      if (n === 'world') return 'w';
      if (n === 'agent') return 'a';
      if (ctx.locals.has(n)) return `l_${n}`;
      if (ctx.layout.params.some((p) => p.name === n)) return `P_${n}`;
      return `s_${n}`;
    }
    case 'Member': {
      if (ctx.binder && e.object.kind === 'Name' && e.object.name.name === ctx.binder) {
        return load(ctx.layout, ctx.snapshot.has(e.member.name) ? 'snap' : 'state', e.member.name, 'j');
      }
      return `${expr(e.object, ctx)}.${e.member.name}`;
    }
    case 'Unary':
      return e.op === '!' ? `(!${expr(e.operand, ctx)})` : `(-${expr(e.operand, ctx, t)})`;
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
  if (e.op === '&&' || e.op === '||') return `(${expr(e.left, ctx)} ${e.op} ${expr(e.right, ctx)})`;
  const lt = concrete(ctx.types.get(e.left) ?? 'f32');
  if (['==', '!=', '<', '<=', '>', '>='].includes(e.op)) {
    const ot = ctx.types.get(e.left) === 'int' ? concrete(ctx.types.get(e.right) ?? 'i32') : lt;
    return `(${expr(e.left, ctx, ot)} ${e.op} ${expr(e.right, ctx, ot)})`;
  }
  const scalarT = isVec(t) ? 'f32' : t;
  const l = expr(e.left, ctx, scalarT);
  const r = expr(e.right, ctx, scalarT);
  if (t === 'i32' && e.op === '/') return `idiv(${l}, ${r})`;
  if (t === 'i32' && e.op === '%') return `imod(${l}, ${r})`;
  if (t === 'u32' && e.op === '/') return `udiv(${l}, ${r})`;
  if (t === 'u32' && e.op === '%') return `umod(${l}, ${r})`;
  return `(${l} ${e.op} ${r})`;
}

function draws(ctx: Ctx, node: object, n: number): string[] {
  const first = ctx.sites.get(node)!;
  return Array.from({ length: n }, (_, i) => `rnd(w, a, u.step, ${first + i}u)`);
}

function call(e: A.CallExpr, ctx: Ctx, t: SimType): string {
  const name = e.callee.name;
  const argTypes = e.args.map((a) => ctx.types.get(a) ?? 'f32');
  const common = concrete(argTypes.find((x) => x !== 'int') ?? (t === 'bool' ? 'i32' : t));
  const args = (want: SimType) => e.args.map((a) => expr(a, ctx, want));
  switch (name) {
    case 'uniform':
      return `r_uniform(${draws(ctx, e, 1)[0]}, ${args('f32').join(', ')})`;
    case 'normal': {
      const [h1, h2] = draws(ctx, e, 2);
      return `r_normal(${h1}, ${h2}, ${args('f32').join(', ')})`;
    }
    case 'randint': {
      const [lo, hi] = args('i32');
      const v = `r_randint(${draws(ctx, e, 1)[0]}, ${lo}, ${hi})`;
      return t === 'u32' ? `u32(${v})` : v;
    }
    case 'bernoulli':
      return `(u01(${draws(ctx, e, 1)[0]}) < ${args('f32')[0]})`;
    case 'f32':
    case 'i32':
    case 'u32': {
      const at = concrete(argTypes[0] ?? 'f32');
      if (argTypes[0] === 'bool') return `select(${lit(0, name)}, ${lit(1, name)}, ${expr(e.args[0]!, ctx)})`;
      return `${name}(${expr(e.args[0]!, ctx, argTypes[0] === 'int' ? name : at)})`;
    }
    case 'vec2f':
    case 'vec3f':
    case 'vec4f':
      return `${name}(${args('f32').join(', ')})`;
    case 'min':
    case 'max':
    case 'clamp':
    case 'abs':
      return `${name}(${args(isVec(t) ? 'f32' : common).join(', ')})`;
    case 'select': {
      const [f, tr] = [expr(e.args[0]!, ctx, t), expr(e.args[1]!, ctx, t)];
      return `select(${f}, ${tr}, ${expr(e.args[2]!, ctx)})`;
    }
    default:
      return `${name}(${args('f32').join(', ')})`;
  }
}

function reduction(e: A.ReductionExpr, ctx: Ctx): string {
  const op = e.op.name;
  const v = `r${ctx.tmp.n++}`;
  const bodyT = concrete(ctx.types.get(e.body) ?? 'f32');
  const resT = concrete(ctx.types.get(e) ?? 'f32');
  const saved = ctx.binder;
  ctx.binder = e.binder.name;
  const raw = expr(e.body, ctx, op === 'mean' ? 'f32' : bodyT === 'i32' && resT !== 'i32' ? resT : bodyT);
  const body = op === 'mean' && bodyT !== 'f32' ? `f32(${raw})` : raw;
  const where = e.where ? expr(e.where, ctx) : 'true';
  ctx.binder = saved;
  const zero = isVec(resT) ? `${resT}()` : resT === 'bool' ? (op === 'all' ? 'true' : 'false') : lit(0, resT);
  const def = e.default ? expr(e.default, ctx, resT) : zero;
  const T = wty(resT);
  let init: string;
  let step: string;
  let fin = v;
  switch (op) {
    case 'min':
      init = resT === 'f32' ? '3.4028234663852886e38' : resT === 'u32' ? '4294967295u' : '2147483647i';
      step = `${v} = min(${v}, x);`;
      break;
    case 'max':
      init = resT === 'f32' ? '-3.4028234663852886e38' : resT === 'u32' ? '0u' : '-2147483648i';
      step = `${v} = max(${v}, x);`;
      break;
    case 'sum':
      init = zero;
      step = `${v} = ${v} + x;`;
      break;
    case 'count':
      init = '0u';
      step = `if (x) { ${v} = ${v} + 1u; }`;
      break;
    case 'mean':
      init = '0.0';
      step = `${v} = ${v} + x;`;
      fin = `(${v} / f32(${v}n))`;
      break;
    case 'any':
      init = 'false';
      step = `if (x) { ${v} = true; break; }`;
      break;
    default:
      init = 'true';
      step = `if (!x) { ${v} = false; break; }`;
  }
  // min/max start from ±f32::MAX rather than ±inf (WGSL has no infinity literal); `n` decides the default.
  const decl = op === 'count' ? 'u32' : T;
  ctx.pre.push(
    `var ${v}: ${decl} = ${init}; var ${v}n = 0u;`,
    `for (var b = 0u; b < AGENTS; b++) { let j = base + b; if (!(${where})) { continue; } let x = ${body}; ${v}n++; ${step} }`,
  );
  if (op !== 'count' && op !== 'any' && op !== 'all') ctx.pre.push(`if (${v}n == 0u) { ${v} = ${def}; } else { ${v} = ${fin}; }`);
  else if (e.default) ctx.pre.push(`if (${v}n == 0u) { ${v} = ${def}; }`);
  return v;
}

function stmt(s: A.Stmt, ctx: Ctx, out: string[], ind: string): void {
  const emit = (line: string) => {
    for (const p of ctx.pre.splice(0)) out.push(ind + p);
    out.push(ind + line);
  };
  const L = ctx.layout;
  switch (s.kind) {
    case 'Let': {
      const t = concrete(ctx.types.get(s.value) === 'int' ? 'i32' : (ctx.types.get(s.value) ?? 'f32'));
      ctx.locals.add(s.name.name);
      emit(`let l_${s.name.name}: ${wty(t)} = ${expr(s.value, ctx, t)};`);
      return;
    }
    case 'Assign': {
      const st = L.states.find((x) => x.name === s.target.name)!;
      const t = concrete(st.type);
      const v = expr(s.value, ctx, isVec(t) ? 'f32' : t);
      if (s.op === '=') emit(`s_${st.name} = ${v};`);
      else if (t === 'i32' && s.op === '/=') emit(`s_${st.name} = idiv(s_${st.name}, ${v});`);
      else if (t === 'u32' && s.op === '/=') emit(`s_${st.name} = udiv(s_${st.name}, ${v});`);
      else emit(`s_${st.name} = s_${st.name} ${s.op[0]} ${v};`);
      return;
    }
    case 'If': {
      emit(`if (${expr(s.cond, ctx)}) {`);
      for (const x of s.then.stmts) stmt(x, ctx, out, ind + '  ');
      if (s.else?.kind === 'If') {
        out.push(ind + '} else {');
        stmt(s.else, ctx, out, ind + '  ');
        out.push(ind + '}');
      } else if (s.else) {
        out.push(ind + '} else {');
        for (const x of s.else.stmts) stmt(x, ctx, out, ind + '  ');
        out.push(ind + '}');
      } else out.push(ind + '}');
      return;
    }
    case 'Emit': {
      const ei = L.events.findIndex((x) => x.name === s.event.name);
      const ev = L.events[ei]!;
      const stride = 4 + ev.fields.length;
      const vals = ev.fields.map((f) => {
        const en = s.fields.entries.find((x) => keyName(x.key) === f.name)!;
        const v = expr(en.value, ctx, f.type);
        return f.type === 'f32' || f.type === 'i32' ? `bitcast<u32>(${v})` : f.type === 'bool' ? `select(0u, 1u, ${v})` : v;
      });
      emit(`{ // emit ${ev.name}`);
      out.push(`${ind}  let slot = atomicAdd(&counts[${ei}u], 1u);`);
      out.push(`${ind}  if (slot < EVENT_CAP) {`);
      out.push(`${ind}    let o = ${ei}u * EVENT_CAP * ${stride}u + slot * ${stride}u;`);
      out.push(`${ind}    events[o] = w; events[o + 1u] = a; events[o + 2u] = u.step; events[o + 3u] = ${ctx.sites.get(s)!}u;`);
      vals.forEach((v, i) => out.push(`${ind}    events[o + ${4 + i}u] = ${v};`));
      out.push(`${ind}  }`, `${ind}}`);
      return;
    }
  }
}

export function generateWgsl(sim: A.SimDecl, L: SimLayout, file = ''): { program: GpuProgram; modules: { name: string; code: string }[] } {
  const { types, phases } = analyzeSim(sim, file);
  const sites = siteMap(sim);
  const stateNames = new Set(L.states.map((s) => s.name));
  const base = (): Ctx => ({ types, layout: L, sites, pre: [], tmp: { n: 0 }, binder: undefined, snapshot: new Set(), locals: new Set() });
  const out: string[] = [
    `// Generated by synth from sim ${L.name}. Do not edit: change the .synth file and rebuild.`,
    `// ${L.worlds} worlds × ${L.agents} agents, ${L.steps} steps; columns (structure of arrays, 32-bit words):`,
    ...L.columns.map((c, i) => `//   ${i}: ${c.name} (${c.type})`),
    '',
    'struct Frame { step: u32, world0: u32, n: u32, width: u32 }',
    '@group(0) @binding(0) var<storage, read_write> state: array<u32>;',
    '@group(0) @binding(1) var<storage, read> snap: array<u32>;',
    '@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;',
    '@group(0) @binding(3) var<storage, read_write> events: array<u32>;',
    '@group(0) @binding(4) var<uniform> u: Frame;',
    '',
    '// workgroup size: the runner overrides it per kernel (wider where no kernel reads other agents)',
    `override WG: u32 = ${WORKGROUP_SIZE}u;`,
    `const SEED: u32 = ${L.seed >>> 0}u;`,
    `const AGENTS: u32 = ${L.agents}u;`,
    `const EVENT_CAP: u32 = ${L.maxEvents}u;`,
    ...L.params.map((p) => {
      const t = concrete(p.type);
      if (isVec(t)) return `const P_${p.name}: ${t} = ${t}(${p.value.map((v) => lit(v, 'f32')).join(', ')});`;
      return `const P_${p.name}: ${t} = ${lit(p.value[0] ?? 0, t)};`;
    }),
    WGSL_RUNTIME,
  ];
  const header = (entry: string) => [
    `@compute @workgroup_size(WG)`,
    `fn ${entry}(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {`,
    `  let i = (wid.y * nwg.x + wid.x) * WG + lid;`,
    '  if (i >= u.n) { return; }',
    '  let a = i % AGENTS;',
    '  let base = i - a;',
    '  let w = u.world0 + i / AGENTS;',
  ];
  // init
  out.push('// initial state', ...header('init'));
  for (const st of sim.states) {
    const ctx = base();
    const t = concrete(L.states.find((s) => s.name === st.name.name)!.type);
    const zero = isVec(t) ? `${t}()` : t === 'bool' ? 'false' : lit(0, t);
    const v = st.init ? expr(st.init, ctx, isVec(t) ? 'f32' : t) : zero;
    for (const p of ctx.pre) out.push('  ' + p);
    out.push(`  let s_${st.name.name}: ${wty(t)} = ${v};`, `  ${store(L, st.name.name, 'i', `s_${st.name.name}`)}`);
  }
  out.push('}', '');
  const program: GpuProgram = { phases: [{ entry: 'init', rules: [], snapshot: [] }], workgroupSize: WORKGROUP_SIZE, workgroupSizes: { init: WIDE_WORKGROUP }, eventStrides: L.events.map((e) => 4 + e.fields.length), checks: null, module: `${L.name}.wgsl` };
  phases.forEach((rules, pi) => {
    const entry = `phase_${pi + 1}`;
    const used = new Set<string>();
    statesUsed(rules, stateNames, used);
    const others = new Set<string>();
    binderReads(rules, others);
    const writes = new Set<string>();
    for (const r of rules) for (const n of writesIn(r.body)) writes.add(n);
    const snap = [...others].filter((n) => writes.has(n));
    program.workgroupSizes[entry] = rules.some(hasReduction) ? WORKGROUP_SIZE : WIDE_WORKGROUP;
    program.phases.push({ entry, rules: rules.map((r) => r.name.name), snapshot: snap.flatMap((n) => L.columns.map((c, i) => (c.state === n ? i : -1)).filter((i) => i >= 0)) });
    out.push(`// phase ${pi + 1}: rule${rules.length > 1 ? 's' : ''} ${rules.map((r) => r.name.name).join(', ')}`, ...header(entry));
    for (const n of used) out.push(`  let s_${n}0 = ${load(L, 'state', n, 'i')};`);
    for (const n of writes) out.push(`  var s_${n}1 = s_${n}0;`);
    for (const r of rules) {
      const ctx: Ctx = { ...base(), snapshot: new Set(snap) };
      const ruleUsed = new Set<string>();
      statesUsed(r, stateNames, ruleUsed);
      out.push(`  { // rule ${r.name.name}`);
      for (const n of ruleUsed) out.push(`    var s_${n} = s_${n}0;`);
      let ind = '    ';
      if (r.when) {
        const cond = expr(r.when, ctx);
        for (const p of ctx.pre.splice(0)) out.push(ind + p);
        out.push(`${ind}if (${cond}) {`);
        ind += '  ';
      }
      for (const s of r.body.stmts) stmt(s, ctx, out, ind);
      for (const n of writesIn(r.body)) out.push(`${ind}s_${n}1 = s_${n};`);
      if (r.when) out.push('    }');
      out.push('  }');
    }
    for (const n of writes) out.push(`  ${store(L, n, 'i', `s_${n}1`)}`);
    out.push('}', '');
  });
  const inv = invariantsOf(sim);
  if (L.checkFinite || inv.length) {
    program.checks = 'checks';
    program.workgroupSizes['checks'] = WIDE_WORKGROUP;
    const NE = L.events.length;
    out.push(`// after every step: ${[L.checkFinite ? '`check finite`' : '', ...inv.map((c) => `\`check ${L.invariants[inv.indexOf(c)]}\``)].filter(Boolean).join(', ')}`, ...header('checks'));
    if (L.checkFinite) {
      // A step that failed before this one keeps its location: only the first failing step is reported.
      out.push(`  if (atomicLoad(&counts[${NE}u]) >= u.step) {`);
      L.columns.forEach((c, ci) => {
        if (c.type !== 'f32') return;
        out.push(
          `    { let bits = state[${ci}u * u.n + i]; // ${c.name}`,
          `      if ((bits & 0x7f800000u) == 0x7f800000u) {`,
          `        let kind = select(select(0u, 1u, (bits & 0x80000000u) != 0u), 2u, (bits & 0x007fffffu) != 0u);`,
          `        atomicMin(&counts[${NE}u], u.step); atomicMin(&counts[${NE + 1}u], (${ci}u * u.n + i) * 4u + kind);`,
          `      } }`,
        );
      });
      out.push('  }');
    }
    if (inv.length) {
      const used = new Set<string>();
      statesUsed(inv.map((c) => c.expr), stateNames, used);
      out.push(`  if (atomicLoad(&counts[${NE + 2}u]) >= u.step) {`);
      for (const n of used) out.push(`    let s_${n} = ${load(L, 'state', n, 'i')};`);
      inv.forEach((c, k) => {
        const ctx = base();
        const cond = expr(c.expr, ctx);
        for (const p of ctx.pre) out.push('    ' + p);
        out.push(`    if (!(${cond})) { atomicMin(&counts[${NE + 2}u], u.step); atomicMin(&counts[${NE + 3}u], i * ${inv.length}u + ${k}u); } // check ${L.invariants[k]}`);
      });
      out.push('  }');
    }
    out.push('}', '');
  }
  const code = out.join('\n');
  program.module = code;
  return { program, modules: [{ name: L.name, code }] };
}

export { scalarOf };
