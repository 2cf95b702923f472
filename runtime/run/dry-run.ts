// `synth run --dry-run`: what a run would cost before anything is spent — per dataset the rows, LLM calls,
// estimated tokens and USD (from the model block's `price`). Token counts are estimates: prompt tokens from
// the templates and schema (about 4 characters a token), completion tokens at half of `max_tokens`. Image prompts
// cost `price { image }` per image: rows × `images`.
import type { Plan } from '../../compiler/plan/schema.js';
import type { ExprIR } from '../../compiler/plan/expr-ir.js';
import { promptCalls } from '../../compiler/plan/eval.js';
import { batchDiscount, modelPrice } from '../../compiler/plan/price.js';

export interface DatasetEstimate {
  dataset: string;
  rows: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** images drawn by `-> image` prompts */
  images: number;
  usd: number | undefined;
}

function templateChars(t: ExprIR): number {
  if ('template' in t) return t.template.reduce<number>((n, p) => n + (typeof p === 'string' ? p.length : 24), 0);
  return 0;
}

export function estimate(plan: Plan, opts: { datasets?: string[]; limit?: number; itemCounts?: Record<string, number> } = {}): DatasetEstimate[] {
  const out: DatasetEstimate[] = [];
  for (const ds of Object.values(plan.datasets)) {
    if (opts.datasets?.length && !opts.datasets.includes(ds.name)) continue;
    // `for` rows are known once the simulation or documents behind them are counted (local, nothing is sent)
    let rows = 'count' in ds.rows ? ds.rows.count : opts.itemCounts?.[ds.name] !== undefined ? opts.itemCounts[ds.name]! * ds.rows.for.each : NaN;
    if (opts.limit !== undefined) rows = Number.isNaN(rows) ? opts.limit : Math.min(rows, opts.limit);
    let calls = 0;
    let promptTokens = 0;
    let completionTokens = 0;
    let images = 0;
    let usd: number | undefined = 0;
    const nodes = ds.steps.flatMap((s) => ('let' in s ? promptCalls(s.expr) : 'row' in s ? promptCalls(s.row) : 'judge' in s ? promptCalls(s.call) : []));
    for (const n of nodes) {
      const p = plan.prompts[n.prompt];
      if (!p) continue;
      const m = plan.models[p.model];
      const pr = modelPrice(plan, p.model);
      if (p.returns.kind === 'image') {
        const n = typeof p.settings['images'] === 'number' ? p.settings['images'] : 1;
        calls += rows;
        images += rows * n;
        usd = usd !== undefined && pr?.['image'] !== undefined ? usd + rows * n * pr['image'] : undefined;
        continue;
      }
      const chars = p.messages.reduce((a, msg) => a + templateChars(msg.template), 0) + JSON.stringify(p.returns.schema ?? '').length;
      const maxTokens = Number(p.settings['max_tokens'] ?? m?.settings['max_tokens'] ?? 512);
      const pt = Math.ceil(chars / 4) + 8 * p.messages.length;
      const ct = Math.ceil(maxTokens / 2);
      calls += rows;
      promptTokens += pt * rows;
      completionTokens += ct * rows;
      if (pr) {
        const discount = m?.mode === 'batch' ? batchDiscount(pr) : 1;
        usd = usd === undefined ? undefined : usd + ((pt * (pr['input'] ?? 0) + ct * (pr['output'] ?? 0)) / 1e6) * rows * discount;
      } else usd = undefined;
    }
    out.push({ dataset: ds.name, rows, calls, promptTokens, completionTokens, images, usd: nodes.length ? usd : 0 });
  }
  return out;
}

export function dryRun(plan: Plan, opts: { datasets?: string[]; limit?: number; itemCounts?: Record<string, number> } = {}): string {
  const rows = estimate(plan, opts);
  const fmt = (n: number) => (Number.isNaN(n) ? 'per item' : n.toLocaleString('en-US'));
  const withImages = rows.some((r) => r.images > 0);
  const lines = [`dataset                 rows        calls      prompt tok   completion tok${withImages ? '     images' : ''}   est. USD`];
  for (const r of rows) {
    lines.push(
      `${r.dataset.padEnd(22)} ${fmt(r.rows).padStart(6)} ${fmt(r.calls).padStart(12)} ${fmt(r.promptTokens).padStart(15)} ${fmt(r.completionTokens).padStart(16)}${withImages ? fmt(r.images).padStart(11) : ''}   ${r.usd === undefined ? '(no price)' : Number.isNaN(r.usd) ? 'per item' : '$' + r.usd.toFixed(2)}`,
    );
  }
  lines.push('', `Nothing was sent. Token counts are estimates; set \`price { input: …, output: …${withImages ? ', image: …' : ''} }\` in a model block for costs.`);
  return lines.join('\n') + '\n';
}
