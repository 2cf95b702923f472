// `synth build FILE [-o DIR]`: check, then write the runtime plan (plan.json) and generated WGSL under DIR
// (default: the spec's .synth/plan/).
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { writeError, writeFileAtomic } from '../../runtime/dataset/file-io.js';
import { requireFolder, requireWritableFolder } from '../paths.js';
import { printDiagnostics } from '../render.js';
import { simMemoryLines } from './sim-memory.js';

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
 * Write errors throw SYN5023 naming the file; the previous plan stays whole (every file is written atomically).
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
  requireWritableFolder(out, opts.out ? '-o' : 'the plan folder'); // SYN4112 for a folder that cannot be written
  const { json, wgsl, plan } = buildPlan(res);
  makeDir(out);
  // Every file through a temp file and a rename (a full disk leaves the previous plan whole), the WGSL modules
  // first and plan.json last; then modules of sims that are gone are removed, so none is left stale.
  for (const [rel, code] of wgsl) {
    const p = path.join(out, rel);
    makeDir(path.dirname(p));
    writeFileAtomic(p, code);
  }
  writeFileAtomic(path.join(out, 'plan.json'), json);
  removeStale(path.join(out, 'sims'), new Set([...wgsl.keys()].map((rel) => path.join(out, rel))));
  const n = (o: object) => Object.keys(o).length;
  process.stderr.write(
    `plan ${plan.hash} → ${path.relative(process.cwd(), out) || '.'}/plan.json (${n(plan.datasets)} datasets, ${n(plan.prompts)} prompts, ${n(plan.sims)} sims, ${wgsl.size} WGSL modules)\n`,
  );
  for (const line of simMemoryLines(res)) process.stderr.write(line + '\n');
  return 0;
}

/** mkdir -p, its errors (a file in the way, a read-only disk) as SYN5023 naming the folder. */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw writeError(dir, e);
  }
}

/** Removes the files under `dir` that are not in `keep` (absolute paths), and folders left empty. */
function removeStale(dir: string, keep: Set<string>): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      removeStale(p, keep);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true, force: true });
    } else if (!keep.has(p)) rmSync(p, { force: true });
  }
}
