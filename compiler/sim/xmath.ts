// The math library of sim code, written once as IR (ir.ts) and printed by both printers: the same f32
// operations in the same order on the CPU (JavaScript, Math.fround after each) and on WebGPU (WGSL, every f32
// result passed through `opaque` so the driver can neither reassociate nor fuse it). So `sin(x)` gives the same
// bits on every backend, which the drivers' own sin/exp/log (accurate only to a few ULP, each its own) cannot.
//
// The algorithms are those of the Cephes library's single-precision functions (S. L. Moshier, "Methods and
// Programs for Mathematical Functions", 1989; sinf.c, cosf.c, expf.c, logf.c, tanhf.c), which use only + − ×,
// floor and bit manipulation on the argument's exponent — no division, no wider type. The square root is
// correctly rounded: a Newton iteration on the bit-level first guess, then an exact integer correction
// (`x_sqrt`), so it equals IEEE sqrt (tested against Math.sqrt on every f32 mantissa of two binades). The normal
// distribution is Box–Muller with its own ln of the hash word and cos(2π u) (`r_normal`). Polynomials are
// evaluated by Estrin's scheme: the same operations as Horner's, a shorter chain of dependent roundings.
//
// Accuracy (measured against double precision by test/sim/xmath.test.ts, in ULP of the f32 result): sqrt 0.5
// (correctly rounded); exp ≤ 1; log ≤ 1; sin, cos ≤ 1.5 for |x| ≤ 8192 (beyond that the reduction by π/4
// loses bits, as Cephes' does); tanh ≤ 2.5; pow as exp(y · log(x)): relative error up to |y · log x| · 2⁻²⁴.
import type { Expr, FnDef, Ty } from './ir.js';
import { children, widthOf } from './ir.js';

// ---------------------------------------------------------------- a small builder for IR

const F = (v: number): Expr => ({ k: 'const', ty: 'f32', v: [Math.fround(v)] });
const U = (v: number): Expr => ({ k: 'const', ty: 'u32', v: [v >>> 0] });
const I = (v: number): Expr => ({ k: 'const', ty: 'i32', v: [v | 0] });
const v = (name: string, ty: Ty): Expr => ({ k: 'var', ty, scope: 'local', name });
const ar = (op: 'add' | 'sub' | 'mul', a: Expr, b: Expr): Expr => ({ k: 'arith', ty: a.ty, op, a, b });
const add = (a: Expr, b: Expr) => ar('add', a, b);
const sub = (a: Expr, b: Expr) => ar('sub', a, b);
const mul = (a: Expr, b: Expr) => ar('mul', a, b);
const bits = (op: 'and' | 'or' | 'xor' | 'shl' | 'shr', a: Expr, b: Expr): Expr => ({ k: 'bits', ty: a.ty as 'u32' | 'i32', op, a, b });
const cmp = (op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Expr, b: Expr): Expr => ({ k: 'cmp', ty: 'bool', op, a, b });
const or = (a: Expr, b: Expr): Expr => ({ k: 'logic', ty: 'bool', op: 'or', a, b });
const sel = (f: Expr, t: Expr, c: Expr): Expr => ({ k: 'select', ty: t.ty, f, t, c });
const conv = (ty: 'f32' | 'i32' | 'u32', a: Expr): Expr => ({ k: 'convert', ty, a });
const cast = (ty: 'f32' | 'i32' | 'u32', a: Expr): Expr => ({ k: 'bitcast', ty, a });
const neg = (a: Expr): Expr => ({ k: 'neg', ty: a.ty, a });
const abs = (a: Expr): Expr => ({ k: 'prim', ty: a.ty, fn: 'abs', args: [a] });
const floor = (a: Expr): Expr => ({ k: 'prim', ty: a.ty, fn: 'floor', args: [a] });
const call = (fn: FnDef, ...args: Expr[]): Expr => ({ k: 'call', ty: fn.ret, fn: fn.name, args });

const INF = cast('f32', U(0x7f800000));
const NAN = cast('f32', U(0x7fc00000));

/** Horner's rule, highest coefficient first: ((c0·x + c1)·x + c2)… */
function horner(x: Expr, coeffs: number[]): Expr {
  let p = F(coeffs[0]!);
  for (const c of coeffs.slice(1)) p = add(mul(p, x), F(c));
  return p;
}

/**
 * The same polynomial by Estrin's scheme: pairs a + b·x, then pairs of those with x², x⁴ … — the same number of
 * operations as Horner's but a dependency chain of depth log₂(n) instead of n, which is what an f32 chain
 * rounded at every step (Math.fround in JavaScript) is slow on. `let_` names the powers of x.
 */
function estrin(x: Expr, coeffs: number[], let_: (n: string, e: Expr) => Expr, name: string): Expr {
  let terms = [...coeffs].reverse().map(F); // lowest degree first
  let pow = x;
  let level = 0;
  while (terms.length > 1) {
    const next: Expr[] = [];
    for (let i = 0; i < terms.length; i += 2) next.push(i + 1 < terms.length ? add(terms[i]!, mul(terms[i + 1]!, pow)) : terms[i]!);
    terms = next;
    if (terms.length > 1) pow = let_(`${name}${2 << level}`, mul(pow, pow));
    level++;
  }
  return terms[0]!;
}

/** Defines a function: `body` declares lets through `let_` and returns the result. */
function def(name: string, doc: string, params: [string, Ty][], ret: Ty, body: (p: Expr[], let_: (n: string, e: Expr) => Expr) => Expr): FnDef {
  const lets: { name: string; value: Expr }[] = [];
  const let_ = (n: string, e: Expr) => {
    lets.push({ name: n, value: e });
    return v(n, e.ty);
  };
  const result = body(
    params.map(([n, t]) => v(n, t)),
    let_,
  );
  return { name, doc, params: params.map(([n, t]) => ({ name: n, ty: t })), ret, lets, result };
}

// ---------------------------------------------------------------- helpers

/** NaN test: |x| < ∞ and |x| ≥ ∞ are both false only for NaN (a comparison, not a bit test: cheaper in JS). */
const isNan = (x: Expr) => ({ k: 'not', ty: 'bool', a: or(cmp('lt', abs(x), INF), cmp('ge', abs(x), INF)) }) as Expr;
/** 2^n as an f32 for n in [−126, 127], built from the exponent bits. */
const pow2 = (n: Expr) => cast('f32', bits('shl', cast('u32', add(n, I(127))), U(23)));

// ---------------------------------------------------------------- sqrt, correctly rounded

const X_SQRT = def(
  'x_sqrt',
  'sqrt(x) correctly rounded: Newton steps from the bit-level guess, then an exact integer correction',
  [['x', 'f32']],
  'f32',
  ([x], let_) => {
    // zero and subnormal inputs: scale subnormals into the normal range (×2^24 is exact), undo with k − 12
    const raw = let_('raw', cast('u32', x!));
    const sub_ = let_('sub', cmp('eq', bits('and', raw, U(0x7f800000)), U(0)));
    const xs = let_('xs', sel(x!, mul(x!, F(16777216)), sub_));
    const bx = let_('bx', cast('u32', xs));
    const e = let_('e', sub(conv('i32', bits('shr', bits('and', bx, U(0x7f800000)), U(23))), sel(I(127), I(151), sub_)));
    const odd = let_('odd', bits('and', e, I(1)));
    // m = mantissa scaled into [1, 4): sqrt(x) = sqrt(m) · 2^k
    const mb = let_('mb', bits('or', bits('and', bx, U(0x7fffff)), bits('shl', cast('u32', add(I(127), odd)), U(23))));
    const m = let_('m', cast('f32', mb));
    const k = let_('k', bits('shr', sub(e, odd), I(1)));
    // 1/sqrt(m): the classic first guess, three Newton steps (|error| < 2^-22)
    let y = let_('y0', cast('f32', sub(U(0x5f3759df), bits('shr', mb, U(1)))));
    const hm = let_('hm', mul(F(0.5), m));
    for (let i = 1; i <= 3; i++) y = let_(`y${i}`, mul(y, sub(F(1.5), mul(mul(hm, y), y))));
    // S ≈ sqrt(m) · 2^23 (an integer: s in [1, 2] has 23 fraction bits). Correct it with the residual
    // R = m·2^46 − S² computed exactly in wrapping 32-bit arithmetic (|R| < 2^31): S is right iff −S < R ≤ S.
    const big = let_('big', bits('shl', bits('or', bits('and', mb, U(0x7fffff)), U(0x800000)), cast('u32', add(odd, I(23)))));
    let S = let_('s0', conv('u32', mul(mul(m, y), F(8388608))));
    // the f32 estimate is within 3 of the right S (measured over every mantissa): four steps of ±1 suffice
    for (let i = 1; i <= 4; i++) {
      const R = let_(`r${i}`, cast('i32', sub(big, mul(S, S))));
      const Si = cast('i32', S);
      S = let_(`s${i}`, sel(sel(S, sub(S, U(1)), cmp('le', R, neg(Si))), add(S, U(1)), cmp('gt', R, Si)));
    }
    const r = let_('r', mul(conv('f32', S), pow2(sub(k, I(23)))));
    // x < 0 → NaN; ±0 → ±0; +Inf, NaN → themselves
    return sel(sel(r, x!, or(cmp('eq', xs, F(0)), cmp('ge', bits('and', raw, U(0x7f800000)), U(0x7f800000)))), NAN, cmp('lt', x!, F(0)));
  },
);
// correctly rounded, so a printer whose platform has a correctly rounded f32 sqrt may use it (JavaScript does)
X_SQRT.native = 'sqrt';

/** 1/sqrt(x) to about 2 ULP: the bit-level guess and three Newton steps (x > 0 finite). */
const X_RSQRT = def('x_rsqrt', '1/sqrt(x), three Newton steps from the bit-level guess (x > 0)', [['x', 'f32']], 'f32', ([x], let_) => {
  let y = let_('y0', cast('f32', sub(U(0x5f3759df), bits('shr', cast('u32', x!), U(1)))));
  const hx = let_('hx', mul(F(0.5), x!));
  for (let i = 1; i <= 3; i++) y = let_(`y${i}`, mul(y, sub(F(1.5), mul(mul(hx, y), y))));
  return y;
});

/** 1/x to about 2 ULP without division: the bit-level guess and three Newton steps (x > 0, x < 2^126). */
const X_RECIP = def('x_recip', '1/x, three Newton steps from the bit-level guess (0 < x < 2^126)', [['x', 'f32']], 'f32', ([x], let_) => {
  let y = let_('y0', cast('f32', sub(U(0x7ef311c3), cast('u32', x!))));
  for (let i = 1; i <= 3; i++) y = let_(`y${i}`, mul(y, sub(F(2), mul(x!, y))));
  return y;
});

// ---------------------------------------------------------------- exp, log (Cephes expf.c, logf.c)

const X_EXP = def('x_exp', 'e^x (Cephes expf: x = n·ln2 + r, degree-6 polynomial in r, times 2^n)', [['x', 'f32']], 'f32', ([x], let_) => {
  // below −87.3365, e^x is (about) no longer a normal f32: 0 on every backend (a GPU may flush subnormals)
  const n = let_('n', floor(add(mul(x!, F(1.44269504088896341)), F(0.5))));
  const r = let_('r', sub(sub(x!, mul(n, F(0.693359375))), mul(n, F(-2.12194440e-4))));
  const z = let_('z', mul(r, r));
  const p = let_('p', add(add(mul(estrin(r, [1.987569150e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1], let_, 'r'), z), r), F(1)));
  const ni = let_('ni', conv('i32', n));
  const n1 = let_('n1', bits('shr', ni, I(1)));
  const y = let_('y', mul(mul(p, pow2(n1)), pow2(sub(ni, n1))));
  return sel(sel(y, F(0), cmp('lt', x!, F(-87.3365))), INF, cmp('gt', x!, F(88.72283)));
});

const X_LOG = def('x_log', 'ln x (Cephes logf: x = m·2^e with m in [√½, √2), degree-9 polynomial in m − 1)', [['x', 'f32']], 'f32', ([x], let_) => {
  const raw = let_('raw', cast('u32', x!));
  const sub_ = let_('sub', cmp('eq', bits('and', raw, U(0x7f800000)), U(0)));
  const bx = let_('bx', cast('u32', sel(x!, mul(x!, F(16777216)), sub_)));
  // m in [0.5, 1), x = m · 2^e (frexp)
  const e0 = let_('e0', sub(conv('i32', bits('shr', bits('and', bx, U(0x7f800000)), U(23))), sel(I(126), I(150), sub_)));
  const m = let_('m', cast('f32', bits('or', bits('and', bx, U(0x7fffff)), U(0x3f000000))));
  const lo = let_('lo', cmp('lt', m, F(0.707106781186547524)));
  const e = let_('e', conv('f32', sel(e0, sub(e0, I(1)), lo)));
  const f = let_('f', sel(sub(m, F(1)), sub(add(m, m), F(1)), lo));
  const z = let_('z', mul(f, f));
  const y0 = let_('y0', mul(mul(estrin(f, [7.0376836292e-2, -1.151461031e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1], let_, 'f'), f), z));
  const y1 = let_('y1', add(y0, mul(e, F(-2.12194440e-4))));
  const y2 = let_('y2', add(y1, mul(F(-0.5), z)));
  const r = let_('r', add(add(f, y2), mul(e, F(0.693359375))));
  // ±0 → −Inf, x < 0 → NaN, +Inf → +Inf, NaN → NaN
  const zero = cmp('eq', bits('and', bx, U(0x7fffffff)), U(0));
  const special = let_('special', sel(sel(r, x!, cmp('ge', bits('and', raw, U(0x7fffffff)), U(0x7f800000))), neg(INF), zero));
  return sel(special, NAN, cmp('lt', x!, F(0)));
});

// ---------------------------------------------------------------- sin, cos (Cephes sinf.c, cosf.c)

const SIN_COEFFS = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1];
const COS_COEFFS = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2];

/** The shared reduction: |x| = j·π/4 + z with j even, z in [−π/4, π/4]; returns [j mod 8, z, z²]. */
function reduce(x: Expr, let_: (n: string, e: Expr) => Expr): [Expr, Expr, Expr] {
  const ax = let_('ax', abs(x));
  const j0 = let_('j0', conv('u32', mul(ax, F(1.27323954473516))));
  const j1 = let_('j1', add(j0, bits('and', j0, U(1))));
  const y = let_('y', conv('f32', j1));
  const z = let_('z', sub(sub(sub(ax, mul(y, F(0.78515625))), mul(y, F(2.4187564849853515625e-4))), mul(y, F(3.77489497744594108e-8))));
  const zz = let_('zz', mul(z, z));
  return [let_('j', bits('and', j1, U(7))), z, zz];
}
const sinPoly = (z: Expr, zz: Expr) => add(mul(mul(horner(zz, SIN_COEFFS), zz), z), z);
const cosPoly = (zz: Expr) => add(sub(mul(mul(horner(zz, COS_COEFFS), zz), zz), mul(F(0.5), zz)), F(1));
/** |x| < ∞ (false for ±Inf and NaN): the reduction gives NaN for those anyway, but say so rather than rely on it. */
const finite = (x: Expr) => cmp('lt', abs(x), INF);

const X_SIN = def('x_sin', 'sin x (Cephes sinf: reduction by π/4 in three parts, polynomials of degree 7 and 8)', [['x', 'f32']], 'f32', ([x], let_) => {
  const [j, z, zz] = reduce(x!, let_);
  const p = let_('p', sel(sinPoly(z, zz), cosPoly(zz), or(cmp('eq', j, U(2)), cmp('eq', j, U(6)))));
  // sign: negative x, and the lower half-turn (j ≥ 4), each flip it
  const flip = let_('flip', cmp('ne', cmp('lt', x!, F(0)), cmp('ge', j, U(4))));
  return sel(NAN, sel(p, neg(p), flip), finite(x!));
});

const X_COS = def('x_cos', 'cos x (Cephes cosf: reduction by π/4 in three parts, polynomials of degree 7 and 8)', [['x', 'f32']], 'f32', ([x], let_) => {
  const [j, z, zz] = reduce(x!, let_);
  const p = let_('p', sel(cosPoly(zz), sinPoly(z, zz), or(cmp('eq', j, U(2)), cmp('eq', j, U(6)))));
  // cos is negative for j in {2, 4}: (j + 2) mod 8 ≥ 4
  const flip = let_('flip', cmp('ge', bits('and', add(j, U(2)), U(7)), U(4)));
  return sel(NAN, sel(p, neg(p), flip), finite(x!));
});

/**
 * (sin x, cos x) from one reduction: each component the very operations of x_sin and x_cos (the same values),
 * for a statement that needs both of one argument (lower.ts uses it then: `vec2f(cos(h), sin(h))`).
 */
const X_SINCOS = def('x_sincos', '(sin x, cos x), one reduction for both: the values of x_sin and x_cos', [['x', 'f32']], 'vec2f', ([x], let_) => {
  const [j, z, zz] = reduce(x!, let_);
  const sp = let_('sp', sinPoly(z, zz));
  const cp = let_('cp', cosPoly(zz));
  const swap = let_('swap', or(cmp('eq', j, U(2)), cmp('eq', j, U(6))));
  const ps = let_('ps', sel(sp, cp, swap));
  const pc = let_('pc', sel(cp, sp, swap));
  const fs = let_('fs', cmp('ne', cmp('lt', x!, F(0)), cmp('ge', j, U(4))));
  const fc = let_('fc', cmp('ge', bits('and', add(j, U(2)), U(7)), U(4)));
  const ok = let_('ok', finite(x!));
  return { k: 'vec', ty: 'vec2f', args: [sel(NAN, sel(ps, neg(ps), fs), ok), sel(NAN, sel(pc, neg(pc), fc), ok)] };
});

/** sin and cos of one argument together (see X_SINCOS). */
export const SINCOS = X_SINCOS;

// ---------------------------------------------------------------- tanh (Cephes tanhf.c), pow

const X_TANH = def('x_tanh', 'tanh x (Cephes tanhf: odd polynomial below 0.625, 1 − 2/(e^2|x| + 1) above, ±1 beyond 10)', [['x', 'f32']], 'f32', ([x], let_) => {
  const ax = let_('ax', abs(x!));
  const s = let_('s', mul(x!, x!));
  const small = let_('small', add(mul(mul(estrin(s, [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1], let_, 's'), s), x!), x!));
  const big = let_('big', sub(F(1), mul(F(2), call(X_RECIP, add(call(X_EXP, add(ax, ax)), F(1))))));
  const mag = let_('mag', sel(big, F(1), cmp('gt', ax, F(10))));
  // below 0.625 (and for 0, −0, NaN) the polynomial; above, the magnitude with x's sign
  return sel(sel(mag, neg(mag), cmp('lt', x!, F(0))), small, or(cmp('lt', ax, F(0.625)), isNan(x!)));
});

const X_POW = def('x_pow', 'x^y as exp(y · ln x): NaN for x < 0, like WGSL', [['x', 'f32'], ['y', 'f32']], 'f32', ([x, y]) => call(X_EXP, mul(y!, call(X_LOG, x!))));

// ---------------------------------------------------------------- random draws

const u01 = (h: Expr) => mul(conv('f32', bits('shr', h, U(8))), F(5.9604644775390625e-8));

const R_UNIFORM = def('r_uniform', 'uniform(lo, hi) = lo + (hi − lo) · u, u = (h >> 8) / 2^24', [['h', 'u32'], ['lo', 'f32'], ['hi', 'f32']], 'f32', ([h, lo, hi]) => add(lo!, mul(sub(hi!, lo!), u01(h!))));
const R_BERNOULLI = def('r_bernoulli', 'bernoulli(p) = u < p, u = (h >> 8) / 2^24', [['h', 'u32'], ['p', 'f32']], 'bool', ([h, p]) => cmp('lt', u01(h!), p!));

function randint(ty: 'i32' | 'u32'): FnDef {
  const doc = 'randint(lo, hi) = lo + h mod (hi − lo + 1), both ends included; bounds out of order are swapped; the full 32-bit range is h itself';
  return def(`r_randint_${ty}`, doc, [['h', 'u32'], ['lo0', ty], ['hi0', ty]], ty, ([h, lo0, hi0], let_) => {
    // bounds only known at run time may come out of order: draw from [hi, lo] then (constant ones are SYN3034)
    const swap = let_('swap', cmp('lt', hi0!, lo0!));
    const lo = let_('lo', sel(lo0!, hi0!, swap));
    const hi = let_('hi', sel(hi0!, lo0!, swap));
    // hi − lo + 1 in wrapping u32: 0 exactly when the range has all 2^32 values
    const n = let_('n', ty === 'u32' ? add(sub(hi, lo), U(1)) : cast('u32', add(sub(hi, lo), I(1))));
    const off = { k: 'arith', ty: 'u32', op: 'rem', a: h!, b: n } as Expr;
    return sel(add(lo, ty === 'u32' ? off : cast('i32', off)), ty === 'u32' ? h! : cast('i32', h!), cmp('eq', n, U(0)));
  });
}
const R_RANDINT_I32 = randint('i32');
const R_RANDINT_U32 = randint('u32');

// normal(m, s): Box–Muller with its own ln and cos(2πu) of the hash words (the polynomials of the former normal.ts)
const LOG1P = [0.08490477, -0.14477748, 0.15102719, -0.16551137, 0.19936626, -0.2500225, 0.33335078, -0.4999999, 0.9999999];
const COS2PI = [0.00063896226, 0.0006913764, -0.02164285, 0.00048672303, 0.25349486, 3.4794986e-5, -1.233704, 1.3102257e-7, 1.0];

const BM_LOG_U = def('bm_log_u', 'ln(((h >> 8) + 1) / 2^24): exponent from the leading bit, ln(m) = f·P(f) with f = m − 1, m in [√½, √2)', [['h', 'u32']], 'f32', ([h], let_) => {
  const m24 = let_('m24', add(bits('shr', h!, U(8)), U(1)));
  // m24 = 1.bits × 2^e0 (e0 ≤ 24): the bits below the leading one, aligned to 23 (integer operations only)
  const e0 = let_('e0', sub(I(31), cast('i32', { k: 'prim', ty: 'u32', fn: 'clz', args: [m24] })));
  const frac = let_('frac', sel(bits('shl', m24, cast('u32', sub(I(23), e0))), bits('shr', m24, U(1)), cmp('gt', e0, I(23))));
  const m0 = let_('m0', add(F(1), mul(conv('f32', bits('and', frac, U(0x7fffff))), F(1.1920928955078125e-7))));
  const hi = let_('hi', cmp('gt', m0, F(1.4142135)));
  const m = let_('m', sel(m0, mul(m0, F(0.5)), hi));
  const e = let_('e', sel(e0, add(e0, I(1)), hi));
  const x = let_('x', sub(m, F(1)));
  return add(mul(conv('f32', sub(e, I(24))), F(0.6931472)), mul(estrin(x, LOG1P, let_, 'x'), x));
});

const BM_COS2PI = def('bm_cos2pi', 'cos(2π (h >> 8) / 2^24): quadrant from the top two bits, a polynomial in the other 22', [['h', 'u32']], 'f32', ([h], let_) => {
  const q = let_('q', bits('shr', h!, U(30)));
  const r0 = let_('r0', mul(conv('f32', bits('and', bits('shr', h!, U(8)), U(0x3fffff))), F(2.384185791015625e-7)));
  const r = let_('r', sel(r0, sub(F(1), r0), cmp('eq', bits('and', q, U(1)), U(1))));
  const p = let_('p', estrin(r, COS2PI, let_, 'r'));
  return sel(p, neg(p), or(cmp('eq', q, U(1)), cmp('eq', q, U(2))));
});

const R_NORMAL = def('r_normal', 'normal(m, s) = m + s · sqrt(−2 ln u1) · cos(2π u2) (Box–Muller)', [['h1', 'u32'], ['h2', 'u32'], ['m', 'f32'], ['s', 'f32']], 'f32', ([h1, h2, m, s], let_) => {
  const z = let_('z', mul(call(X_SQRT, mul(F(-2), call(BM_LOG_U, h1!))), call(BM_COS2PI, h2!)));
  return add(m!, mul(s!, z));
});

// ---------------------------------------------------------------- vectors

const VEC_FNS: Record<string, (n: number) => FnDef> = {};

function vecDef(key: string, make: (n: number) => FnDef): (n: number) => FnDef {
  const cache = new Map<number, FnDef>();
  const get = (n: number) => {
    let d = cache.get(n);
    if (!d) cache.set(n, (d = make(n)));
    return d;
  };
  VEC_FNS[key] = get;
  return get;
}

const vt = (n: number): Ty => (n === 2 ? 'vec2f' : n === 3 ? 'vec3f' : 'vec4f');
const comp = (a: Expr, i: number): Expr => ({ k: 'comp', ty: 'f32', a, i });

const X_DOT = vecDef('dot', (n) =>
  def(`x_dot${n}`, 'dot product, summed from the first component', [['a', vt(n)], ['b', vt(n)]], 'f32', ([a, b]) => {
    let s = mul(comp(a!, 0), comp(b!, 0));
    for (let i = 1; i < n; i++) s = add(s, mul(comp(a!, i), comp(b!, i)));
    return s;
  }),
);
const X_LENGTH = vecDef('length', (n) => def(`x_length${n}`, 'sqrt(dot(v, v))', [['v', vt(n)]], 'f32', ([a]) => call(X_SQRT, call(X_DOT(n), a!, a!))));
vecDef('distance', (n) => def(`x_distance${n}`, 'length(a − b)', [['a', vt(n)], ['b', vt(n)]], 'f32', ([a, b]) => call(X_LENGTH(n), sub(a!, b!))));
vecDef('normalize', (n) =>
  def(`x_normalize${n}`, 'v · rsqrt(dot(v, v)); NaN for a zero vector', [['v', vt(n)]], vt(n), ([a], let_) => {
    const d = let_('d', call(X_DOT(n), a!, a!));
    const s = let_('s', sel(call(X_RSQRT, d), NAN, cmp('eq', d, F(0))));
    return mul(a!, { k: 'splat', ty: vt(n) as 'vec2f', a: s });
  }),
);

const SCALAR_FNS: Record<'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'pow', FnDef> = { sqrt: X_SQRT, exp: X_EXP, log: X_LOG, sin: X_SIN, cos: X_COS, tanh: X_TANH, pow: X_POW };

/** A per-component version of a scalar function over vecN. */
const perComponent = (name: keyof typeof SCALAR_FNS) =>
  vecDef(name, (n) => {
    const f = SCALAR_FNS[name];
    return def(`${f.name}${n}`, `${name} per component`, f.params.map((p) => [p.name, vt(n)] as [string, Ty]), vt(n), (ps) => ({
      k: 'vec',
      ty: vt(n) as 'vec2f',
      args: Array.from({ length: n }, (_, i) => call(f, ...ps.map((p) => comp(p, i)))),
    }));
  });
for (const name of Object.keys(SCALAR_FNS) as (keyof typeof SCALAR_FNS)[]) perComponent(name);

/** The library function for a built-in (sqrt … pow, length, dot, normalize, distance) at an argument type. */
export function libFn(name: 'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'pow' | 'length' | 'dot' | 'normalize' | 'distance', argTy: Ty): FnDef {
  const n = widthOf(argTy);
  if (n === 1) {
    if (name in SCALAR_FNS) return SCALAR_FNS[name as keyof typeof SCALAR_FNS];
    throw new Error(`${name} takes a vector`);
  }
  return VEC_FNS[name]!(n);
}

/** The library functions of the random draws. */
export const DRAWS = { uniform: R_UNIFORM, normal: R_NORMAL, bernoulli: R_BERNOULLI, randint_i32: R_RANDINT_I32, randint_u32: R_RANDINT_U32 };

/** Every scalar library function, for tests that compare the printers function by function. */
export const SCALAR_LIB: FnDef[] = [X_SQRT, X_RSQRT, X_RECIP, X_EXP, X_LOG, X_SIN, X_COS, X_TANH, X_POW, R_UNIFORM, R_BERNOULLI, R_RANDINT_I32, R_RANDINT_U32, BM_LOG_U, BM_COS2PI, R_NORMAL];

/** All functions `fns` call, transitively, callees first (the order both printers define them in). */
export function closure(fns: Iterable<FnDef>): FnDef[] {
  const byName = new Map<string, FnDef>();
  for (const f of [...SCALAR_LIB, X_SINCOS, ...Object.values(VEC_FNS).flatMap((g) => [2, 3, 4].map(g))]) byName.set(f.name, f);
  const out: FnDef[] = [];
  const seen = new Set<string>();
  const visit = (f: FnDef) => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    const calls = new Set<string>();
    const scan = (e: Expr): void => {
      if (e.k === 'call') calls.add(e.fn);
      for (const c of children(e)) scan(c);
    };
    for (const l of f.lets) scan(l.value);
    scan(f.result);
    for (const c of calls) visit(byName.get(c)!);
    out.push(f);
  };
  for (const f of fns) visit(f);
  return out;
}

