// The cost estimate in the editor: hovers, inlay hints and the prompt preview lower only the declarations they
// show (`lowerForEstimate`) and ask the one estimator (compiler/plan/estimate.ts) — the figures `synth run
// --dry-run` prints. Rows of `for` datasets depend on simulation or document counts the editor does not compute,
// so those show what one row costs.
import { lowerForEstimate } from '../compiler/plan/lower.js';
import { countOf, estimateCall, estimateDataset, formatUsd, type CallEstimate, type Counts, type DatasetEstimate } from '../compiler/plan/estimate.js';
import type { PromptStage } from '../compiler/plan/schema.js';
import type { Analysis } from './workspace.js';

/** Per check result (one per analysed version): estimates already computed, by declaration name. */
const memo = new WeakMap<object, Map<string, unknown>>();

function cached<T>(a: Analysis, key: string, compute: () => T): T | undefined {
  let m = memo.get(a.result);
  if (!m) memo.set(a.result, (m = new Map()));
  if (!m.has(key)) {
    try {
      m.set(key, compute());
    } catch {
      // a half-typed declaration the lowering cannot take yet: no estimate rather than no hover
      m.set(key, undefined);
    }
  }
  return m.get(key) as T | undefined;
}

/** A dataset of the analysed program, estimated like `synth run --dry-run` (rows null for `for` datasets). */
export function datasetEstimate(a: Analysis, name: string): (DatasetEstimate & { each: number | undefined }) | undefined {
  return cached(a, `dataset ${name}`, () => {
    const plan = lowerForEstimate(a.result, [name]);
    const ds = plan.datasets[name];
    if (!ds) return undefined;
    return { ...estimateDataset(plan, ds), each: 'for' in ds.rows ? ds.rows.for.each : undefined };
  });
}

/** One call of a prompt of the analysed program, with its plan stage (messages, settings, JSON Schema). */
export function promptEstimate(a: Analysis, name: string): { call: CallEstimate; stage: PromptStage } | undefined {
  return cached(a, `prompt ${name}`, () => {
    const plan = lowerForEstimate(a.result, [name]);
    const call = estimateCall(plan, name);
    return call ? { call, stage: plan.prompts[name]! } : undefined;
  });
}

/** `5,000 rows · 5,000 LLM calls (before retries)`, or for a `for` dataset `one row per item · 1 LLM call per row`. */
export function rowsAndCalls(e: DatasetEstimate & { each: number | undefined }): string {
  if (e.rows === null && e.each === undefined) return `? rows · ${countOf(e.perRow.calls, 'LLM call')} per row`;
  if (e.rows === null) return `${e.each === 1 ? 'one row' : countOf(e.each ?? 1, 'row')} per item · ${countOf(e.perRow.calls, 'LLM call')} per row`;
  return `${countOf(e.rows, 'row')} · ${countOf(e.total!.calls, 'LLM call')} (before retries)`;
}

/** `~855,000 prompt + ~1,500,000 completion tokens, 800 images ≈ $1.03` (what the counts hold; the cost or what is unpriced). */
export function usageText(c: Counts, unpriced: string[]): string {
  const parts: string[] = [];
  if (c.promptTokens || c.completionTokens) parts.push(`~${c.promptTokens.toLocaleString('en-US')} prompt + ~${c.completionTokens.toLocaleString('en-US')} completion tokens`);
  if (c.images) parts.push(countOf(c.images, 'image'));
  // a prompt without a model (the spec has an error there) has the model name ''
  const cost = unpriced.length ? ` (no price for ${unpriced.map((m) => m || 'a prompt without a model').join(', ')}${c.usd > 0 ? `; ≥ ${formatUsd(c.usd)}` : ''})` : ` ≈ ${formatUsd(c.usd)}`;
  return (parts.join(', ') || 'no LLM calls') + cost;
}
