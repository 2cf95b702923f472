// `normal(m, s)` drawn bit-identically on both backends. Box–Muller needs log, sqrt and cos, which WGSL only
// specifies to a few ULP (each driver has its own), so both code generators expand them here into the same
// sequence of f32 operations that are exact on both (integer ops, bit casts, + - *, each correctly rounded):
//   ln(u1)      exponent from the integer's leading bit, mantissa m ∈ [√½, √2) by bits, ln(m) = f·P(f), f = m − 1
//   sqrt(y)     y · rsqrt(y), rsqrt from the bit-level first guess and three Newton steps
//   cos(2π u2)  quadrant from the top two bits, then a polynomial in the remaining 22 bits
// The WGSL wraps intermediate results in `opaque` (wgsl.ts) so the driver's compiler cannot reassociate them.
// The polynomials are least-squares fits (absolute error ≈ 4e-8 for ln(1+f), 1.3e-7 for cos), so the
// distribution is normal to f32 precision. They are written below as exact f32 values.

const f = Math.fround;
/** ln(1 + x) = x · (c0 + x·(c1 + …)) on x ∈ [√½ − 1, √2 − 1] */
const LOG1P = [0.9999999, -0.4999999, 0.33335078, -0.2500225, 0.19936626, -0.16551137, 0.15102719, -0.14477748, 0.08490477].map(f);
/** cos(π/2 · r) = c0 + r·(c1 + …) on r ∈ [0, 1] */
const COS = [1.0, 1.3102257e-7, -1.233704, 3.4794986e-5, 0.25349486, 0.00048672303, -0.02164285, 0.0006913764, 0.00063896226].map(f);
const LN2 = f(0.6931472);
const SQRT2 = f(1.4142135);

const jsHorner = (c: number[], x: string, v: string) =>
  [`let ${v} = ${c[c.length - 1]};`, ...c.slice(0, -1).reverse().map((k) => `${v} = fround(fround(${v} * ${x}) + ${k});`)].join(' ');
const wgslLit = (x: number) => {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
};
const wgslHorner = (c: number[], x: string, v: string) =>
  [`var ${v}: f32 = ${wgslLit(c[c.length - 1]!)};`, ...c.slice(0, -1).reverse().map((k) => `${v} = ${v} * ${x} + ${wgslLit(k)};`)].join(' ');

export const NORMAL_JS = `
const _f32 = new Float32Array(1), _u32 = new Uint32Array(_f32.buffer);
function x_log_u(h) { // ln(((h >>> 8) + 1) / 2^24)
  const m24 = (h >>> 8) + 1;
  let e = 31 - Math.clz32(m24);
  let m = 1 + (e <= 23 ? (m24 << (23 - e)) & 0x7fffff : (m24 >>> (e - 23)) & 0x7fffff) * 1.1920928955078125e-7;
  if (m > ${SQRT2}) { m = m * 0.5; e = e + 1; }
  const x = m - 1;
  ${jsHorner(LOG1P, 'x', 'p')}
  return fround(fround((e - 24) * ${LN2}) + fround(p * x));
}
function x_sqrt(y) {
  _f32[0] = y; _u32[0] = 0x5f3759df - (_u32[0] >>> 1);
  let r = _f32[0];
  const t = fround(0.5 * y);
  r = fround(r * fround(1.5 - fround(fround(t * r) * r)));
  r = fround(r * fround(1.5 - fround(fround(t * r) * r)));
  r = fround(r * fround(1.5 - fround(fround(t * r) * r)));
  return fround(y * r);
}
function x_cos2pi(h) { // cos(2π (h >>> 8) / 2^24)
  const q = h >>> 30;
  let r = ((h >>> 8) & 0x3fffff) * 2.384185791015625e-7;
  if ((q & 1) === 1) r = 1 - r;
  ${jsHorner(COS, 'r', 'p')}
  return q === 1 || q === 2 ? -p : p;
}
function r_normal(h1, h2, m, s) {
  const z = fround(x_sqrt(fround(-2 * x_log_u(h1))) * x_cos2pi(h2));
  return fround(m + fround(s * z));
}
`;

export const NORMAL_WGSL = `
fn x_log_u(h: u32) -> f32 { // ln(((h >> 8) + 1) / 2^24)
  let m24 = (h >> 8u) + 1u;
  var e = i32(firstLeadingBit(m24));
  var bits: u32;
  if (e <= 23) { bits = (m24 << u32(23 - e)) & 0x7fffffu; } else { bits = (m24 >> u32(e - 23)) & 0x7fffffu; }
  var m = bitcast<f32>(0x3f800000u | bits);
  if (m > ${wgslLit(SQRT2)}) { m = m * 0.5; e = e + 1; }
  let x = m - 1.0;
  ${wgslHorner(LOG1P, 'x', 'p')}
  return f32(e - 24) * ${wgslLit(LN2)} + p * x;
}
fn x_sqrt(y: f32) -> f32 {
  var r = bitcast<f32>(0x5f3759dfu - (bitcast<u32>(y) >> 1u));
  let t = 0.5 * y;
  r = r * (1.5 - t * r * r);
  r = r * (1.5 - t * r * r);
  r = r * (1.5 - t * r * r);
  return y * r;
}
fn x_cos2pi(h: u32) -> f32 { // cos(2π (h >> 8) / 2^24)
  let q = h >> 30u;
  var r = f32((h >> 8u) & 0x3fffffu) * 2.384185791015625e-7;
  if ((q & 1u) == 1u) { r = 1.0 - r; }
  ${wgslHorner(COS, 'r', 'p')}
  return select(p, -p, q == 1u || q == 2u);
}
fn r_normal(h1: u32, h2: u32, m: f32, s: f32) -> f32 {
  let z = opaque(x_sqrt(-2.0 * x_log_u(h1)) * x_cos2pi(h2));
  return opaque(m + s * z);
}
`;
