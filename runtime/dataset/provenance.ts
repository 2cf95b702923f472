// What made a row, recorded with it in the journal, so a rerun reuses a row only if all of it is unchanged:
//   d  the dataset's recipe — everything in its stage that shapes one row (vary, steps, keep, unique, chat,
//      split, seed, row type), but not `count`, `output` or `expect`, which decide how many rows and where
//      they go, not what one row is;
//   q  each prompt the row called → the hash of its stage and of its model's answer-shaping settings (name,
//      temperature, top_p, max_tokens, seed, base_url), with `env(...)` settings as this run resolves them (a
//      model or endpoint switched through the environment is another model): edit one template and only rows
//      that called it change;
//   x  the row's input, for `for` datasets: the item's key and value (a sim row, a document chunk), so an edited
//      sim rule or document remakes exactly the rows whose input changed;
//   w  the pools the row's `one_of(TABLE)` / `weighted(TABLE, col)` / `one_of(DATASET)` draws take rows from: a
//      drawn row is an input of the row like an iterated one, so an edited table or a remade upstream dataset
//      remakes the rows that draw from it. The hash covers whole pools (which row a draw takes depends on the
//      pool's size and weights), so one changed cell remakes every row of the dataset that draws from that pool.
// The random seed is part of the recipe (every draw is a pure function of it and the row's identity).
import type { DatasetStage, Plan } from '../../compiler/plan/schema.js';
import type { Value } from '../../compiler/plan/eval.js';
import { contentHash } from '../../compiler/plan/canonical.js';
import { exactValueText } from './value-text.js';
import { resolvedSetting } from '../llm/endpoint.js';
import { lineHash } from '../line-hash.js';
import { createHash } from 'node:crypto';
import type { RowPool } from '../../compiler/plan/samplers.js';

export interface Provenance {
  d: string;
  q?: Record<string, string>;
  x?: string;
  w?: string;
}

/** Recorded hashes are the first 64 bits (16 hex digits) of the sha256: they detect edits to one's own spec,
 *  on every line of the journal, where the full hash was a third of a row's line. */
const HASH_HEX = 16;

/** The hash of what in a dataset stage shapes one row (see the header). */
export function recipeHash(ds: DatasetStage): string {
  const { count: _count, ...rows } = 'count' in ds.rows ? ds.rows : { ...ds.rows, count: undefined };
  void _count;
  return contentHash({
    v: 1,
    name: ds.name,
    rowType: ds.rowType,
    rows,
    vary: ds.vary,
    steps: ds.steps,
    keep: ds.keep,
    unique: ds.unique,
    chat: ds.chat,
    ...(ds.tools ? { tools: ds.tools } : {}),
    split: ds.split,
    seed: ds.seed,
    images: ds.images ?? null,
  }).slice(0, HASH_HEX);
}

/** Model settings that change what a call answers (limits, retries and prices do not). */
const ANSWER_SETTINGS = ['name', 'temperature', 'top_p', 'max_tokens', 'seed', 'base_url', 'provider'];

/**
 * The hash of a prompt as far as its answers go: its stage, and its model's answer-shaping settings, those given
 * by `env("NAME", default)` read from `env` (the model name and endpoint this run calls; never the API key). `key`
 * is the prompt's name, or `prompt@model` for calls that chose their model (`using`): those depend on that model.
 */
export function promptHash(plan: Plan, key: string, env: NodeJS.ProcessEnv = process.env): string {
  const at = key.indexOf('@');
  const prompt = at < 0 ? key : key.slice(0, at);
  const p = plan.prompts[prompt];
  if (!p) return 'missing';
  const model = at < 0 ? p.model : key.slice(at + 1);
  const m = plan.models[model];
  const settings = Object.fromEntries(ANSWER_SETTINGS.map((k) => [k, resolvedSetting(m?.settings[k], env)]));
  return contentHash({ prompt: p.hash, model, mode: m?.mode ?? null, settings }).slice(0, HASH_HEX);
}

/** The provenance key of a call of `prompt` on `model` (undefined or the prompt's own model: the prompt's name). */
export function promptKey(plan: Plan, prompt: string, model: string | undefined): string {
  return model === undefined || model === plan.prompts[prompt]?.model ? prompt : `${prompt}@${model}`;
}

/** A recorded hash against the current one: journals written before hashes were cut to 64 bits hold the full
 *  sha256, which begins with the current hash when nothing changed. */
function sameHash(recorded: string, current: string): boolean {
  return recorded === current || (recorded.length === 64 && current.length === HASH_HEX && recorded.startsWith(current));
}

/** The hash of a `for` row's input: its item's stable key and its value (items are built by code, so their
 *  key order is stable), written so that every value is told apart — NaN, ±Infinity and -0 included
 *  (value-text.ts). 64-bit FNV-1a: computed for every row of a rerun, so cheap. */
export function inputHash(itemKey: string, item: Value | undefined): string {
  return lineHash(itemKey + '\u0000' + exactValueText(item));
}

/**
 * The hash of the pools a dataset's row draws take rows from (by `poolKey`): every pool's key and every row's
 * exact value (value-text.ts), in key order; undefined when the dataset draws from none. sha256 cut to 64 bits,
 * computed once per dataset per run.
 */
export function poolsHash(pools: Map<string, RowPool> | undefined): string | undefined {
  if (!pools || pools.size === 0) return undefined;
  const h = createHash('sha256');
  for (const key of [...pools.keys()].sort()) {
    const rows = pools.get(key)!.rows;
    h.update(`${JSON.stringify(key)}:${rows.length}\n`);
    for (const r of rows) h.update(exactValueText(r) + '\n');
  }
  return h.digest('hex').slice(0, HASH_HEX);
}

/**
 * Why a journaled row cannot be reused as it is, or undefined when everything that made it is unchanged.
 * `current.x` is the row's input hash now (for `for` datasets), `current.w` the hash of the pools it draws from.
 */
export function staleReason(recorded: Provenance, current: { d: string; x?: string; w?: string }, promptHashOf: (name: string) => string): string | undefined {
  if (!sameHash(recorded.d, current.d)) return "the dataset's definition changed";
  if (current.x !== undefined && recorded.x !== current.x) return 'its input changed';
  if (recorded.w !== current.w) return 'a table or dataset it draws rows from changed';
  for (const [name, h] of Object.entries(recorded.q ?? {})) {
    if (!sameHash(h, promptHashOf(name))) return name.includes('@') ? `prompt '${name.slice(0, name.indexOf('@'))}' or model '${name.slice(name.indexOf('@') + 1)}' changed` : `prompt '${name}' changed`;
  }
  return undefined;
}
