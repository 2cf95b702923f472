// Dates a model writes (#14): a prompt returning `date` and `datetime` fields asks for ISO 8601 (JSON Schema
// `format`), and whatever zone or precision the answer has, the row holds the canonical form, so equal instants
// are equal text and a Parquet output types the columns DATE and TIMESTAMP.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { canonicalDates } from '../../compiler/plan/dates.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { run } from '../../runtime/run/run-plan.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const KEY = 'sk-test-dates-99';

describe('dates from a model', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ latencyMs: 1, deterministic: true, apiKey: KEY });
  });
  afterAll(async () => {
    await server.close();
  });

  it('are asked for as ISO 8601 and written canonically (JSONL and Parquet)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-llm-dates-'));
    const src = (fmt: string) => `goal "g" { seed 3 }
struct Visit { reason: string, day: date, at: datetime, followup: datetime? }
model m { name "gpt-test"  base_url env("TEST_BASE_URL")  api_key env("TEST_API_KEY")  retries 2 }
prompt visit(n: int) -> Visit { model m  user "Visit {n}." }
dataset visits: Visit {
  count 30
  vary n ~ randint(1, 1_000_000)
  row = visit(n)
  check row.at > datetime("2000-01-01T00:00:00Z")
  output "out/visits.${fmt}"
}
`;
    for (const fmt of ['jsonl', 'parquet']) {
      writeFileSync(path.join(dir, `v-${fmt}.synth`), src(fmt));
      const plan = buildPlan(checkFile(path.join(dir, `v-${fmt}.synth`))).plan;
      expect((plan.prompts['visit']!.returns.schema as { properties: Record<string, unknown> }).properties['day']).toEqual({ type: 'string', format: 'date' });
      await run(plan, { projectRoot: dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: KEY } });
    }
    const rows = await readRows(path.join(dir, 'out', 'visits.jsonl'), 'jsonl');
    expect(rows).toHaveLength(30);
    for (const r of rows) {
      expect(r['day']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r['at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    }
    expect(await readRows(path.join(dir, 'out', 'visits.parquet'), 'parquet')).toEqual(rows);
    const buf = readFileSync(path.join(dir, 'out', 'visits.parquet'));
    const schema = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)).schema;
    expect(schema.find((e) => e.name === 'day')).toMatchObject({ converted_type: 'DATE' });
    expect(schema.find((e) => e.name === 'followup')).toMatchObject({ converted_type: 'TIMESTAMP_MILLIS' });
  });

  it('canonicalDates follows the schema through optionals, lists and nested records', () => {
    const schema = {
      type: 'object',
      properties: {
        d: { type: ['string', 'null'], format: 'date' },
        xs: { type: 'array', items: { type: 'string', format: 'date-time' } },
        inner: { anyOf: [{ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } }, { type: 'null' }] },
        text: { type: 'string' },
      },
    };
    expect(canonicalDates(schema, { d: '2024-03-05', xs: ['2024-03-05T10:00:00+02:00', '2024-03-05T08:00Z'], inner: { at: '2024-12-31T23:30:00-01:00' }, text: '2024-03-05T10:00:00+02:00' })).toEqual({
      d: '2024-03-05',
      xs: ['2024-03-05T08:00:00.000Z', '2024-03-05T08:00:00.000Z'],
      inner: { at: '2025-01-01T00:30:00.000Z' },
      text: '2024-03-05T10:00:00+02:00',
    });
    expect(canonicalDates(schema, { d: null, xs: [], inner: null })).toEqual({ d: null, xs: [], inner: null });
  });
});
