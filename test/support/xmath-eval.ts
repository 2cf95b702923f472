// Evaluates the sim math library's functions (compiler/sim/xmath.ts) as each printer prints them: in
// JavaScript here, in WGSL on the GPU (one dispatch over every input), with arguments and results as 32-bit
// patterns, so tests can compare the two bit for bit.
import type { FnDef } from '../../compiler/sim/ir.js';
import { libraryJs } from '../../compiler/sim/js.js';
import { libraryWgsl } from '../../compiler/sim/wgsl.js';
import { closure } from '../../compiler/sim/xmath.js';
import { runKernel } from '../../runtime/sim/gpu-host.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const i32 = new Int32Array(f32.buffer);

/** A JavaScript function over bit patterns (software: the IR algorithm even where JS has a native twin). */
export function jsOfBits(fn: FnDef, software = false): (args: number[]) => number {
  const code = libraryJs(closure([fn]), { software }) + `\nreturn ${fn.name};`;
  const f = new Function(code)() as (...a: number[]) => number | boolean;
  return (args) => {
    const vals = fn.params.map((p, i) => {
      u32[0] = args[i]!;
      return p.ty === 'f32' ? f32[0]! : p.ty === 'i32' ? i32[0]! : p.ty === 'bool' ? u32[0] !== 0 : u32[0]!;
    });
    const r = f(...(vals as number[]));
    if (fn.ret === 'f32') f32[0] = r as number;
    else if (fn.ret === 'i32') i32[0] = r as number;
    else u32[0] = typeof r === 'boolean' ? (r ? 1 : 0) : (r as number);
    return u32[0]!;
  };
}

/** The function on the GPU over `n` argument tuples (`args[i * params + p]`), result bits per tuple. */
export async function gpuOfBits(fn: FnDef, args: Uint32Array): Promise<Uint32Array> {
  const P = fn.params.length;
  const n = args.length / P;
  const read = fn.params.map((p, k) => {
    const w = `inp[i * ${P}u + ${k}u]`;
    return p.ty === 'f32' ? `bitcast<f32>(${w})` : p.ty === 'i32' ? `bitcast<i32>(${w})` : p.ty === 'bool' ? `(${w} != 0u)` : w;
  });
  const res = fn.ret === 'f32' || fn.ret === 'i32' ? 'bitcast<u32>(r)' : fn.ret === 'bool' ? 'select(0u, 1u, r)' : 'r';
  const code = [
    'struct Frame { step: u32, world0: u32, n: u32, width: u32 }',
    '@group(0) @binding(0) var<storage, read> inp: array<u32>;',
    '@group(0) @binding(1) var<storage, read_write> outp: array<u32>;',
    '@group(0) @binding(2) var<uniform> u: Frame;',
    'const SEED: u32 = 0u;',
    libraryWgsl(closure([fn])),
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3u) {',
    '  let i = gid.x;',
    '  if (i >= u.n) { return; }',
    `  let r = ${fn.name}(${read.join(', ')});`,
    `  outp[i] = ${res};`,
    '}',
  ].join('\n');
  const out = await runKernel({ code, entry: 'main', input: args.slice().buffer, outputWords: n, n });
  return new Uint32Array(out);
}
