// Writes compiler/fake-catalogue.ts: the methods of @faker-js/faker that `vary x ~ fake("module.method")` can
// call, each with the Synth type of its result and an example, and the locales faker ships. The checker validates
// paths and locales against this table (with "did you mean") without loading faker, so the language server stays
// light; test/plan/fake.test.ts fails when the table differs from what the installed faker gives.
//
//   npx tsx scripts/gen-fake-catalogue.ts          (writes compiler/fake-catalogue.ts)
//   npx tsx scripts/gen-fake-catalogue.ts --check  (exit 1 when the table is out of date)
//
// A method is in the catalogue when it can be called without arguments (faker's defaults), returns the same kind
// of value for every seed, and is not deprecated (faker warns on the console when a deprecated method is called).
// `helpers.*` take the values to pick from, so they are left out, as are results no Synth type can hold (bigint).
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allLocales, faker, type Faker } from '@faker-js/faker';
import { FAKE_REF_DATE, type FakeType } from '../compiler/fake-types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOGUE_FILE = path.join(ROOT, 'compiler', 'fake-catalogue.ts');

/** Modules whose methods need arguments to mean anything. */
const SKIP_MODULES = new Set(['helpers', 'fakerCore', 'rawDefinitions', 'definitions']);
/** Seeds each method is probed with: its result type must be the same for all. */
const PROBE_SEEDS = 16;

type Probe = FakeType | 'mixed' | undefined;

/** The Synth type of one result, or undefined for a value no Synth type holds. */
function typeOfValue(v: unknown): Probe {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isFinite(v) ? (Number.isInteger(v) ? 'int' : 'float') : undefined;
  if (v instanceof Date) return 'datetime';
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? 'float[]' : undefined;
  if (v && typeof v === 'object') {
    const record: Record<string, 'string' | 'int' | 'float'> = {};
    for (const [k, x] of Object.entries(v)) {
      const t = typeOfValue(x);
      if (t !== 'string' && t !== 'int' && t !== 'float') return undefined;
      record[k] = t;
    }
    return { record };
  }
  return undefined;
}

/** The type two probes share: an int and a float widen to float; anything else must agree. */
function join(a: Probe, b: Probe): Probe {
  if (a === undefined || b === undefined || a === 'mixed' || b === 'mixed') return a === undefined || b === undefined ? undefined : 'mixed';
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float';
  if (typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a.record);
    if (keys.join() !== Object.keys(b.record).join()) return 'mixed';
    const record: Record<string, 'string' | 'int' | 'float'> = {};
    for (const k of keys) {
      const t = join(a.record[k], b.record[k]);
      if (t !== 'string' && t !== 'int' && t !== 'float') return 'mixed';
      record[k] = t;
    }
    return { record };
  }
  return JSON.stringify(a) === JSON.stringify(b) ? a : 'mixed';
}

/** The methods of a faker module, own and inherited (faker's simple modules are base classes). */
function methodsOf(module: object): string[] {
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(module); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor' && !n.startsWith('_') && typeof (module as Record<string, unknown>)[n] === 'function') names.add(n);
  }
  return [...names].sort();
}

export interface CatalogueEntry {
  type: FakeType;
  example: string;
}

/** The catalogue of the installed faker, probed with seeds 1…PROBE_SEEDS and the fixed reference date. */
export function probeCatalogue(f: Faker = faker): Record<string, CatalogueEntry> {
  const out: Record<string, CatalogueEntry> = {};
  const warn = console.warn;
  let warned = false;
  console.warn = () => {
    warned = true;
  };
  try {
    f.setDefaultRefDate(FAKE_REF_DATE);
    const modules = Object.keys(f).filter((k) => !SKIP_MODULES.has(k) && !k.startsWith('_') && typeof (f as unknown as Record<string, unknown>)[k] === 'object');
    for (const m of modules.sort()) {
      const mod = (f as unknown as Record<string, Record<string, () => unknown>>)[m]!;
      for (const name of methodsOf(mod)) {
        warned = false;
        let type: Probe;
        let example = '';
        try {
          for (let s = 1; s <= PROBE_SEEDS; s++) {
            f.seed(s);
            const v = mod[name]!();
            type = s === 1 ? typeOfValue(v) : join(type, typeOfValue(v));
            if (s === 1) example = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
          }
        } catch {
          continue; // needs arguments
        }
        if (warned || type === undefined || type === 'mixed') continue;
        // long text is cut for the table (hovers and completion show it); other examples stay valid JSON
        out[`${m}.${name}`] = { type, example: type === 'string' && example.length > 60 ? example.slice(0, 57) + '...' : example };
      }
    }
  } finally {
    console.warn = warn;
  }
  return out;
}

/** faker's locale codes (`de`, `en_US`, `zh_CN`, …), `base` (no words, only formats) left out. */
export function probeLocales(): string[] {
  return Object.keys(allLocales)
    .filter((l) => l !== 'base')
    .sort();
}

function fakerVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@faker-js', 'faker', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The generated module's text. */
export function catalogueSource(): string {
  const entries = Object.entries(probeCatalogue())
    .map(([k, e]) => `  ${JSON.stringify(k)}: { type: ${JSON.stringify(e.type)}, example: ${JSON.stringify(e.example)} },`)
    .join('\n');
  return `// Generated by scripts/gen-fake-catalogue.ts from @faker-js/faker; do not edit (run \`npx tsx scripts/gen-fake-catalogue.ts\`).
// The methods \`fake("module.method")\` may call, the Synth type of each result, an example (seed 1, locale en), and
// faker's locales. test/plan/fake.test.ts fails when this differs from the installed faker.
import type { FakeType } from './fake-types.js';

/** The version of @faker-js/faker this table was made from; recorded in every plan that draws with \`fake\`. */
export const FAKER_VERSION = ${JSON.stringify(fakerVersion())};

/** faker's locales, as its modules are named (\`@faker-js/faker/locale/<code>\`). */
export const FAKE_LOCALES: readonly string[] = ${JSON.stringify(probeLocales())};

/** \`module.method\` → the type of its result and an example. */
export const FAKE_METHODS: Readonly<Record<string, { type: FakeType; example: string }>> = {
${entries}
};
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = catalogueSource();
  if (process.argv.includes('--check')) {
    if (readFileSync(CATALOGUE_FILE, 'utf8') !== text) {
      console.error('compiler/fake-catalogue.ts is out of date: run npx tsx scripts/gen-fake-catalogue.ts');
      process.exit(1);
    }
  } else writeFileSync(CATALOGUE_FILE, text);
}
