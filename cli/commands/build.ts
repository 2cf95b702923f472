// `synth build FILE [-o DIR]`: check, then write the runtime plan (plan.json) and generated WGSL under DIR
// (default: the spec's .synth/plan/).
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../../base/diagnostics.js';
import { checkFile } from '../../compiler/check.js';
import { fsReason } from '../../runtime/report/fs-reason.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { requireFolder } from '../paths.js';
import { printDiagnostics } from '../render.js';

/**
 * Where `synth build` writes without `-o`: `<spec folder>/.synth/plan/`, beside the journal and cache, so building
 * never leaves untracked files in the source tree. Pass `-o plan` to keep a plan in git for review.
 */
export function defaultPlanDir(spec: string): string {
  return path.join(path.dirname(path.resolve(spec)), '.synth', 'plan');
}

/**
 * Checks `file` and writes its plan (`plan.json`, canonical) and generated WGSL modules under `opts.out` (default
 * `defaultPlanDir`), replacing earlier WGSL. Returns 0, or 1 when the spec has errors (printed; nothing written).
 * Throws SYN4107 when `-o` names a file; a write error is SYN5023.
 */
export function runBuild(file: string, opts: { out?: string }): number {
  if (opts.out) requireFolder(opts.out, '-o');
  const res = checkFile(file);
  const textOf = (p: string) => res.program.files.get(p)?.text;
  printDiagnostics(res.diagnostics, textOf);
  if (res.hasErrors) {
    process.stderr.write('build stopped: fix the errors above\n');
    return 1;
  }
  const out = path.resolve(opts.out ?? defaultPlanDir(file));
  const { json, wgsl, plan } = buildPlan(res);
  const write = (p: string, text: string) => {
    try {
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, text);
    } catch (e) {
      throw synthError('SYN5023', { file: path.relative(process.cwd(), p) || p, reason: fsReason(e) });
    }
  };
  // Generated WGSL is rewritten whole, so a removed sim leaves no stale module behind.
  if (existsSync(path.join(out, 'sims'))) rmSync(path.join(out, 'sims'), { recursive: true, force: true });
  write(path.join(out, 'plan.json'), json);
  for (const [rel, code] of wgsl) write(path.join(out, rel), code);
  const n = (o: object) => Object.keys(o).length;
  process.stderr.write(
    `plan ${plan.hash} → ${path.relative(process.cwd(), out) || '.'}/plan.json (${n(plan.datasets)} datasets, ${n(plan.prompts)} prompts, ${n(plan.sims)} sims, ${wgsl.size} WGSL modules)\n`,
  );
  return 0;
}
