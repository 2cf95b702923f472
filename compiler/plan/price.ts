// A model block's `price { input, output, image, batch_discount }`, read in one place for the cost estimate and
// the cost of answered calls (estimate.ts), so `--dry-run`, `--budget`, hovers and manifests charge the same.
import type { Plan } from './schema.js';

/**
 * The model block's price record — `input`/`output` in USD per 1M tokens, `image` in USD per image,
 * `batch_discount` a fraction — or undefined when the block sets none (or names no known model).
 */
export function modelPrice(plan: Pick<Plan, 'models'>, model: string): Record<string, number> | undefined {
  const price = plan.models[model]?.settings['price'];
  return price && typeof price === 'object' && !('env' in price) ? (price as Record<string, number>) : undefined;
}

/** What a provider batch costs as a fraction of direct calls: `batch_discount`, by default half. */
export function batchDiscount(price: Record<string, number> | undefined): number {
  return price?.['batch_discount'] ?? 0.5;
}
