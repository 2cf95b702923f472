// Tables as sources: `source people: Person = table("…")` read from CSV, JSONL and Parquet, every row checked
// against the struct. A bad row is a diagnostic naming the file, the line and the row (through `synth check` and
// `synth run`, like a spec error, and nothing is run); seeded random tables read back to the same typed rows in
// all three formats; one bad cell anywhere is reported at its row; paths stay in the project.
import { mkdtempSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import type { Value } from '../../compiler/plan/eval.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { TableSourceStage } from '../../compiler/plan/schema.js';
import { csvCell } from '../../runtime/dataset/csv.js';
import { readTable } from '../../runtime/sources/table.js';
import { writeParquetFromJsonl } from '../../runtime/dataset/parquet.js';
import { synth } from '../support/cli.js';
import { mulberry32 } from '../support/prng.js';

const STRUCT = `enum Tier { free, pro, enterprise }
struct Person {
  id: int         @unique
  name: string    @len(1..60)
  age: int        @range(0..130)
  score: float
  active: bool
  tier: Tier
  nickname: string?
  tags: string[]  @items(0..4)
}`;

function project(files: Record<string, string | Uint8Array>, table = 'seed/people.csv'): { dir: string; spec: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-table-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  const spec = path.join(dir, 'spec.synth');
  writeFileSync(
    spec,
    `${STRUCT}
source people: Person = table("${table}")
dataset greetings {
  for p in people
  row = { text: "Hello " + p.name, tier: p.tier }
  output "out/greetings.jsonl"
}
`,
  );
  return { dir, spec };
}

async function read(dir: string, spec: string) {
  const plan = buildPlan(checkFile(spec)).plan;
  return readTable(dir, plan.sources['people'] as TableSourceStage);
}

const HEADER = 'id,name,age,score,active,tier,nickname,tags';

describe('a seed table with a bad row', () => {
  const csv = [HEADER, '1,Ada,36,0.5,true,pro,,"[""math""]"', '2,Grace,85,1.5,false,free,Amazing Grace,[]', '3,Alan,abc,2,true,enterprise,,[]', '4,Edsger,72,3,true,pro,,[]'].join('\n') + '\n';

  it('synth check names the file, the line and the row, with the line shown', () => {
    const { spec } = project({ 'seed/people.csv': csv });
    const r = synth(['check', spec]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/seed[\\/]people\.csv:4:8: error SYN5050: row 3 of table 'people': column 'age' must be an int, found "abc"/);
    expect(r.stderr).toContain('4 | 3,Alan,abc,2,true,enterprise,,[]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('synth run reports it the same way and runs nothing', () => {
    const { dir, spec } = project({ 'seed/people.csv': csv });
    const r = synth(['run', spec]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/people\.csv:4:8: error SYN5050: row 3 of table 'people'/);
    expect(r.stderr).toMatch(/nothing was run/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('a clean table runs: one row per table row', () => {
    const { dir, spec } = project({ 'seed/people.csv': csv.replace('abc', '41') });
    const r = synth(['run', spec]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'out'))).toContain('greetings.jsonl');
  });

  it('reports every problem: missing and unknown columns, types, constraints, repeated @unique values', async () => {
    const bad = ['id,name,age,score,active,tier,nick,tags', '1,Ada,36,0.5,yes,pro,,[]', '1,,200,x,true,gold,,"[1,2]"'].join('\n') + '\n';
    const { dir, spec } = project({ 'seed/people.csv': bad });
    const t = await read(dir, spec);
    const msgs = t.problems.map((d) => `${d.code} ${d.message}`);
    expect(msgs).toContain("SYN5052 table 'people' has column 'nick', which Person does not declare — did you mean 'nickname'?");
    // at the header's 'nick' cell, not at 1:1
    const nick = t.problems.find((d) => d.code === 'SYN5052')!;
    expect(bad.slice(nick.span.start, nick.span.end)).toBe('nick');
    expect(msgs).toContain("SYN5050 row 1 of table 'people': column 'active' must be a bool (true or false), found \"yes\"");
    expect(msgs).toContain("SYN5050 row 2 of table 'people': column 'name' must be text of 1 to 60 characters, found 0 characters");
    expect(msgs).toContain("SYN5050 row 2 of table 'people': column 'age' must be an int in 0..130, found 200");
    expect(msgs).toContain("SYN5050 row 2 of table 'people': column 'score' must be a float, found \"x\"");
    expect(msgs).toContain('SYN5050 row 2 of table \'people\': column \'tier\' must be one of "free", "pro", "enterprise", found "gold"');
    expect(msgs.some((m) => m.startsWith("SYN5050 row 2 of table 'people': column 'tags' must be a list (as JSON) that fits"))).toBe(true);
    expect(t.rows).toEqual([]); // a table with problems gives no rows
    const dup = [HEADER, '7,Ada,36,0.5,true,pro,,[]', '8,Bob,36,0.5,true,pro,,[]', '7,Cy,36,0.5,true,pro,,[]'].join('\n') + '\n';
    const p2 = project({ 'seed/people.csv': dup });
    const t2 = await read(p2.dir, p2.spec);
    expect(t2.problems.map((d) => d.message)).toEqual(["row 3 of table 'people' repeats id 7 of row 1, but Person.id is @unique"]);
    const missing = project({ 'seed/people.csv': 'id,name\n1,Ada\n' });
    const t3 = await read(missing.dir, missing.spec);
    expect(t3.problems.map((d) => d.message)).toEqual(['age', 'score', 'active', 'tier', 'tags'].map((c) => `table 'people' has no column '${c}', which Person needs`)); // not nickname: optional
  });

  it('JSONL: the line of the bad row; Parquet: its row number', async () => {
    const ok = { id: 1, name: 'Ada', age: 36, score: 0.5, active: true, tier: 'pro', nickname: null, tags: [] };
    const jsonl = [ok, { ...ok, id: 2 }, { ...ok, id: 3, age: 'old' }].map((r) => JSON.stringify(r)).join('\n') + '\n';
    const j = project({ 'seed/people.jsonl': jsonl }, 'seed/people.jsonl');
    const r = synth(['check', j.spec]);
    expect(r.stderr).toMatch(/people\.jsonl:3:22: error SYN5050: row 3 of table 'people': column 'age' must be an int, found "old"/);
    const notObject = project({ 'seed/people.jsonl': `${JSON.stringify(ok)}\n\n[1, 2]\n` }, 'seed/people.jsonl');
    expect(synth(['check', notObject.spec]).stderr).toMatch(/people\.jsonl:3:1: error SYN5054: .*line 3 is not a JSON object\n  3 \| \[1, 2\]/);
    const rows = [ok, { ...ok, id: 2, age: -4 }];
    const pq = parquet(rows);
    const p = project({ 'seed/people.parquet': pq }, 'seed/people.parquet');
    const t = await read(p.dir, p.spec);
    expect(t.problems.map((d) => d.message)).toEqual(["row 2 of table 'people': column 'age' must be an int in 0..130, found -4"]);
    const c = synth(['check', p.spec]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/people\.parquet: error SYN5050: row 2/); // a binary file: no line or column
  });

  it('an unreadable table is SYN5054 with the reason; a path outside the project is SYN4002', async () => {
    // a problem on a line is shown at that line of the table, with the line
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /SYN5054: cannot read table 'people' \(.*people\.csv\): no such file/],
      [{ 'seed/people.csv': '' }, /the file is empty/],
      [{ 'seed/people.csv': HEADER + '\n1,"Ada,36\n' }, /people\.csv:2:1: error SYN5054: .*the quoted cell starting on line 2 is never closed\n  2 \| 1,"Ada,36/],
      [{ 'seed/people.csv': HEADER + '\n1,Ada\n' }, /people\.csv:2:1: error SYN5054: .*the record at line 2 has 2 cells, the header 8\n  2 \| 1,Ada/],
    ];
    for (const [files, re] of cases) {
      const { spec } = project(files);
      const r = synth(['check', spec]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(re);
    }
    const out = project({}, '../people.csv');
    expect(synth(['check', out.spec]).stderr).toMatch(/SYN4002: path '..\/people.csv' resolves outside the project folder/);
    const link = project({});
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'synth-elsewhere-'));
    writeFileSync(path.join(elsewhere, 'people.csv'), HEADER + '\n');
    mkdirSync(path.join(link.dir, 'seed'), { recursive: true });
    symlinkSync(path.join(elsewhere, 'people.csv'), path.join(link.dir, 'seed', 'people.csv'));
    // Shown at the spec's table("…"), never with the outside file's text (that file is none of the project's).
    for (const cmd of [['check', link.spec], ['run', link.spec]]) {
      const r = synth(cmd);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/spec\.synth:\d+:\d+: error SYN4002: path 'seed\/people.csv' resolves outside/);
      expect(r.stderr).toContain('table("seed/people.csv")');
      expect(r.stderr).not.toContain(HEADER);
    }
  });

  it('a column named __proto__ is a column: its values reach the rows (never the prototype)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-proto-'));
    writeFileSync(path.join(dir, 't.csv'), 'id,__proto__\n1,"{""polluted"":true}"\n2,plain\n');
    writeFileSync(path.join(dir, 'spec.synth'), 'struct T { id: int  __proto__: string }\nsource t: T = table("t.csv")\n');
    const plan = buildPlan(checkFile(path.join(dir, 'spec.synth'))).plan;
    const t = await readTable(dir, plan.sources['t'] as TableSourceStage);
    expect(t.problems).toEqual([]);
    expect(t.rows.map((r) => JSON.stringify(r))).toEqual(['{"id":1,"__proto__":"{\\"polluted\\":true}"}', '{"id":2,"__proto__":"plain"}']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('hostile cells are data: control characters are escaped in messages, text reaches rows verbatim', async () => {
    const evil = '\u001b[31mred\u001b[0m {name} "quoted", \u202eevil';
    const csv = [HEADER, `1,${csvCell(evil)},36,0.5,true,pro,,[]`, `2,x,${csvCell('\u001b[2J')},0.5,true,pro,,[]`].join('\n') + '\n';
    const { dir, spec } = project({ 'seed/people.csv': csv });
    const r = synth(['check', spec]);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain('\\u001b[2J');
    const fixed = project({ 'seed/people.csv': csv.replace(csvCell('\u001b[2J'), '9') });
    const run = synth(['run', fixed.spec]);
    expect(run.code, run.stderr).toBe(0);
    void dir;
    const out = readdirSync(path.join(fixed.dir, 'out'));
    expect(out).toContain('greetings.jsonl');
  });
});

/** Parquet bytes of rows shaped like Person (ints as INT64, lists as JSON). */
function parquet(rows: Array<Record<string, Value>>): Uint8Array {
  const cols: Array<[string, string]> = [['id', 'INT64'], ['name', 'STRING'], ['age', 'INT64'], ['score', 'DOUBLE'], ['active', 'BOOLEAN'], ['tier', 'STRING'], ['nickname', 'STRING'], ['tags', 'JSON']];
  const columnData = cols.map(([name, type]) => ({ name, type, data: rows.map((r) => (type === 'INT64' && r[name] !== null ? BigInt(r[name] as number) : r[name])) }));
  return new Uint8Array(parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0]));
}

// Seeded random tables: values with commas, quotes, line breaks, braces, unicode; optional nulls; lists.
function randomRows(seed: number, n: number): Array<Record<string, Value>> {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const word = () => pick(['Ada', 'Grace', 'O\'Brien', 'x, y', 'say "hi"', 'two\nlines', '{brace}', 'Zoë', '東京', ' padded ', 'a\r\nb', '💡']);
  return Array.from({ length: n }, (_, i) => ({
    id: i * 7 + 1,
    name: word() + (rand() < 0.5 ? ' ' + word() : ''),
    age: Math.floor(rand() * 131),
    score: Math.round((rand() - 0.5) * 1e6) / 1000,
    active: rand() < 0.5,
    tier: pick(['free', 'pro', 'enterprise']),
    nickname: rand() < 0.3 ? null : word(),
    tags: Array.from({ length: Math.floor(rand() * 5) }, word),
  }));
}

function csvOf(rows: Array<Record<string, Value>>): string {
  return [HEADER, ...rows.map((r) => HEADER.split(',').map((c) => csvCell(r[c] ?? null)).join(','))].join('\r\n') + '\r\n';
}

describe('random tables read back as the rows written (CSV, JSONL, Parquet)', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}`, async () => {
      const rows = randomRows(seed, 300);
      const files = {
        'seed/people.csv': csvOf(rows),
        'seed/people.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
        'seed/people.parquet': parquet(rows),
      };
      for (const f of Object.keys(files)) {
        const { dir, spec } = project(files, f);
        const t = await read(dir, spec);
        expect(t.problems, f).toEqual([]);
        // CSV has no null string: an empty optional cell is absent, which is what the rows hold for null
        expect(t.rows, f).toEqual(rows);
        expect(new Set(t.keys).size, f).toBe(rows.length);
      }
      // one bad cell at a random row and column is reported at that row (and only it), pointing at that cell
      const rand = mulberry32(seed * 31);
      const at = Math.floor(rand() * rows.length);
      const column = (['age', 'score', 'active', 'tier'] as const)[Math.floor(rand() * 4)]!;
      const value = ['n/a', 'x, "y"', 'two\nlines', '{,}'][Math.floor(rand() * 4)]!;
      const bad = rows.map((r, i) => (i === at ? { ...r, [column]: value as Value } : r));
      const word = { age: 'an int', score: 'a float', active: 'a bool (true or false)', tier: 'one of "free", "pro", "enterprise"' }[column];
      for (const [f, text, cell] of [
        ['seed/people.csv', csvOf(bad), csvCell(value)],
        ['seed/people.jsonl', bad.map((r) => JSON.stringify(r)).join('\n') + '\n', `"${column}":${JSON.stringify(value)}`],
      ] as const) {
        const { dir, spec } = project({ [f]: text }, f);
        const t = await read(dir, spec);
        expect(t.problems.map((d) => d.message), f).toEqual([`row ${at + 1} of table 'people': column '${column}' must be ${word}, found ${JSON.stringify(value)}`]);
        expect(text.slice(t.problems[0]!.span.start, t.problems[0]!.span.end), `${f}: the span is the bad cell`).toBe(cell);
      }
    });
  }

  it('row keys follow content, not position: a row inserted before others leaves their keys as they were', async () => {
    const rows = randomRows(9, 50);
    const a = project({ 'seed/people.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') + '\n' }, 'seed/people.jsonl');
    const b = project({ 'seed/people.jsonl': [{ ...rows[0]!, id: 99_999 }, ...rows].map((r) => JSON.stringify(r)).join('\n') + '\n' }, 'seed/people.jsonl');
    const ka = (await read(a.dir, a.spec)).keys;
    const kb = (await read(b.dir, b.spec)).keys;
    expect(kb.slice(1)).toEqual(ka);
  });

  // Dates are canonical ISO text at run time (compiler/plan/dates.ts): a table's are checked and made canonical
  // the same way, from CSV and JSONL text and from Parquet DATE/TIMESTAMP columns.
  it('date and datetime columns: real days only, a zone required, canonical in every format', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-dates-'));
    const spec = (file: string) => {
      const f = path.join(dir, `s-${path.basename(file).replace('.', '-')}.synth`);
      writeFileSync(f, `struct E {\n  name: string\n  day: date\n  at: datetime\n  end: date?\n}\nsource t: E = table("${file}")\ndataset d: E {\n  for e in t\n  row = e\n  output "out/d.jsonl"\n}\n`);
      return f;
    };
    const readT = async (file: string) => readTable(dir, buildPlan(checkFile(spec(file))).plan.sources['t'] as TableSourceStage);
    const want = [
      { name: 'a', day: '2024-02-29', at: '2024-03-05T08:30:00.000Z', end: null },
      { name: 'b', day: '2023-12-31', at: '2024-01-01T00:00:00.000Z', end: '2024-01-02' },
    ];
    writeFileSync(path.join(dir, 'ok.csv'), 'name,day,at,end\na,2024-02-29,2024-03-05T10:30:00+02:00,\nb,2023-12-31,2024-01-01T00:00Z,2024-01-02\n');
    writeFileSync(path.join(dir, 'ok.jsonl'), '{"name":"a","day":"2024-02-29","at":"2024-03-05T08:30:00.000Z","end":null}\n{"name":"b","day":"2023-12-31","at":"2024-01-01T00:00:00Z","end":"2024-01-02"}\n');
    // DATE (days) and TIMESTAMP (milliseconds, UTC) columns, as the Parquet sink writes them
    await writeParquetFromJsonl(path.join(dir, 'ok.jsonl'), path.join(dir, 'ok.parquet'), { day: 'date', at: 'datetime', end: 'date' });
    for (const f of ['ok.csv', 'ok.jsonl', 'ok.parquet']) {
      const t = await readT(f);
      expect(t.problems, f).toEqual([]);
      expect(t.rows, f).toEqual(want);
    }
    writeFileSync(path.join(dir, 'bad.csv'), 'name,day,at,end\na,2023-02-29,2024-01-01T00:00:00Z,\nb,2024-01-01,2024-01-01T10:00:00,\nc,2024-01-01,yesterday,01/02/2024\nd,2024-01-01,2024-01-01,\ne,2024-01-01,2024-01-01T10:00:00.1234Z,\nf,2024-01-01,2024-01-01T10:00:00.123000Z,\n');
    expect((await readT('bad.csv')).problems.map((d) => d.message)).toEqual([
      `row 1 of table 't': column 'day' must be a date (YYYY-MM-DD), found "2023-02-29"`,
      `row 2 of table 't': column 'at' must be a datetime (ISO 8601 with a zone, e.g. 2024-03-05T09:30:00Z), found "2024-01-01T10:00:00"`,
      `row 3 of table 't': column 'at' must be a datetime (ISO 8601 with a zone, e.g. 2024-03-05T09:30:00Z), found "yesterday"`,
      `row 3 of table 't': column 'end' must be a date (YYYY-MM-DD), found "01/02/2024"`,
      // a bare date is no datetime (midnight UTC would be a guess); digits past the millisecond would be cut
      `row 4 of table 't': column 'at' must be a datetime (ISO 8601 with a zone, e.g. 2024-03-05T09:30:00Z), found "2024-01-01" (a date without a time: a datetime cell needs a time and a zone, e.g. 2024-03-05T00:00:00Z)`,
      `row 5 of table 't': column 'at' must be a datetime (ISO 8601 with a zone, e.g. 2024-03-05T09:30:00Z), found "2024-01-01T10:00:00.1234Z" (digits finer than a millisecond, which a datetime does not keep)`,
    ]);
    // a JSONL line with a key twice would keep the last value silently: refused
    writeFileSync(path.join(dir, 'twice.jsonl'), '{"name":"a","day":"2024-02-29","at":"2024-03-05T08:30:00Z","name":"b"}\n');
    await expect(readT('twice.jsonl')).rejects.toThrow(/SYN5054|key 'name' appears twice in line 1/);
  });

  // Found by trying it: a cell nested 200,000 lists deep overflowed the stack ("internal error") in validation and
  // in the message that shows the value.
  it('a deeply nested cell is a row problem, not a stack overflow', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const ok = { id: 1, name: 'Ada', age: 36, score: 0.5, active: true, tier: 'pro', nickname: null, tags: [] };
    const csv = project({ 'seed/people.csv': `${HEADER}\n1,Ada,36,0.5,true,pro,,"${deep}"\n` });
    expect((await read(csv.dir, csv.spec)).problems.map((d) => d.message)).toEqual(["row 1 of table 'people': column 'tags' must be a list (as JSON), found a value nested more than 200 levels deep"]);
    const jsonl = project({ 'seed/people.jsonl': JSON.stringify(ok).replace('"name":"Ada"', `"name":${deep}`) + '\n' }, 'seed/people.jsonl');
    expect((await read(jsonl.dir, jsonl.spec)).problems.map((d) => d.message)).toEqual(["row 1 of table 'people': column 'name' must be text, found a list nested too deeply to show"]);
    const r = synth(['check', csv.spec]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SYN5050');
    expect(r.stderr).not.toContain('internal error');
  });

  it('a large table streams: 200,000 CSV rows', async () => {
    const line = (i: number) => `${i},Name ${i},${i % 100},${i / 7},${i % 2 === 0},pro,,[]`;
    const body = [HEADER, ...Array.from({ length: 200_000 }, (_, i) => line(i))].join('\n') + '\n';
    const { dir, spec } = project({ 'seed/people.csv': body });
    const t = await read(dir, spec);
    expect(t.problems).toEqual([]);
    expect(t.rows).toHaveLength(200_000);
    expect(t.rows[123_456]).toMatchObject({ id: 123_456, name: 'Name 123456', age: 56, active: true });
  });
});
