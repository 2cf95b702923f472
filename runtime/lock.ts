// synth.lock, beside the spec: what a rerun needs to reproduce this dataset — tool version, plan and stage
// hashes, seeds, and the exact model names asked for and reported. Canonical JSON, so it diffs cleanly in git.
// `synth run` rewrites it when the plan changed or an endpoint reported a model name not seen before
// (docs/runtime.md, "synth.lock").
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../compiler/plan/schema.js';
import { canonicalJson } from '../compiler/plan/canonical.js';
import { VERSION } from '../compiler/version.js';
import { writeFileAtomic } from './dataset/file-io.js';

/**
 * The text of `synth.lock` for `plan`: tool version, plan/stage hashes and seeds, and per model block the name asked
 * for and every name the endpoint has reported so far (`reported` merged into those of `previous`, the lock's text
 * before this run, if any). Canonical JSON: the same inputs give the same bytes.
 */
export function lockText(plan: Plan, previous: string | undefined, reported: Record<string, string[]> = {}): string {
  let before: { models?: Record<string, { reported?: string[] }> } = {};
  try {
    if (previous !== undefined) before = JSON.parse(previous) as typeof before;
  } catch {
    // an unreadable lock is rewritten from the plan
  }
  const models: Record<string, object> = {};
  for (const [name, m] of Object.entries(plan.models)) {
    const seen = new Set([...(before.models?.[name]?.reported ?? []), ...(reported[name] ?? [])]);
    models[name] = { requested: m.settings['name'] ?? null, reported: [...seen].sort(), hash: m.hash };
  }
  return canonicalJson({
    synth: 'lock',
    tool: VERSION,
    spec: plan.spec.file,
    plan: plan.hash,
    seed: plan.goal.seed,
    datasets: Object.fromEntries(Object.values(plan.datasets).map((d) => [d.name, { hash: d.hash, seed: d.seed }])),
    prompts: Object.fromEntries(Object.values(plan.prompts).map((p) => [p.name, p.hash])),
    sims: Object.fromEntries(Object.values(plan.sims).map((s) => [s.name, s.hash])),
    models,
  });
}

/** The path of the lock beside a spec: `<spec folder>/synth.lock`. */
export function lockPath(specPath: string): string {
  return path.join(path.dirname(path.resolve(specPath)), 'synth.lock');
}

/**
 * Writes `synth.lock` beside the spec (see lockText), only when its bytes change, so a rerun of an unchanged spec
 * leaves a committed lock (and the git tree) untouched; atomically (a full disk leaves the old lock whole;
 * SYN5023). Returns the lock's path.
 */
export function writeLock(specPath: string, plan: Plan, reported: Record<string, string[]> = {}): string {
  const file = lockPath(specPath);
  let previous: string | undefined;
  try {
    previous = readFileSync(file, 'utf8');
  } catch {
    // no lock yet
  }
  const text = lockText(plan, previous, reported);
  if (text !== previous) writeFileAtomic(file, text);
  return file;
}
