// A model block's `price { input, output, image, batch_discount }`, read once for the run (wiring.ts) and for
// `--dry-run` (dry-run.ts), so both charge the same.
import type { Plan } from './schema.js';

/** The model's price record (USD per 1M tokens, per image), or undefined when the block sets none. */
export function modelPrice(plan: Plan, model: string): Record<string, number> | undefined {
  const price = plan.models[model]?.settings['price'];
  return price && typeof price === 'object' && !('env' in price) ? (price as Record<string, number>) : undefined;
}

/** What a provider batch costs as a fraction of direct calls: `batch_discount`, by default half. */
export function batchDiscount(price: Record<string, number> | undefined): number {
  return price?.['batch_discount'] ?? 0.5;
}
