// Types `date` and `datetime` (#14): canonical ISO 8601 text that round-trips through every conversion (days and
// milliseconds for Parquet, zone offsets, leap years) over the whole range of four-digit years; uniform draws
// cover [low, high] evenly; and rows keep their dates through JSONL, CSV and Parquet, the last read back by an
// independent reader (hyparquet) as DATE and TIMESTAMP.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { dateToDays, datetimeToMillis, daysToDate, millisToDatetime, parseDate, parseDatetime } from '../../compiler/plan/dates.js';
import { evaluate } from '../../compiler/plan/eval.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { drawer } from '../../compiler/plan/random.js';
import { sample } from '../../compiler/plan/samplers.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { run } from '../../runtime/run/run-plan.js';
import { mulberry32 } from '../support/prng.js';

const FIRST_DAY = dateToDays('0000-01-01');
const LAST_DAY = dateToDays('9999-12-31');

describe('date and datetime values', () => {
  it('round-trip: text ↔ days ↔ text for every kind of day (seeded, all four-digit years)', () => {
    const rng = mulberry32(1);
    for (let k = 0; k < 20_000; k++) {
      const days = FIRST_DAY + Math.floor(rng() * (LAST_DAY - FIRST_DAY + 1));
      const text = daysToDate(days)!;
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(parseDate(text)).toBe(text);
      expect(dateToDays(text)).toBe(days);
      expect(parseDatetime(text)).toBe(`${text}T00:00:00.000Z`);
    }
    expect(daysToDate(FIRST_DAY - 1)).toBeUndefined();
    expect(daysToDate(LAST_DAY + 1)).toBeUndefined();
  });

  it('round-trip: instants with any zone offset read as the same UTC instant (seeded)', () => {
    const rng = mulberry32(2);
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    for (let k = 0; k < 20_000; k++) {
      const ms = Math.floor(Date.UTC(1, 0, 2) + rng() * (Date.UTC(9999, 11, 30) - Date.UTC(1, 0, 2)));
      const canonical = millisToDatetime(ms)!;
      expect(parseDatetime(canonical)).toBe(canonical);
      expect(datetimeToMillis(canonical)).toBe(ms);
      // the same instant written in another zone
      const offset = (Math.floor(rng() * 28) - 14) * 60 + (rng() < 0.2 ? 30 : 0);
      const local = new Date(ms + offset * 60_000);
      const sign = offset < 0 ? '-' : '+';
      const text = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
      expect(parseDatetime(text), text).toBe(canonical);
    }
  });

  it('refuses what is not a real ISO 8601 day or instant with a zone', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-1-5', '24-01-01', '2024/01/01', '', ' 2024-01-01', '10000-01-01']) expect(parseDate(bad), bad).toBeUndefined();
    for (const bad of ['2024-01-01T10:00:00', '2024-01-01T24:00:00Z', '2024-01-01T10:60Z', '2024-01-01T10:00:00+25:00', 'yesterday', '2024-02-30T00:00:00Z']) expect(parseDatetime(bad), bad).toBeUndefined();
    expect(parseDate('2024-02-29')).toBe('2024-02-29');
    expect(parseDatetime('2024-02-29T23:30:00-01:00')).toBe('2024-03-01T00:30:00.000Z');
  });

  it('date() and datetime() convert, and comparisons order dates like time', () => {
    const call = (fn: string, x: string) => evaluate({ call: fn, args: [{ lit: x }] }, new Map());
    expect(call('date', '2024-03-05T23:30:00-02:00')).toBe('2024-03-06');
    expect(call('datetime', '2024-03-05')).toBe('2024-03-05T00:00:00.000Z');
    expect(() => call('date', 'March 5')).toThrow(/not an ISO 8601 date/);
    const lt = (a: string, b: string) => evaluate({ op: '<', args: [{ lit: a }, { lit: b }] }, new Map());
    const rng = mulberry32(3);
    for (let k = 0; k < 2000; k++) {
      const [a, b] = [Math.floor(rng() * 4e12), Math.floor(rng() * 4e12)];
      expect(lt(millisToDatetime(a)!, millisToDatetime(b)!)).toBe(a < b);
      expect(lt(daysToDate(Math.floor(a / 1e7))!, daysToDate(Math.floor(b / 1e7))!)).toBe(Math.floor(a / 1e7) < Math.floor(b / 1e7));
    }
  });
});

describe('uniform over dates', () => {
  it('draws every day of [low, high] equally often, both ends included', () => {
    const s = { kind: 'date' as const, low: '2024-02-27', high: '2024-03-01' }; // leap day inside
    const counts = new Map<string, number>();
    const n = 8000;
    for (let row = 0; row < n; row++) {
      const v = sample(s, drawer(9, 'd', 'day', row)) as string;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    for (const c of counts.values()) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.025);
  });

  it('draws datetimes in [low, high] with their mean near the middle', () => {
    const s = { kind: 'datetime' as const, low: '2024-01-01T00:00:00.000Z', high: '2024-01-02T00:00:00.000Z' };
    let sum = 0;
    const n = 4000;
    for (let row = 0; row < n; row++) {
      const v = sample(s, drawer(9, 'd', 'at', row)) as string;
      expect(v >= s.low && v <= s.high).toBe(true);
      sum += datetimeToMillis(v) - datetimeToMillis(s.low);
    }
    expect(Math.abs(sum / n / 86_400_000 - 0.5)).toBeLessThan(0.02);
  });
});

const SPEC = (fmt: string) => `goal "dates" { seed 11 }
struct Visit {
  patient: string
  born: date
  arrived: datetime
  discharged: datetime?
  next_visit: date?
}
dataset visits: Visit {
  count 200
  vary born ~ uniform(date("1930-01-01"), date("2020-12-31"))
  vary arrived ~ uniform(datetime("2023-01-01T00:00:00Z"), datetime("2024-12-31T23:59:59.999Z"))
  vary stays ~ bernoulli(0.3)
  vary first_day ~ uniform(date("1999-12-30"), date("2000-01-02"))
  row = { patient: "p" + str(born), born: born, arrived: arrived, discharged: if_else(stays, arrived, datetime("2025-01-01T08:00:00+01:00")), next_visit: if_else(stays, date(arrived), date("2025-02-01")) }
  keep first_day
  check born < date("2020-06-01")
  output "out/visits.${fmt}"
}
`;

async function runSpec(fmt: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-dates-'));
  writeFileSync(path.join(dir, 'v.synth'), SPEC(fmt));
  const res = checkFile(path.join(dir, 'v.synth'));
  expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await run(buildPlan(res).plan, { projectRoot: dir });
  const file = path.join(dir, 'out', `visits.${fmt}`);
  return { file, rows: await readRows(file, fmt as 'jsonl') };
}

describe('dates in outputs', () => {
  it('JSONL, CSV and Parquet hold the same ISO 8601 values; Parquet as DATE and TIMESTAMP that hyparquet reads as those instants', async () => {
    const jsonl = await runSpec('jsonl');
    const csv = await runSpec('csv');
    const parquet = await runSpec('parquet');
    expect(jsonl.rows).toHaveLength(200);
    for (const r of jsonl.rows) {
      expect(r['born']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r['arrived']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect((r['born'] as string) < '2020-06-01').toBe(true);
    }
    expect(jsonl.rows.some((r) => r['discharged'] === '2025-01-01T07:00:00.000Z')).toBe(true);
    // our reader gives back exactly the JSONL values from CSV and from Parquet
    expect(csv.rows).toEqual(jsonl.rows);
    expect(parquet.rows).toEqual(jsonl.rows);
    // an independent reader sees typed columns holding the same instants
    const buf = readFileSync(parquet.file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const schema = Object.fromEntries(parquetMetadata(ab).schema.slice(1).map((e) => [e.name, e]));
    expect(schema['born']).toMatchObject({ type: 'INT32', converted_type: 'DATE' });
    expect(schema['next_visit']).toMatchObject({ type: 'INT32', converted_type: 'DATE' });
    expect(schema['first_day']).toMatchObject({ type: 'INT32', converted_type: 'DATE' });
    expect(schema['arrived']).toMatchObject({ type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } });
    expect(schema['patient']).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    const objects = (await parquetReadObjects({ file: ab })) as Array<Record<string, unknown>>;
    objects.forEach((o, i) => {
      const j = jsonl.rows[i]!;
      expect(o['born']).toBeInstanceOf(Date);
      expect((o['born'] as Date).toISOString().slice(0, 10)).toBe(j['born']);
      expect((o['arrived'] as Date).toISOString()).toBe(j['arrived']);
      expect((o['discharged'] as Date).toISOString()).toBe(j['discharged']);
      expect((o['first_day'] as Date).toISOString().slice(0, 10)).toBe(j['first_day']);
    });
  });
});
