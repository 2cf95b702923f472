// synth.lock, beside the spec: what a rerun needs to reproduce this dataset — tool version, plan and stage
// hashes, seeds, and the exact model names asked for and reported. Canonical JSON, so it diffs cleanly in git.
// Specs sharing a folder share its lock, an entry each (keyed by spec file name), so no run drops another's pins.
// `synth run` rewrites it when the plan changed or an endpoint reported a model name not seen before
// (docs/runtime.md, "synth.lock").
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../compiler/plan/schema.js';
import { canonicalJson } from '../compiler/plan/canonical.js';
import { VERSION } from '../compiler/version.js';
import { writeFileAtomic } from './dataset/file-io.js';

/** One spec's part of a lock: what `lockText` writes for a folder holding one spec (today's whole-file form). */
type LockEntry = { spec?: string; models?: Record<string, { reported?: string[] }> } & Record<string, unknown>;

/**
 * The entries of a lock's text, keyed by spec file name (its name in the lock's folder). Two forms are read: a
 * single spec's entry (`{ synth: "lock", spec: "t.synth", … }`, what a folder with one spec has), and entries keyed
 * by spec (`{ synth: "lock", specs: { "k.synth": {…}, "t.synth": {…} } }`, written once a second spec of the
 * folder runs). An unreadable lock has no entries (it is rewritten from the plan).
 */
export function lockEntries(text: string | undefined): Record<string, LockEntry> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const o = parsed as { specs?: unknown; spec?: unknown };
  if (o.specs && typeof o.specs === 'object' && !Array.isArray(o.specs)) {
    // own properties only (Object.fromEntries): a spec named `__proto__` stays an entry, never a prototype
    return Object.fromEntries(Object.entries(o.specs as Record<string, unknown>).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v))) as Record<string, LockEntry>;
  }
  return typeof o.spec === 'string' ? { [o.spec]: o as LockEntry } : {};
}

/**
 * The text of `synth.lock` with `plan`'s entry: tool version, plan/stage hashes and seeds, and per model block the
 * name asked for and every name the endpoint has reported so far (`reported` merged into those of the spec's entry
 * in `previous`, the lock's text before this run, if any). Other specs' entries in `previous` are kept when
 * `keep(spec file name)` says so (writeLock drops those whose spec is gone), so two specs in one folder never
 * overwrite each other's pins. With no other entry the file is the spec's entry alone (the single-spec form);
 * otherwise `{ synth: "lock", specs: { NAME: entry, … } }`. Canonical JSON: the same inputs give the same bytes.
 */
export function lockText(plan: Plan, previous: string | undefined, reported: Record<string, string[]> = {}, keep: (spec: string) => boolean = () => true): string {
  const entries = lockEntries(previous);
  const key = plan.spec.file;
  const before = Object.hasOwn(entries, key) ? entries[key]! : {};
  const models: Record<string, object> = {};
  for (const [name, m] of Object.entries(plan.models)) {
    const seen = new Set([...(before.models?.[name]?.reported ?? []), ...(reported[name] ?? [])]);
    models[name] = { requested: m.settings['name'] ?? null, reported: [...seen].sort(), hash: m.hash };
  }
  const entry = {
    synth: 'lock',
    tool: VERSION,
    spec: key,
    plan: plan.hash,
    seed: plan.goal.seed,
    datasets: Object.fromEntries(Object.values(plan.datasets).map((d) => [d.name, { hash: d.hash, seed: d.seed }])),
    prompts: Object.fromEntries(Object.values(plan.prompts).map((p) => [p.name, p.hash])),
    sims: Object.fromEntries(Object.values(plan.sims).map((s) => [s.name, s.hash])),
    models,
  };
  const others = Object.entries(entries).filter(([k]) => k !== key && keep(k));
  if (others.length === 0) return canonicalJson(entry);
  return canonicalJson({ synth: 'lock', specs: Object.fromEntries([...others, [key, entry]]) });
}

/** The path of the lock beside a spec: `<spec folder>/synth.lock`. */
export function lockPath(specPath: string): string {
  return path.join(path.dirname(path.resolve(specPath)), 'synth.lock');
}

/**
 * The lock beside `specPath` as it is (`previous`, undefined when there is none) and as a run of `plan` leaves it
 * (`text`: see lockText; other specs' entries kept while their spec files are in the folder).
 */
export function nextLock(specPath: string, plan: Plan, reported: Record<string, string[]> = {}): { file: string; previous: string | undefined; text: string } {
  const file = lockPath(specPath);
  let previous: string | undefined;
  try {
    previous = readFileSync(file, 'utf8');
  } catch {
    // no lock yet
  }
  const dir = path.dirname(file);
  const text = lockText(plan, previous, reported, (spec) => path.basename(spec) === spec && existsSync(path.join(dir, spec)));
  return { file, previous, text };
}

/**
 * Writes `synth.lock` beside the spec (see nextLock), only when its bytes change, so a rerun of an unchanged spec
 * leaves a committed lock (and the git tree) untouched; atomically (a full disk leaves the old lock whole;
 * SYN5023). Returns the lock's path.
 */
export function writeLock(specPath: string, plan: Plan, reported: Record<string, string[]> = {}): string {
  const { file, previous, text } = nextLock(specPath, plan, reported);
  if (text !== previous) writeFileAtomic(file, text);
  return file;
}
