// The `fake` sampler (#14): the catalogue matches the installed faker, every method draws a value of the type the
// checker gives it, a draw is a pure function of its coordinates (any order, any run, any shard), locales are
// checked with "did you mean", and a plan made for another faker version is refused rather than mixed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { fakeLocale, fakeResultType } from '../../compiler/check/fake.js';
import { FAKE_LOCALES, FAKE_METHODS, FAKER_VERSION } from '../../compiler/fake-catalogue.js';
import { FAKE_REF_DATE } from '../../compiler/fake-types.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { drawer } from '../../compiler/plan/random.js';
import { sample } from '../../compiler/plan/samplers.js';
import type { DatasetStage, Sampler } from '../../compiler/plan/schema.js';
import { show, type Ty } from '../../compiler/types.js';
import { loadFakers } from '../../runtime/dataset/fakers.js';
import { mergeShards } from '../../runtime/merge.js';
import { run } from '../../runtime/run/run-plan.js';
import { CATALOGUE_FILE, catalogueSource } from '../../scripts/gen-fake-catalogue.js';
import { mulberry32 } from '../support/prng.js';

const fakeSampler = (method: string, locale = 'en'): Extract<Sampler, { kind: 'fake' }> => ({ kind: 'fake', method, locale, library: `@faker-js/faker ${FAKER_VERSION}`, refDate: FAKE_REF_DATE });

/** A dataset stage with one fake `vary` per locale given, enough for loadFakers. */
function stageWith(samplers: Sampler[]): DatasetStage {
  return { name: 't', vary: samplers.map((s, i) => ({ name: `v${i}`, mode: 'sample', sampler: s })) } as unknown as DatasetStage;
}

/** Does value `v` have Synth type `t` as the runtime represents it? */
function hasType(v: unknown, t: Ty): boolean {
  switch (t.k) {
    case 'string':
      return typeof v === 'string';
    case 'int':
      return Number.isSafeInteger(v);
    case 'float':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'datetime':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v);
    case 'array':
      return Array.isArray(v) && v.every((x) => hasType(x, t.elem));
    case 'record':
      return !!v && typeof v === 'object' && [...t.fields].every(([k, ft]) => hasType((v as Record<string, unknown>)[k], ft)) && Object.keys(v).length === t.fields.size;
    default:
      return false;
  }
}

describe('fake: the catalogue', () => {
  it('is what the installed faker gives (run `npx tsx scripts/gen-fake-catalogue.ts` after upgrading faker)', () => {
    expect(readFileSync(CATALOGUE_FILE, 'utf8')).toBe(catalogueSource());
  });

  it('covers the usual needs: names, emails, addresses, phones, companies, ids, dates', () => {
    for (const m of ['person.fullName', 'person.firstName', 'internet.email', 'location.streetAddress', 'location.city', 'phone.number', 'company.name', 'string.uuid', 'date.birthdate', 'commerce.productName']) {
      expect(FAKE_METHODS[m], m).toBeDefined();
    }
    expect(FAKE_LOCALES).toContain('de');
    expect(FAKE_LOCALES).toContain('en_US');
  });

  it('every method draws values of the type the checker gives it, in several locales (seeded coordinates)', async () => {
    const rng = mulberry32(14);
    const locales = ['en', 'de', 'ja', 'pt_BR', 'fr_CH'];
    const fakers = (await loadFakers(stageWith(locales.map((l) => fakeSampler('person.fullName', l)))))!;
    for (const [method, entry] of Object.entries(FAKE_METHODS)) {
      const t = fakeResultType(entry.type);
      for (let k = 0; k < 6; k++) {
        const locale = locales[Math.floor(rng() * locales.length)]!;
        const row = Math.floor(rng() * 1e9);
        const v = sample(fakeSampler(method, locale), drawer(7, 'd', 'x', row), { fakers });
        expect(hasType(v, t), `${method} in ${locale}, row ${row}: ${JSON.stringify(v)} is not ${show(t)}`).toBe(true);
      }
    }
  });
});

describe('fake: draws', () => {
  it('are a pure function of (seed, dataset, variable, row): any order of draws gives the same values', async () => {
    const fakers = (await loadFakers(stageWith([fakeSampler('person.fullName'), fakeSampler('location.city', 'de')])))!;
    const rng = mulberry32(99);
    const rows = Array.from({ length: 300 }, () => Math.floor(rng() * 1e12));
    const draw = (row: number, method: string, locale: string) => sample(fakeSampler(method, locale), drawer(42, 'people', method, row), { fakers });
    const inOrder = rows.map((r) => [draw(r, 'person.fullName', 'en'), draw(r, 'location.city', 'de')]);
    // shuffled, and with other draws (another seed) interleaved: faker's own state must not leak between draws
    const order = rows.map((_, i) => i).sort(() => rng() - 0.5);
    const shuffled: unknown[][] = [];
    for (const i of order) {
      sample(fakeSampler('lorem.sentence'), drawer(1, 'x', 'y', i), { fakers });
      shuffled[i] = [draw(rows[i]!, 'person.fullName', 'en'), draw(rows[i]!, 'location.city', 'de')];
    }
    expect(shuffled).toEqual(inOrder);
    // and they vary: 300 rows give many different names
    expect(new Set(inOrder.map((x) => x[0])).size).toBeGreaterThan(250);
  });

  it('take relative dates around the plan\'s fixed reference date, not the clock', async () => {
    const fakers = (await loadFakers(stageWith([fakeSampler('date.past')])))!;
    for (let row = 0; row < 200; row++) {
      const v = sample(fakeSampler('date.past'), drawer(3, 'd', 'p', row), { fakers }) as string;
      expect(v < FAKE_REF_DATE && v > '2023-12-31').toBe(true);
    }
  });

  it('differ by locale', async () => {
    const fakers = (await loadFakers(stageWith([fakeSampler('person.lastName', 'en'), fakeSampler('person.lastName', 'ja')])))!;
    const en = Array.from({ length: 50 }, (_, r) => sample(fakeSampler('person.lastName', 'en'), drawer(1, 'd', 'n', r), { fakers }));
    const ja = Array.from({ length: 50 }, (_, r) => sample(fakeSampler('person.lastName', 'ja'), drawer(1, 'd', 'n', r), { fakers }));
    expect(ja.filter((x) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(String(x))).length).toBeGreaterThan(40);
    expect(en.filter((x) => /^[A-Za-z' -]+$/.test(String(x))).length).toBeGreaterThan(45);
  });

  it('accepts locales as users write them (de-AT, en-us) and names faker\'s code', () => {
    expect(fakeLocale('de-AT')).toBe('de_AT');
    expect(fakeLocale('en-us')).toBe('en_US');
    expect(fakeLocale('DE')).toBe('de');
    expect(fakeLocale('xx')).toBeUndefined();
  });
});

const SPEC = (fmt: string) => `goal "fake people" { seed 5 }
enum Tier { basic, premium }
struct Person {
  name: string
  email: string
  city: string
  born: date
  joined: datetime
  tier: Tier
}
dataset people: Person {
  count 120
  vary tier ~ weighted { basic: 0.7, premium: 0.3 }
  vary name ~ fake("person.fullName", locale: "de")
  vary email ~ fake("internet.email")
  vary city ~ fake("location.city", locale: "fr")
  vary born ~ uniform(date("1940-01-01"), date("2006-12-31"))
  vary joined ~ uniform(datetime("2020-01-01T00:00:00Z"), datetime("2024-12-31T23:59:59Z"))
  vary seen ~ fake("date.recent")
  row = { name: name, email: email, city: city, born: born, joined: joined, tier: tier }
  keep seen
  unique row.email
  output "out/people.${fmt}"
}
`;

function project(fmt: string): { dir: string; spec: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-fake-'));
  const spec = path.join(dir, 'people.synth');
  writeFileSync(spec, SPEC(fmt));
  return { dir, spec };
}

function planOf(spec: string) {
  const res = checkFile(spec);
  expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return buildPlan(res).plan;
}

describe('fake and date draws through runs', () => {
  for (const fmt of ['jsonl', 'csv', 'parquet']) {
    it(`two runs are byte-identical, and --shard 0/3 … 2/3 then merge equals one run (${fmt})`, async () => {
      const a = project(fmt);
      const b = project(fmt);
      await run(planOf(a.spec), { projectRoot: a.dir });
      await run(planOf(b.spec), { projectRoot: b.dir });
      const whole = readFileSync(path.join(a.dir, 'out', `people.${fmt}`));
      expect(readFileSync(path.join(b.dir, 'out', `people.${fmt}`)).equals(whole)).toBe(true);
      const plan = planOf(a.spec);
      const dirs: string[] = [];
      for (let i = 0; i < 3; i++) {
        dirs.push(path.join(a.dir, `shard${i}`));
        await run(plan, { projectRoot: a.dir, outDir: dirs[i], shard: { index: i, count: 3 } });
      }
      const [merged] = await mergeShards(dirs, path.join(a.dir, 'merged'));
      expect(readFileSync(merged!.output).equals(whole)).toBe(true);
    });
  }

  it('a run stopped part-way and resumed gives the bytes of one run (fake, dates; Parquet)', async () => {
    const a = project('parquet');
    const b = project('parquet');
    await run(planOf(a.spec), { projectRoot: a.dir });
    const plan = planOf(b.spec);
    // stopped after the 37th decided row (shouldStop is asked once per decision; progress is reported at most
    // every 100 ms, so it cannot time a stop)
    let decided = 0;
    const first = await run(plan, { projectRoot: b.dir, shouldStop: () => (++decided >= 37 ? 'test stop' : undefined) });
    expect(first.stopped).toBe('test stop');
    await run(plan, { projectRoot: b.dir });
    expect(readFileSync(path.join(b.dir, 'out', 'people.parquet')).equals(readFileSync(path.join(a.dir, 'out', 'people.parquet')))).toBe(true);
  });

  it('records faker\'s version in the plan, and refuses to run a plan made for another one (SYN5012, SYN5014)', async () => {
    const { dir, spec } = project('jsonl');
    const plan = planOf(spec);
    const ds = plan.datasets['people']!;
    const s = ds.vary.find((v) => v.name === 'name')!.sampler;
    expect(s).toEqual({ kind: 'fake', method: 'person.fullName', locale: 'de', library: `@faker-js/faker ${FAKER_VERSION}`, refDate: FAKE_REF_DATE });
    (s as { library: string }).library = '@faker-js/faker 9.0.0';
    await expect(run(plan, { projectRoot: dir })).rejects.toThrow(/faker 9\.0\.0.*rebuild/);
    // a hand-edited plan naming a method outside the catalogue (one that needs arguments) is refused too
    Object.assign(s, { library: `@faker-js/faker ${FAKER_VERSION}`, method: 'helpers.arrayElement' });
    await expect(run(plan, { projectRoot: dir })).rejects.toThrow(/helpers\.arrayElement.*not in the catalogue/);
  });
});

describe('fake: checking', () => {
  const check = (body: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-fake-check-'));
    const f = path.join(dir, 's.synth');
    writeFileSync(f, `dataset d {\n  count 3\n${body}\n  row = { x: 1 }\n  output "out/d.jsonl"\n}\n`);
    return { text: readFileSync(f, 'utf8'), diagnostics: checkFile(f).diagnostics };
  };

  it('a misspelt method path gets a "did you mean" with a fix that keeps the quotes', () => {
    const { text, diagnostics } = check('  vary n ~ fake("person.fulName")');
    const d = diagnostics.find((x) => x.code === 'SYN1001')!;
    expect(d.message).toBe("unknown faker method 'person.fulName' — did you mean 'person.fullName'?");
    expect(text.slice(d.span.start, d.span.end)).toBe('"person.fulName"');
    const edit = d.fix!.edits[0]!;
    expect(text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end)).toContain('fake("person.fullName")');
  });

  it('misspelt paths across the catalogue are caught and point at the intended method (seeded typos)', () => {
    const rng = mulberry32(2024);
    const methods = Object.keys(FAKE_METHODS).filter((m) => m.length > 12);
    let pointed = 0;
    const n = 40;
    for (let k = 0; k < n; k++) {
      const m = methods[Math.floor(rng() * methods.length)]!;
      const at = 1 + Math.floor(rng() * (m.length - 2));
      const typo = m.slice(0, at) + m.slice(at + 1); // drop one character
      if (FAKE_METHODS[typo]) continue;
      const d = check(`  vary n ~ fake("${typo}")`).diagnostics.find((x) => x.code === 'SYN1001');
      expect(d, typo).toBeDefined();
      if (d!.message.endsWith(`did you mean '${m}'?`)) pointed++;
    }
    expect(pointed).toBeGreaterThan(n * 0.8);
  });

  it('an unknown locale gets a "did you mean"; other named arguments are SYN2040', () => {
    expect(check('  vary n ~ fake("person.fullName", locale: "de_DE")').diagnostics.map((d) => d.message)).toEqual(["unknown faker locale 'de_DE' — did you mean 'de_AT'?"]);
    const d = check('  vary n ~ fake("person.fullName", locael: "de")').diagnostics;
    expect(d.map((x) => [x.code, x.message])).toEqual([['SYN2040', "fake(…) takes no argument named 'locael' — did you mean 'locale'?"]]);
  });

  it('names inherited from Object are unknown methods and locales, never looked up (hostile paths)', () => {
    for (const p of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'person.__proto__', 'person.constructor', '__proto__.fullName']) {
      const d = check(`  vary n ~ fake("${p}")`).diagnostics;
      expect(d.map((x) => x.code), p).toEqual(['SYN1001']);
    }
    expect(check('  vary n ~ fake("person.fullName", locale: "__proto__")').diagnostics.map((x) => x.code)).toEqual(['SYN1001']);
  });

  it('the variable has the method\'s type: a datetime, a record, a list of numbers', () => {
    const { diagnostics } = check('  vary a ~ fake("date.past")\n  vary b ~ fake("airline.airport")\n  vary c ~ fake("color.cmyk")\n  check a > datetime("2020-01-01T00:00:00Z") && len(b.iataCode) == 3 && len(c) == 4\n  check b.name == 1');
    expect(diagnostics.map((d) => d.message)).toEqual(['cannot compare string with int']);
  });
});
