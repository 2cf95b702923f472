// The `fake` sampler's draw: one call of a faker method, seeded from the row's draw coordinates, so the value is a
// pure function of (seed, dataset, row, variable) like every other draw — on any machine, shard or resume. faker's
// own generator (a Mersenne Twister in JavaScript) is reseeded before each call, and its relative dates are taken
// around the plan's fixed reference date, never the clock.
//
// Loading faker's locales is the runtime's business (runtime/dataset/fakers.ts imports them); this module only
// uses an instance it is given, so the compiler and the language server never load faker.
import type { Value } from './eval.js';
import { EvalError } from './eval.js';
import type { Sampler } from './schema.js';

export type FakeSampler = Extract<Sampler, { kind: 'fake' }>;

/** What a draw needs of a faker instance (`@faker-js/faker`'s `Faker`): seeding, the reference date, its modules. */
export interface FakerLike {
  seed(seed: number[]): unknown;
  setDefaultRefDate(date: string): void;
}

/** The faker instance for a locale code (`de`, `en_US`), loaded before the dataset runs. */
export type FakerSource = (locale: string) => FakerLike | undefined;

/**
 * One draw of `s` with `faker`: reseeds it from two uniforms of `u` (so 64 bits of the row's coordinates decide the
 * value), sets the reference date, calls `module.method()`. A `Date` becomes canonical datetime text, records and
 * lists are copied as plain JSON values. Throws EvalError if the method is missing (a plan made for another faker).
 */
export function fakeDraw(s: FakeSampler, faker: FakerLike, u: () => number): Value {
  const a = Math.floor(u() * 4294967296);
  const b = Math.floor(u() * 4294967296);
  faker.seed([a, b]);
  faker.setDefaultRefDate(s.refDate);
  const [module, method] = s.method.split('.') as [string, string];
  const mod = Object.hasOwn(faker, module) ? (faker as unknown as Record<string, Record<string, unknown> | undefined>)[module] : undefined;
  const fn = mod?.[method];
  if (typeof fn !== 'function') throw new EvalError(`fake: faker has no method ${s.method}`);
  try {
    return plain((fn as () => unknown).call(mod));
  } catch (e) {
    if (e instanceof EvalError) throw e;
    throw new EvalError(`fake: faker's ${s.method} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A faker result as a plan value: dates as ISO text, everything else as JSON values. */
function plain(v: unknown): Value {
  if (v instanceof Date) return v.toISOString();
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, plain(x)]));
  throw new EvalError(`fake: faker returned a ${typeof v}, which no Synth type holds`);
}
