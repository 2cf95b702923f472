// The WGSL printer: prints a sim's IR (ir.ts) as one module with an `init` entry point and one entry point per
// phase (rules with no cross-agent dependency are fused into one kernel; a rule with a neighbour reduction
// starts a new one).
//
// What keeps it bit-identical to the JavaScript printer:
// - every f32 result of + − × ÷ passes through `opaque`, an XOR with a zero the driver cannot prove is zero
//   (it comes from the uniform `u.n`), so the shader compiler can neither reassociate a chain, fold it with a
//   constant, nor fuse a multiply and an add into an FMA — each operation is rounded on its own, as in JS;
// - f32 literals carry the `f` suffix, so constant subexpressions are evaluated in f32 (an unsuffixed literal is
//   an AbstractFloat, folded in double precision);
// - min/max on f32 are selects (WGSL leaves min(NaN, x) to the driver); conversions f32 → i32/u32 saturate and
//   map NaN to 0, integers → f32 round to nearest even, NaN tests look at bits — each spelled out below;
// - sqrt, exp, log, sin, cos, tanh, pow, length, normalize, distance and the draws are the library's own
//   functions (xmath.ts), never the driver's built-ins.
//
// Buffers (group 0), at most 4 storage buffers so it runs in WebGPU compatibility mode:
//   0 state    array<u32>            all columns, structure of arrays: column c at [c*n, (c+1)*n), f32 as bits
//   1 snap     array<u32>            copies of columns that a phase's reductions read and the phase writes
//   2 counts   array<atomic<u32>>    one counter per event kind (overflow = counter past capacity), then
//                                    4 words recording the first failed `check` (see GpuProgram.checks)
//   3 events   array<u32>            per event kind a region of `cap` rows: world, agent, step, site, fields…
//   4 u        uniform Frame         step, first world, agents in this run, (unused) (dynamic offset)
// Params are compile-time constants. Observations need no binding: the host copies observed columns out.
import type { SimLayout } from './layout.js';
import { elemOf, isVecTy, unreachable, walkExpr, widthOf, type Expr, type FnDef, type SimIR, type Stmt, type Ty } from './ir.js';

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

const VEC_SUFFIX: Record<string, string> = { f32: '', vec2f: '2', vec3f: '3', vec4f: '4' };

export const WGSL_RUNTIME = `
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
// A zero the shader compiler cannot see through (u.n, the agent count, is never 0xffffffff). Every f32
// arithmetic result passes through 'opaque', so the driver cannot reassociate, constant-fold or fuse (FMA)
// across operations: each is rounded on its own, as the CPU backend rounds it. The right operand of every f32
// operation and comparison passes through 'keep', the left one through 'keep_l', and the values of an f32
// select through 'keep_s' and 'keep_t': different zeros, so even after constant propagation, inlining and
// loop unrolling, 'x - x', 'x == x', 'x * 0.0', '0.0 - x', 'select(-1.0, 0.0, c)' or 'select(b, a, a < b)'
// are never recognised and rewritten to 0, true, 0, -x, -f32(!c) or the driver's min (each wrong for NaN,
// infinities or -0; Mesa did all of these).
fn zero_bits() -> u32 { return u32(u.n == 0xffffffffu); }
// an f32 from its bits, not a constant expression (WGSL rejects constant infinities and NaNs)
fn f32_bits(b: u32) -> f32 { return bitcast<f32>(b ^ zero_bits()); }
fn opaque(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ zero_bits()); }
fn opaque2(x: vec2f) -> vec2f { return bitcast<vec2f>(bitcast<vec2u>(x) ^ vec2u(zero_bits())); }
fn opaque3(x: vec3f) -> vec3f { return bitcast<vec3f>(bitcast<vec3u>(x) ^ vec3u(zero_bits())); }
fn opaque4(x: vec4f) -> vec4f { return bitcast<vec4f>(bitcast<vec4u>(x) ^ vec4u(zero_bits())); }
// f32 negation as a flip of the sign bit through a mask the compiler cannot know: exact for every value, and never
// matched by the driver's algebra (Mesa rewrote -f32(b), a negated bool conversion, into select(-1.0, 0.0, b):
// +0 where IEEE and the CPU backend give -0; generated differential run, seed 1,006,904)
fn fneg(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ (0x80000000u | zero_bits())); }
fn fneg2(x: vec2f) -> vec2f { return bitcast<vec2f>(bitcast<vec2u>(x) ^ vec2u(0x80000000u | zero_bits())); }
fn fneg3(x: vec3f) -> vec3f { return bitcast<vec3f>(bitcast<vec3u>(x) ^ vec3u(0x80000000u | zero_bits())); }
fn fneg4(x: vec4f) -> vec4f { return bitcast<vec4f>(bitcast<vec4u>(x) ^ vec4u(0x80000000u | zero_bits())); }
// an f32 value assigned to a variable, through a zero of its own for each assignment (zero_at(k), k the
// assignment's number in the module): where assignments meet after an if, the driver sees different operations,
// never two constants to select between — Mesa rewrote if (c) { s = 0.0 } after s = -1.0 into -f32(!c), −0 where
// the CPU backend gives 0 (differential run, seeds 1,043,732 and 1,046,615)
fn zero_at(k: u32) -> u32 { return u32(u.n == (0xfffffffeu - k)); }
fn kept(x: f32, k: u32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ zero_at(k)); }
fn kept2(x: vec2f, k: u32) -> vec2f { return bitcast<vec2f>(bitcast<vec2u>(x) ^ vec2u(zero_at(k))); }
fn kept3(x: vec3f, k: u32) -> vec3f { return bitcast<vec3f>(bitcast<vec3u>(x) ^ vec3u(zero_at(k))); }
fn kept4(x: vec4f, k: u32) -> vec4f { return bitcast<vec4f>(bitcast<vec4u>(x) ^ vec4u(zero_at(k))); }
fn keep(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ (zero_bits() << 1u)); }
fn keep2(x: vec2f) -> vec2f { return bitcast<vec2f>(bitcast<vec2u>(x) ^ vec2u(zero_bits() << 1u)); }
fn keep3(x: vec3f) -> vec3f { return bitcast<vec3f>(bitcast<vec3u>(x) ^ vec3u(zero_bits() << 1u)); }
fn keep4(x: vec4f) -> vec4f { return bitcast<vec4f>(bitcast<vec4u>(x) ^ vec4u(zero_bits() << 1u)); }
fn keep_s(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ (zero_bits() << 3u)); }
fn keep_s2(x: vec2f) -> vec2f { return bitcast<vec2f>(bitcast<vec2u>(x) ^ vec2u(zero_bits() << 3u)); }
fn keep_s3(x: vec3f) -> vec3f { return bitcast<vec3f>(bitcast<vec3u>(x) ^ vec3u(zero_bits() << 3u)); }
fn keep_s4(x: vec4f) -> vec4f { return bitcast<vec4f>(bitcast<vec4u>(x) ^ vec4u(zero_bits() << 3u)); }
fn keep_t(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ (zero_bits() << 4u)); }
fn keep_t2(x: vec2f) -> vec2f { return bitcast<vec2f>(bitcast<vec2u>(x) ^ vec2u(zero_bits() << 4u)); }
fn keep_t3(x: vec3f) -> vec3f { return bitcast<vec3f>(bitcast<vec3u>(x) ^ vec3u(zero_bits() << 4u)); }
fn keep_t4(x: vec4f) -> vec4f { return bitcast<vec4f>(bitcast<vec4u>(x) ^ vec4u(zero_bits() << 4u)); }
fn keep_l(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ (zero_bits() << 2u)); }
fn keep_l2(x: vec2f) -> vec2f { return bitcast<vec2f>(bitcast<vec2u>(x) ^ vec2u(zero_bits() << 2u)); }
fn keep_l3(x: vec3f) -> vec3f { return bitcast<vec3f>(bitcast<vec3u>(x) ^ vec3u(zero_bits() << 2u)); }
fn keep_l4(x: vec4f) -> vec4f { return bitcast<vec4f>(bitcast<vec4u>(x) ^ vec4u(zero_bits() << 2u)); }
// min/max as selects: a < b ? a : b, whatever either is (WGSL leaves min(NaN, x) and min(0, -0) to the driver)
// (the selected values are kept too, by other zeros than the compared ones: Mesa rewrote select(-1.0, 0.0, c)
// into -f32(!c), which is -0 for c true, and a select of the very values compared into its own max)
fn fmin(a: f32, b: f32) -> f32 { return select(keep_s(b), keep_t(a), keep_l(a) < keep(b)); }
fn fmax(a: f32, b: f32) -> f32 { return select(keep_s(b), keep_t(a), keep_l(a) > keep(b)); }
fn fmin2(a: vec2f, b: vec2f) -> vec2f { return select(keep_s2(b), keep_t2(a), keep_l2(a) < keep2(b)); }
fn fmax2(a: vec2f, b: vec2f) -> vec2f { return select(keep_s2(b), keep_t2(a), keep_l2(a) > keep2(b)); }
fn fmin3(a: vec3f, b: vec3f) -> vec3f { return select(keep_s3(b), keep_t3(a), keep_l3(a) < keep3(b)); }
fn fmax3(a: vec3f, b: vec3f) -> vec3f { return select(keep_s3(b), keep_t3(a), keep_l3(a) > keep3(b)); }
fn fmin4(a: vec4f, b: vec4f) -> vec4f { return select(keep_s4(b), keep_t4(a), keep_l4(a) < keep4(b)); }
fn fmax4(a: vec4f, b: vec4f) -> vec4f { return select(keep_s4(b), keep_t4(a), keep_l4(a) > keep4(b)); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// f32 → integer: toward zero, saturating, NaN → 0
fn to_i32(x: f32) -> i32 {
  if (is_nan(x)) { return 0i; }
  if (x >= 2147483648.0f) { return 2147483647i; }
  if (x <= -2147483648.0f) { return bitcast<i32>(0x80000000u); }
  return i32(x);
}
fn to_u32(x: f32) -> u32 {
  if (is_nan(x) || x <= 0.0f) { return 0u; }
  if (x >= 4294967296.0f) { return 4294967295u; }
  return u32(x);
}
// integer → f32, rounded to nearest even: the two 16-bit halves convert exactly, one rounded addition joins them
// (WGSL lets a driver round a conversion either way)
fn u_to_f32(x: u32) -> f32 { return opaque(keep_l(f32(x & 0xffff0000u)) + keep(f32(x & 0xffffu))); }
fn i_to_f32(x: i32) -> f32 {
  let m = u_to_f32(bitcast<u32>(select(x, -x, x < 0i)));
  return select(m, -m, x < 0i);
}
// identities that keep a constant out of WGSL's compile-time evaluation
fn keep_i32(x: i32) -> i32 { return x; }
fn keep_u32(x: u32) -> u32 { return x; }
fn idiv(a: i32, b: i32) -> i32 { if (b == 0i) { return a; } return a / b; }
fn udiv(a: u32, b: u32) -> u32 { if (b == 0u) { return a; } return a / b; }
fn imod(a: i32, b: i32) -> i32 { if (b == 0i) { return 0i; } return a % b; }
fn umod(a: u32, b: u32) -> u32 { if (b == 0u) { return 0u; } return a % b; }
`;

/** An f32 (or vector) operation as it must be printed: its right operand kept, its result opaque. */
function fop(op: string, a: string, b: string, ty: Ty): string {
  const k = VEC_SUFFIX[ty];
  return `opaque${k}(keep_l${k}(${a}) ${op} keep${k}(${b}))`;
}

/** Would WGSL evaluate `e` when the shader is compiled? (literals, params and built-in operations on them) */
function isConstExpr(e: Expr): boolean {
  switch (e.k) {
    case 'const':
      return true;
    case 'var':
      return e.scope === 'param';
    case 'neg':
    case 'not':
    case 'splat':
    case 'comp':
      return isConstExpr(e.a);
    case 'arith':
      // integer division and remainder are functions here (idiv …), not constant
      return (elemOf(e.ty) === 'f32' ? false : e.op !== 'div' && e.op !== 'rem') && isConstExpr(e.a) && isConstExpr(e.b);
    case 'cmp':
    case 'logic':
    case 'bits':
      return isConstExpr(e.a) && isConstExpr(e.b);
    case 'vec':
      return e.args.every(isConstExpr);
    case 'prim':
      return (elemOf(e.ty) !== 'f32' || (e.fn !== 'min' && e.fn !== 'max')) && e.args.every(isConstExpr);
    case 'select':
      return isConstExpr(e.f) && isConstExpr(e.t) && isConstExpr(e.c);
    case 'bitcast':
      return isConstExpr(e.a);
    default:
      return false;
  }
}

/** A literal of a scalar type, exactly as the IR's value (f32 with the `f` suffix: evaluated in f32). */
function lit(v: number, ty: string): string {
  switch (ty) {
    case 'f32': {
      const f = Math.fround(v);
      // not constant expressions: WGSL rejects a constant that is not finite
      if (Number.isNaN(f)) return 'f32_bits(0x7fc00000u)';
      if (!Number.isFinite(f)) return f > 0 ? 'f32_bits(0x7f800000u)' : 'f32_bits(0xff800000u)';
      // −0 too: the sign of a constant zero did not survive the driver (Dawn's GLSL → Mesa) in a test
      if (Object.is(f, -0)) return 'f32_bits(0x80000000u)';
      const s = String(f);
      return f < 0 ? `(${s}f)` : `${s}f`;
    }
    case 'i32': {
      const i = v | 0;
      if (i === -2147483648) return 'bitcast<i32>(0x80000000u)';
      return i < 0 ? `(${i}i)` : `${i}i`;
    }
    case 'u32':
      return `${v >>> 0}u`;
    case 'bool':
      return v ? 'true' : 'false';
  }
  throw new Error(`literal of ${ty}`);
}

interface Ctx {
  /** statements to print before the expression being printed (reduction loops) */
  pre: string[];
  /** inside a reduction: the other agent's index is `b`, its global index `j` */
  inReduction: boolean;
  /** the counter naming reduction variables (r0, r1, …) within one rule */
  tmp: { n: number };
}

class WgslPrinter {
  /** f32 assignments printed so far: each takes its own zero (kept, zero_at) */
  private assignments = 0;
  constructor(
    readonly ir: SimIR,
    readonly L: SimLayout,
  ) {}

  private col(state: string, i: number): number {
    return this.L.columns.findIndex((c) => c.state === state && c.component === i);
  }

  /** A state read from a buffer at index `idx`. */
  load(buf: 'state' | 'snap', name: string, idx: string): string {
    const st = this.L.states.find((s) => s.name === name)!;
    const word = (c: number) => `${buf}[${this.col(name, c)}u * u.n + ${idx}]`;
    const ty = st.type as Ty;
    if (isVecTy(ty)) return `${ty}(${Array.from({ length: widthOf(ty) }, (_, c) => `bitcast<f32>(${word(c)})`).join(', ')})`;
    switch (ty) {
      case 'f32':
        return `bitcast<f32>(${word(0)})`;
      case 'i32':
        return `bitcast<i32>(${word(0)})`;
      case 'bool':
        return `(${word(0)} != 0u)`;
      default:
        return word(0);
    }
  }

  store(name: string, idx: string, value: string): string {
    const st = this.L.states.find((s) => s.name === name)!;
    const word = (c: number) => `state[${this.col(name, c)}u * u.n + ${idx}]`;
    const ty = st.type as Ty;
    if (isVecTy(ty)) return Array.from({ length: widthOf(ty) }, (_, c) => `${word(c)} = bitcast<u32>(${value}.${'xyzw'[c]});`).join(' ');
    if (ty === 'f32' || ty === 'i32') return `${word(0)} = bitcast<u32>(${value});`;
    if (ty === 'bool') return `${word(0)} = select(0u, 1u, ${value});`;
    return `${word(0)} = ${value};`;
  }

  ex(e: Expr, ctx: Ctx): string {
    const ty = e.ty;
    const el = elemOf(ty);
    switch (e.k) {
      case 'const':
        return isVecTy(ty) ? `${ty}(${e.v.map((x) => lit(x, 'f32')).join(', ')})` : lit(e.v[0]!, ty);
      case 'var':
        switch (e.scope) {
          case 'builtin':
            return e.name === 'step' ? 'u.step' : e.name === 'world' ? 'w' : 'a';
          case 'param': {
            // a param holding −0 is printed where it is used (WGSL constants cannot keep the sign, see lit)
            const p = this.L.params.find((x) => x.name === e.name);
            if (p && p.value.some((v) => Object.is(Math.fround(v), -0))) return isVecTy(ty) ? `${ty}(${p.value.map((v) => lit(v, 'f32')).join(', ')})` : lit(p.value[0]!, ty);
            return `P_${e.name}`;
          }
          case 'state':
            return `s_${e.name}`;
          case 'local':
            return e.name;
        }
        return unreachable(e.scope);
      case 'other':
        return this.load(e.snapshot ? 'snap' : 'state', e.state, 'j');
      case 'otherAgent':
        return 'b';
      case 'neg':
        if (el === 'f32') return `fneg${VEC_SUFFIX[ty]}(${this.ex(e.a, ctx)})`; // (see fneg in the preamble)
        return `(-${this.runtime(e.a, ctx)})`; // (a constant operand: see runtime())
      case 'not':
        return `(!${this.ex(e.a, ctx)})`;
      case 'arith': {
        const op = { add: '+', sub: '-', mul: '*', div: '/', rem: '%' }[e.op];
        if (el === 'f32') {
          // (both operands are kept by fop: no constant evaluation, no algebra on them)
          const a = this.ex(e.a, ctx);
          const b = this.ex(e.b, ctx);
          if (e.op === 'rem') return fop('-', a, fop('*', b, `trunc(${fop('/', a, b, ty)})`, ty), ty);
          return fop(op, a, b, ty);
        }
        // integer operations of constants only would be evaluated by the WGSL compiler: an error on overflow
        const a = isConstExpr(e.b) ? this.runtime(e.a, ctx) : this.ex(e.a, ctx);
        const b = this.ex(e.b, ctx);
        if (e.op === 'div') return `${el === 'i32' ? 'idiv' : 'udiv'}(${a}, ${b})`;
        if (e.op === 'rem') return `${el === 'i32' ? 'imod' : 'umod'}(${a}, ${b})`;
        return `(${a} ${op} ${b})`;
      }
      case 'bits': {
        const a = this.ex(e.a, ctx);
        // WGSL shifts take a u32 count
        const b = (e.op === 'shl' || e.op === 'shr') && e.b.ty === 'i32' ? (e.b.k === 'const' ? lit(e.b.v[0]!, 'u32') : `bitcast<u32>(${this.ex(e.b, ctx)})`) : this.ex(e.b, ctx);
        const op = { and: '&', or: '|', xor: '^', shl: '<<', shr: '>>' }[e.op];
        return `(${a} ${op} ${b})`;
      }
      case 'cmp': {
        const op = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[e.op];
        if (e.a.ty === 'f32') return `(keep_l(${this.ex(e.a, ctx)}) ${op} keep(${this.ex(e.b, ctx)}))`;
        return `(${this.ex(e.a, ctx)} ${op} ${this.ex(e.b, ctx)})`;
      }
      case 'logic':
        return `(${this.ex(e.a, ctx)} ${e.op === 'and' ? '&&' : '||'} ${this.ex(e.b, ctx)})`;
      case 'prim': {
        // all-constant arguments would be folded by the WGSL compiler, and a −0 result (ceil(-0.5)) came out +0
        const args = e.args.map((x, i) => (i === 0 && e.args.every(isConstExpr) ? this.runtime(x, ctx) : this.ex(x, ctx)));
        if ((e.fn === 'min' || e.fn === 'max') && el === 'f32') return `f${e.fn}${VEC_SUFFIX[ty]}(${args.join(', ')})`;
        if (e.fn === 'abs' && el === 'u32') return args[0]!;
        if (e.fn === 'clz') return `countLeadingZeros(${args[0]})`;
        return `${e.fn}(${args.join(', ')})`;
      }
      case 'convert': {
        const a = this.ex(e.a, ctx);
        const from = e.a.ty;
        if (from === e.ty) return a;
        if (from === 'bool') return `select(${lit(0, e.ty)}, ${lit(1, e.ty)}, ${a})`;
        switch (e.ty) {
          case 'f32':
            return from === 'u32' ? `u_to_f32(${a})` : `i_to_f32(${a})`;
          case 'i32':
            return from === 'f32' ? `to_i32(${a})` : `bitcast<i32>(${a})`;
          case 'u32':
            return from === 'f32' ? `to_u32(${a})` : `bitcast<u32>(${a})`;
        }
        throw new Error(`conversion to ${e.ty}`);
      }
      case 'bitcast':
        if (e.a.ty === e.ty) return this.ex(e.a, ctx);
        if (e.ty === 'f32' && e.a.k === 'const') {
          const f = new Float32Array(new Uint32Array([e.a.v[0]!]).buffer)[0]!;
          if (!Number.isFinite(f) || Object.is(f, -0)) return lit(f, 'f32');
        }
        return `bitcast<${e.ty}>(${this.ex(e.a, ctx)})`;
      case 'vec':
        return `${ty}(${e.args.map((x) => this.ex(x, ctx)).join(', ')})`;
      case 'splat':
        return `${ty}(${this.ex(e.a, ctx)})`;
      case 'comp':
        return `${this.ex(e.a, ctx)}.${'xyzw'[e.i]}`;
      case 'select':
        // f32 values kept apart from constants (Mesa turned select(-1.0, 0.0, c) into -f32(!c), −0 for c true)
        // and from the values a comparison reads (a select of them became the driver's min/max)
        if (el === 'f32') return `select(keep_s${VEC_SUFFIX[ty]}(${this.ex(e.f, ctx)}), keep_t${VEC_SUFFIX[ty]}(${this.ex(e.t, ctx)}), ${this.ex(e.c, ctx)})`;
        return `select(${this.ex(e.f, ctx)}, ${this.ex(e.t, ctx)}, ${this.ex(e.c, ctx)})`;
      case 'call':
        return `${e.fn}(${e.args.map((x) => this.ex(x, ctx)).join(', ')})`;
      case 'rand':
        return `rnd(w, a, u.step, ${e.site}u)`;
      case 'reduce':
        return this.reduce(e, ctx);
    }
  }

  /**
   * `e`, kept out of WGSL's constant evaluation when it is a constant expression: through `opaque` (f32) or an
   * identity function (integers), so the operation using it runs on the GPU, rounded like every other one.
   */
  private runtime(e: Expr, ctx: Ctx): string {
    const code = this.ex(e, ctx);
    if (!isConstExpr(e)) return code;
    const el = elemOf(e.ty);
    return el === 'f32' ? `keep_l${VEC_SUFFIX[e.ty]}(${code})` : el === 'i32' ? `keep_i32(${code})` : el === 'u32' ? `keep_u32(${code})` : code;
  }

  private reduce(e: Expr & { k: 'reduce' }, ctx: Ctx): string {
    const v = `r${ctx.tmp.n++}`;
    const ty = e.ty;
    const el = elemOf(ty);
    const inner: Ctx = { ...ctx, pre: [], inReduction: true };
    const where = e.where ? this.ex(e.where, inner) : null;
    const wherePre = inner.pre.splice(0);
    const body = this.ex(e.body, inner);
    const bodyPre = inner.pre;
    const add = (a: string, b: string) => (el === 'f32' ? fop('+', a, b, ty) : `${a} + ${b}`);
    let step: string;
    switch (e.op) {
      case 'min':
        step = `if (${v}n == 0u || ${el === 'f32' ? `keep_l(x) < keep(${v})` : `x < ${v}`}) { ${v} = x; } ${v}n++;`;
        break;
      case 'max':
        step = `if (${v}n == 0u || ${el === 'f32' ? `keep_l(x) > keep(${v})` : `x > ${v}`}) { ${v} = x; } ${v}n++;`;
        break;
      case 'sum':
      case 'mean':
        step = `${v} = ${add(v, 'x')}; ${v}n++;`;
        break;
      case 'count':
        step = `if (x) { ${v} = ${v} + 1u; } ${v}n++;`;
        break;
      case 'any':
        step = `${v}n++; if (x) { ${v} = true; break; }`;
        break;
      case 'all':
        step = `${v}n++; if (!x) { ${v} = false; break; }`;
        break;
    }
    const init = e.op === 'all' ? 'true' : e.op === 'any' ? 'false' : isVecTy(ty) ? `${ty}()` : lit(0, ty);
    const dflt = this.ex(e.dflt, ctx);
    ctx.pre.push(`var ${v}: ${ty} = ${init}; var ${v}n = 0u;`);
    ctx.pre.push(`for (var b = 0u; b < AGENTS; b++) {`, '  let j = base + b;');
    for (const p of wherePre) ctx.pre.push('  ' + p);
    const open = where ? `  if (${where}) {` : '  {';
    ctx.pre.push(open);
    for (const p of bodyPre) ctx.pre.push('    ' + p);
    ctx.pre.push(`    let x = ${body};`, `    ${step}`, '  }', '}');
    const fin = e.op === 'mean' ? ` else { ${v} = ${fop('/', v, `u_to_f32(${v}n)`, 'f32')}; }` : '';
    ctx.pre.push(`if (${v}n == 0u) { ${v} = ${dflt}; }${fin}`);
    return v;
  }

  stmts(ss: Stmt[], ctx: Ctx, out: string[], ind: string): void {
    for (const s of ss) this.stmt(s, ctx, out, ind);
  }

  private stmt(s: Stmt, ctx: Ctx, out: string[], ind: string): void {
    const flush = () => {
      for (const p of ctx.pre.splice(0)) out.push(ind + p);
    };
    switch (s.k) {
      case 'let': {
        const v = this.ex(s.value, ctx);
        flush();
        out.push(`${ind}let ${s.name}: ${s.ty} = ${v};`);
        return;
      }
      case 'assign': {
        const v = this.ex(s.value, ctx);
        flush();
        // (an f32 value through a zero of this assignment's own: see kept in the preamble)
        const kept = elemOf(s.ty) === 'f32' ? `kept${VEC_SUFFIX[s.ty]}(${v}, ${this.assignments++}u)` : v;
        out.push(`${ind}s_${s.state} = ${kept};`);
        return;
      }
      case 'if': {
        const c = this.ex(s.cond, ctx);
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
        const ev = this.L.events[s.event]!;
        const stride = 4 + ev.fields.length;
        const vals = s.fields.map((f, i) => {
          const v = this.ex(f, ctx);
          const t = ev.fields[i]!.type;
          return t === 'f32' || t === 'i32' ? `bitcast<u32>(${v})` : t === 'bool' ? `select(0u, 1u, ${v})` : v;
        });
        flush();
        out.push(`${ind}{ // emit ${ev.name}`);
        out.push(`${ind}  let slot = atomicAdd(&counts[${s.event}u], 1u);`);
        out.push(`${ind}  if (slot < EVENT_CAP) {`);
        // event kind k's region starts after the regions of kinds 0 … k−1, each `EVENT_CAP` rows of its own stride
        const before = this.L.events.slice(0, s.event).reduce((a, e) => a + 4 + e.fields.length, 0);
        out.push(`${ind}    let o = ${before}u * EVENT_CAP + slot * ${stride}u;`);
        out.push(`${ind}    events[o] = w; events[o + 1u] = a; events[o + 2u] = u.step; events[o + 3u] = ${s.site}u;`);
        vals.forEach((v, i) => out.push(`${ind}    events[o + ${4 + i}u] = ${v};`));
        out.push(`${ind}  }`, `${ind}}`);
        return;
      }
    }
  }

  fn(f: FnDef): string {
    const ctx: Ctx = { pre: [], inReduction: false, tmp: { n: 0 } };
    const body = f.lets.map((l) => `  let ${l.name} = ${this.ex(l.value, ctx)};`);
    return `// ${f.doc}\nfn ${f.name}(${f.params.map((p) => `${p.name}: ${p.ty}`).join(', ')}) -> ${f.ret} {\n${body.map((b) => b + '\n').join('')}  return ${this.ex(f.result, ctx)};\n}`;
  }

  print(): { program: GpuProgram; code: string } {
    const L = this.L;
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
      ...L.params.filter((p) => !p.value.some((v) => Object.is(Math.fround(v), -0))).map((p) => {
        const ty = p.type as Ty;
        if (isVecTy(ty)) return `const P_${p.name}: ${ty} = ${ty}(${p.value.map((v) => lit(v, 'f32')).join(', ')});`;
        return `const P_${p.name}: ${ty} = ${lit(p.value[0] ?? 0, ty)};`;
      }),
      WGSL_RUNTIME,
      ...this.ir.lib.map((f) => this.fn(f)),
      '',
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
    const tyOf = (n: string) => L.states.find((s) => s.name === n)!.type as Ty;
    // init
    out.push('// initial state', ...header('init'));
    {
      const ctx: Ctx = { pre: [], inReduction: false, tmp: { n: 0 } };
      for (const s of this.ir.init) {
        const v = this.ex(s.value, ctx);
        for (const p of ctx.pre.splice(0)) out.push('  ' + p);
        out.push(`  let s_${s.state}: ${s.ty} = ${v};`, `  ${this.store(s.state, 'i', `s_${s.state}`)}`);
      }
    }
    out.push('}', '');
    const program: GpuProgram = {
      phases: [{ entry: 'init', rules: [], snapshot: [] }],
      workgroupSize: WORKGROUP_SIZE,
      workgroupSizes: { init: WIDE_WORKGROUP },
      eventStrides: L.events.map((e) => 4 + e.fields.length),
      checks: null,
      module: `${L.name}.wgsl`,
    };
    this.ir.phases.forEach((ph, pi) => {
      const entry = `phase_${pi + 1}`;
      program.workgroupSizes[entry] = ph.reads_others ? WORKGROUP_SIZE : WIDE_WORKGROUP;
      program.phases.push({ entry, rules: ph.rules.map((r) => r.name), snapshot: ph.snapshot.flatMap((n) => L.columns.map((c, i) => (c.state === n ? i : -1)).filter((i) => i >= 0)) });
      out.push(`// phase ${pi + 1}: rule${ph.rules.length > 1 ? 's' : ''} ${ph.rules.map((r) => r.name).join(', ')}`, ...header(entry));
      for (const n of ph.uses) out.push(`  let s0_${n} = ${this.load('state', n, 'i')};`);
      for (const n of ph.writes) out.push(`  var s1_${n} = s0_${n};`);
      for (const r of ph.rules) {
        const ctx: Ctx = { pre: [], inReduction: false, tmp: { n: 0 } };
        out.push(`  { // rule ${r.name}`);
        for (const n of r.uses) out.push(`    var s_${n}: ${tyOf(n)} = s0_${n};`);
        let ind = '    ';
        if (r.when) {
          const c = this.ex(r.when, ctx);
          for (const p of ctx.pre.splice(0)) out.push(ind + p);
          out.push(`${ind}if (${c}) {`);
          ind += '  ';
        }
        this.stmts(r.body, ctx, out, ind);
        for (const n of r.writes) out.push(`${ind}s1_${n} = s_${n};`);
        if (r.when) out.push('    }');
        out.push('  }');
      }
      for (const n of ph.writes) out.push(`  ${this.store(n, 'i', `s1_${n}`)}`);
      out.push('}', '');
    });
    if (L.checkFinite || this.ir.invariants.length) {
      program.checks = 'checks';
      program.workgroupSizes['checks'] = WIDE_WORKGROUP;
      const NE = L.events.length;
      const inv = this.ir.invariants;
      out.push(`// after every step: ${[L.checkFinite ? '`check finite`' : '', ...L.invariants.map((c) => `\`check ${c}\``)].filter(Boolean).join(', ')}`, ...header('checks'));
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
        const uses = new Set<string>();
        for (const c of inv) walkExpr(c, (x) => x.k === 'var' && x.scope === 'state' && uses.add(x.name));
        out.push(`  if (atomicLoad(&counts[${NE + 2}u]) >= u.step) {`);
        for (const n of L.states.map((s) => s.name).filter((n) => uses.has(n))) out.push(`    let s_${n} = ${this.load('state', n, 'i')};`);
        inv.forEach((c, k) => {
          const ctx: Ctx = { pre: [], inReduction: false, tmp: { n: 0 } };
          const cond = this.ex(c, ctx);
          for (const p of ctx.pre) out.push('    ' + p);
          out.push(`    if (!${cond}) { atomicMin(&counts[${NE + 2}u], u.step); atomicMin(&counts[${NE + 3}u], i * ${inv.length}u + ${k}u); } // check ${L.invariants[k]}`);
        });
        out.push('  }');
      }
      out.push('}', '');
    }
    const code = out.join('\n');
    program.module = code;
    return { program, code };
  }
}

/** Generates the WGSL module of a sim and how the runner dispatches it. */
export function generateWgsl(ir: SimIR, layout: SimLayout): { program: GpuProgram; modules: { name: string; code: string }[] } {
  const { program, code } = new WgslPrinter(ir, layout).print();
  return { program, modules: [{ name: layout.name, code }] };
}

/** Library functions alone, as WGSL (tests run them on the GPU beside their JavaScript twins). */
export function libraryWgsl(fns: FnDef[]): string {
  const p = new WgslPrinter({ init: [], phases: [], invariants: [], lib: fns }, { columns: [], states: [], params: [], events: [] } as unknown as SimLayout);
  return [WGSL_RUNTIME, ...fns.map((f) => p.fn(f))].join('\n');
}
