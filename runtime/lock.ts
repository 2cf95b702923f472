// synth.lock, beside the spec: what a rerun needs to reproduce this dataset — tool version, plan and stage
// hashes, seeds, and the exact model names asked for and reported. Canonical JSON, so it diffs cleanly in git.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../compiler/plan/schema.js';
import { canonicalJson } from '../compiler/plan/canonical.js';
import { VERSION } from '../compiler/version.js';

/**
 * Writes `synth.lock` beside `specPath` (canonical JSON): tool version, plan, dataset, prompt and sim hashes,
 * seeds, and per model block the name asked for and every name an endpoint reported (merged with the previous
 * lock's, so a rerun from the cache keeps them). `reported`: per model block, from this run. Returns the lock's path.
 */
export function writeLock(specPath: string, plan: Plan, reported: Record<string, string[]> = {}): string {
  const file = path.join(path.dirname(path.resolve(specPath)), 'synth.lock');
  let previous: { models?: Record<string, { reported?: string[] }> } = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as typeof previous;
  } catch {
    // no lock yet
  }
  const models: Record<string, object> = {};
  for (const [name, m] of Object.entries(plan.models)) {
    const seen = new Set([...(previous.models?.[name]?.reported ?? []), ...(reported[name] ?? [])]);
    models[name] = { requested: m.settings['name'] ?? null, reported: [...seen].sort(), hash: m.hash };
  }
  const lock = {
    synth: 'lock',
    tool: VERSION,
    spec: plan.spec.file,
    plan: plan.hash,
    seed: plan.goal.seed,
    datasets: Object.fromEntries(Object.values(plan.datasets).map((d) => [d.name, { hash: d.hash, seed: d.seed }])),
    prompts: Object.fromEntries(Object.values(plan.prompts).map((p) => [p.name, p.hash])),
    sims: Object.fromEntries(Object.values(plan.sims).map((s) => [s.name, s.hash])),
    models,
  };
  writeFileSync(file, canonicalJson(lock));
  return file;
}
