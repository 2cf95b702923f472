// Parquet columns follow the plan's row type, not the values a run happens to write (runtime/dataset/
// parquet-schema.ts): a `float` whose values are whole is DOUBLE, an optional field no row fills still has its
// column, and every run and shard of a spec writes one schema. Property-tested over seeded random row types,
// each run as two shards and as one run with --limit 1; the adversarial pass's instance is a case of its own.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { mulberry32 } from '../support/prng.js';

const read = (file: string) => {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
/** `name:TYPE/LOGICAL` of each leaf column, in order */
const schemaOf = (file: string) =>
  parquetMetadata(read(file))
    .schema.slice(1)
    .map((e) => `${e.name}:${e.type}/${e.logical_type?.type ?? e.converted_type ?? ''}`);

async function runSpec(src: string, o: { shard?: { index: number; count: number }; limit?: number } = {}): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-pq-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  const checked = checkFile(file);
  expect(checked.diagnostics.filter((d) => d.severity === 'error'), src).toEqual([]);
  const s = await run(buildPlan(checked).plan, { projectRoot: dir, ...(o.shard ? { shard: o.shard } : {}), ...(o.limit !== undefined ? { limit: o.limit } : {}) });
  return s.results[0]!.output;
}

/** Field kinds: the declared type, the Parquet column it must be, and an expression making a value. */
const KINDS = [
  { type: 'float', column: 'DOUBLE/', expr: 'w * 1.0' }, // whole values
  { type: 'float', column: 'DOUBLE/', expr: 'u' },
  { type: 'int', column: 'INT64/', expr: 'n' },
  { type: 'bool', column: 'BOOLEAN/', expr: 'n > 5' },
  { type: 'string', column: 'BYTE_ARRAY/UTF8', expr: 's' },
  { type: 'date', column: 'INT32/DATE', expr: 'day' },
  { type: 'int[]', column: 'BYTE_ARRAY/JSON', expr: '[n, n]' },
];

describe('Parquet schema from the plan', () => {
  it('the adversarial instance: a float with whole values is DOUBLE, an omitted optional int still has its INT64 column', async () => {
    const out = await runSpec(`struct R { x: float  o: int? }
dataset d: R {
  count 4
  vary v ~ one_of(1.0, 2.0)
  row = { x: v * 1.0 }
  output "out/d.parquet"
}
`);
    expect(schemaOf(out)).toEqual(['x:DOUBLE/', 'o:INT64/']);
    const rows = (await parquetReadObjects({ file: read(out) })) as Array<{ x: number; o: unknown }>;
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => (r.x === 1 || r.x === 2) && r.o === null)).toBe(true);
  });

  it('40 seeded row types: both shards and a one-row run write the declared schema', async () => {
    const rng = mulberry32(1411);
    for (let k = 0; k < 40; k++) {
      const n = 1 + Math.floor(rng() * 4);
      const fields = Array.from({ length: n }, (_, i) => ({ name: `f${i}`, ...KINDS[Math.floor(rng() * KINDS.length)]!, optional: rng() < 0.4, omitted: rng() < 0.5 }));
      const keepN = rng() < 0.5;
      const src = `struct R { ${fields.map((f) => `${f.name}: ${f.type}${f.optional ? '?' : ''}`).join('  ')} }
dataset d: R {
  count ${3 + Math.floor(rng() * 4)}
  vary w ~ one_of(1.0, 2.0, 3.0)
  vary u ~ uniform(0.0, 1.0)
  vary n ~ randint(1, 9)
  vary s ~ one_of("a", "b")
  vary day ~ uniform(date("2024-01-01"), date("2024-12-31"))
  row = { ${fields.filter((f) => !(f.optional && f.omitted)).map((f) => `${f.name}: ${f.expr}`).join(', ')} }${keepN ? '\n  keep n' : ''}
  output "out/d.parquet"
}
`;
      const want = [...fields.map((f) => `${f.name}:${f.column}`), ...(keepN ? ['n:INT64/'] : [])];
      const shards = [await runSpec(src, { shard: { index: 0, count: 2 } }), await runSpec(src, { shard: { index: 1, count: 2 } }), await runSpec(src, { limit: 1 })];
      for (const out of shards) expect(schemaOf(out), src).toEqual(want);
    }
  }, 240_000);
});
