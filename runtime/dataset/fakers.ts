// Loads the faker locales a dataset's `fake` samplers draw in, before its rows run (compiler/plan/fake.ts draws
// with them). One `@faker-js/faker/locale/<code>` module per locale — not the whole library, which would load all
// 70-odd locales — imported once per process.
import { synthError } from '../../base/diagnostics.js';
import { fakeMethod } from '../../compiler/check/fake.js';
import { FAKE_LOCALES, FAKER_VERSION } from '../../compiler/fake-catalogue.js';
import type { FakerLike, FakerSource } from '../../compiler/plan/fake.js';
import type { DatasetStage } from '../../compiler/plan/schema.js';

const loaded = new Map<string, Promise<FakerLike>>();

/**
 * The faker instances `ds`'s `fake` samplers need, by locale code; undefined when it has none. Throws SYN5006 when
 * the plan was built with another faker version (its values would differ: rebuild) or names a locale faker lacks.
 */
export async function loadFakers(ds: DatasetStage): Promise<FakerSource | undefined> {
  const fakes = ds.vary.flatMap((v) => (v.sampler.kind === 'fake' ? [v.sampler] : []));
  if (!fakes.length) return undefined;
  const library = `@faker-js/faker ${FAKER_VERSION}`;
  const byLocale = new Map<string, FakerLike>();
  for (const s of fakes) {
    if (s.library !== library) {
      throw synthError('SYN5012', { dataset: ds.name, planned: s.library, library });
    }
    if (!FAKE_LOCALES.includes(s.locale)) throw synthError('SYN5013', { dataset: ds.name, locale: s.locale, library });
    if (!fakeMethod(s.method)) throw synthError('SYN5014', { dataset: ds.name, method: s.method, library });
    if (byLocale.has(s.locale)) continue;
    let p = loaded.get(s.locale);
    if (!p) {
      p = import(`@faker-js/faker/locale/${s.locale}`).then((m: { faker: FakerLike }) => m.faker);
      loaded.set(s.locale, p);
    }
    byLocale.set(s.locale, await p);
  }
  return (locale) => byLocale.get(locale);
}
