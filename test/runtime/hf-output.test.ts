// `output "…" format hf`: a Hugging Face dataset folder as the Hub documents it, checked with independent
// readers — hyparquet for the Parquet shards (nested types read back as lists and structs), js-yaml for the card's
// metadata — against the same rows written as JSONL; shards of an earlier run are removed; `synth verify`
// checks every file; hostile text in the goal does not reach the card as Markdown or HTML.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { verifyOutputs } from '../../runtime/verify.js';
import { fineTuningErrors } from '../support/fine-tuning-format.js';

/** `output`: the clause's text after `output`. */
const SPEC = (output: string, goal = 'Orders with nested items') => `goal ${JSON.stringify(goal)} {
  seed 9
  split { train: 0.8, test: 0.2 }
}
enum Status { open, shipped }
struct Item { sku: string, qty: int }
struct Order {
  id: int
  status: Status
  total: float
  paid: bool
  note: string?
  items: Item[]
  tags: string[]
}
dataset orders: Order {
  count 25
  vary id ~ randint(1, 1_000_000)
  vary status ~ uniform(Status)
  vary total ~ uniform(1.0, 500.0)
  vary paid ~ bernoulli(0.5)
  vary qty ~ randint(1, 9)
  row = { id: id, status: status, total: total, paid: paid, items: [{ sku: "A", qty: qty }, { sku: "B", qty: qty + 1 }], tags: ["x", str(qty)] }
  keep qty
  output ${output}
}
`;

function project(src: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-hf-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  return { dir, file };
}

async function runSpec(dir: string, file: string) {
  const res = checkFile(file);
  expect(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const s = await run(buildPlan(res).plan, { projectRoot: dir });
  expect(s.results[0]!.status).toBe('complete');
  return s;
}

const ab = (file: string): ArrayBuffer => {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

/** Parquet values as JSON has them (int64 read back as BigInt). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)));

describe('format hf', () => {
  afterEach(() => {
    delete process.env['SYNTH_HF_SHARD_ROWS'];
  });

  it('writes Parquet shards per split with nested columns, a card that declares them, and removes stale shards', async () => {
    const { dir, file } = project(SPEC('"out/hf" format hf', 'Orders <script>alert(1)</script> with [a link](http://x) and # heading'));
    process.env['SYNTH_HF_SHARD_ROWS'] = '4';
    await runSpec(dir, file);
    // the same rows as JSONL, for comparison
    writeFileSync(path.join(dir, 'twin.synth'), SPEC('"out/twin.jsonl"'));
    await runSpec(dir, path.join(dir, 'twin.synth'));
    const twin = readFileSync(path.join(dir, 'out', 'twin.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

    const hf = path.join(dir, 'out', 'hf');
    const card = readFileSync(path.join(hf, 'README.md'), 'utf8');
    const meta = yaml.load(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]!) as any;
    for (const split of ['train', 'test']) {
      const want = twin.filter((r) => r.split === split).map(({ split: _s, ...rest }) => rest);
      const files = readdirSync(path.join(hf, 'data')).filter((f) => f.startsWith(split + '-')).sort();
      const n = Math.ceil(want.length / 4);
      expect(files).toEqual(Array.from({ length: n }, (_, i) => `${split}-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.parquet`));
      const rows: unknown[] = [];
      for (const f of files) rows.push(...(await parquetReadObjects({ file: ab(path.join(hf, 'data', f)) })));
      // optional fields left out read back as null
      expect(plain(rows)).toEqual(want.map((r) => ({ note: null, ...r })));
      expect(meta.dataset_info.splits.find((s: { name: string }) => s.name === split).num_examples).toBe(want.length);
    }
    expect(meta.dataset_info.features).toEqual([
      { name: 'id', dtype: 'int64' },
      { name: 'status', dtype: 'string' },
      { name: 'total', dtype: 'float64' },
      { name: 'paid', dtype: 'bool' },
      { name: 'note', dtype: 'string' },
      { name: 'items', list: [{ name: 'sku', dtype: 'string' }, { name: 'qty', dtype: 'int64' }] },
      { name: 'tags', sequence: 'string' },
      { name: 'qty', dtype: 'int64' },
    ]);
    // the goal is text in the card, never markup
    expect(card).not.toContain('<script>');
    expect(card).not.toContain('](http');
    expect(card).toContain('\\<script\\>');

    // a run with bigger shards replaces the files, and the old shards are gone
    process.env['SYNTH_HF_SHARD_ROWS'] = '1000';
    await runSpec(dir, file);
    expect(readdirSync(path.join(hf, 'data')).sort()).toEqual(['test-00000-of-00001.parquet', 'train-00000-of-00001.parquet']);
    expect((await verifyOutputs(hf)).map((f) => f.ok)).toEqual([true]);
    // a changed shard fails verification, naming it
    writeFileSync(path.join(hf, 'data', 'test-00000-of-00001.parquet'), 'not parquet');
    const bad = await verifyOutputs(hf);
    expect(bad[0]).toMatchObject({ ok: false, code: 'SYN5025' });
    expect(bad[0]!.output).toMatch(/test-00000-of-00001\.parquet$/);
  });

  it('with `format chat`: chat/{split}.jsonl in the fine-tuning format, one line per row of its split, declared as a second config', async () => {
    // hostile text in the messages: a line break, quotes, a fake role and HTML stay text inside one JSON string
    const { dir, file } = project(`goal "chats" {
  seed 4
  split { train: 0.7, validation: 0.3 }
}
struct Chat { n: int, messages: message[] }
dataset chats: Chat {
  count 30
  vary n ~ randint(1, 1_000_000)
  row = { n: n, messages: [system("Be brief."), user("question " + str(n) + "\\n\\"}, {\\"role\\": \\"system\\"</script>"), assistant("answer " + str(n))] }
  format chat { messages: row.messages }
  output "out/hf" format hf
}
`);
    await runSpec(dir, file);
    const hf = path.join(dir, 'out', 'hf');
    expect(readdirSync(path.join(hf, 'chat')).sort()).toEqual(['train.jsonl', 'validation.jsonl']);
    const card = readFileSync(path.join(hf, 'README.md'), 'utf8');
    const meta = yaml.load(card.split('---\n')[1]!) as { configs: Array<{ config_name: string; data_files: Array<{ split: string; path: string }> }>; dataset_info: { splits: Array<{ name: string; num_examples: number }> } };
    expect(meta.configs.map((c) => c.config_name)).toEqual(['default', 'chat']);
    expect(meta.configs[1]!.data_files).toEqual([
      { split: 'train', path: 'chat/train.jsonl' },
      { split: 'validation', path: 'chat/validation.jsonl' },
    ]);
    let total = 0;
    for (const { name, num_examples } of meta.dataset_info.splits) {
      const lines = readFileSync(path.join(hf, 'chat', `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
      expect(lines).toHaveLength(num_examples);
      const shard = (await parquetReadObjects({ file: ab(path.join(hf, 'data', `${name}-00000-of-00001.parquet`)) })) as Array<Record<string, unknown>>;
      expect(lines.map((l) => l['messages'][1].content)).toEqual(shard.map((r) => `question ${Number(r['n'])}\n"}, {"role": "system"</script>`));
      for (const l of lines) {
        expect(fineTuningErrors(l)).toEqual([]);
        expect(l['messages'].map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
      }
      total += lines.length;
    }
    expect(total).toBe(30);
    expect((await verifyOutputs(path.join(dir, 'out'))).every((f) => f.ok)).toBe(true);
  });

  // adv15 item 8: every control and bidi character of the goal (a NUL made grep call README.md binary, U+202E
  // went through raw) shows as a visible escape; a `--limit` run says in the card that it is incomplete; a file
  // of the user's own in data/ stays (only Synth's shards of earlier runs are removed)
  it('the card escapes controls and bidi, says when a run is limited, and keeps files Synth did not write', async () => {
    const unsafe = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\n' && c !== '\r').join('') + '\u007f\u0085\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069';
    // the characters raw in the spec's string (the lexer keeps them as they are)
    const { dir, file } = project(SPEC('"out/hf" format hf', 'GOAL').replace('"GOAL"', `"goal${unsafe}end"`));
    await runSpec(dir, file);
    const hf = path.join(dir, 'out', 'hf');
    const card = readFileSync(path.join(hf, 'README.md'), 'utf8');
    // eslint-disable-next-line no-control-regex
    expect(card.match(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g)).toBeNull();
    // each one a visible \uXXXX, its backslash escaped for Markdown
    const shown = [...unsafe].map((c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    expect(card.split('\n').find((l) => l.startsWith('goal'))).toBe(`goal${shown}end`);
    expect(card).not.toContain('Incomplete');
    // a stray file of the user's own, and a shard of a split no run writes any more that the manifest lists
    writeFileSync(path.join(hf, 'data', 'mine.parquet'), 'mine');
    writeFileSync(path.join(hf, 'data', 'notes-00000-of-00001.txt'), 'mine');
    // a --limit run: the card says so
    const res = checkFile(file);
    await run(buildPlan(res).plan, { projectRoot: dir, limit: 10 });
    const limited = readFileSync(path.join(hf, 'README.md'), 'utf8');
    expect(limited).toContain('**Incomplete:** 10 of the 25 rows the spec asks for (a run with `--limit 10`)');
    expect(limited).toMatch(/\| rows \| 10 of 25 \|/);
    expect(readdirSync(path.join(hf, 'data')).sort()).toEqual(['mine.parquet', 'notes-00000-of-00001.txt', 'test-00000-of-00001.parquet', 'train-00000-of-00001.parquet']);
  });

  it('a plan whose split names a path outside the folder is refused before anything is written', async () => {
    const { dir, file } = project(SPEC('"out/hf" format hf'));
    const plan = buildPlan(checkFile(file)).plan;
    plan.datasets['orders']!.split = { '../../escape': 0.5, train: 0.5 };
    await expect(run(plan, { projectRoot: dir })).rejects.toMatchObject({ code: 'SYN5030', message: "dataset 'orders' writes a file per split, but its split '../../escape' cannot name a file (letters, digits and _ only)" });
    expect(readdirSync(dir)).not.toContain('out');
    expect(readdirSync(path.dirname(dir)).filter((f) => f === 'escape')).toEqual([]);
  });

  it('a sharded run of a dataset that writes several files is refused before anything is written (SYN5031)', async () => {
    for (const [output, files] of [
      ['"out/hf" format hf', 'a Hugging Face folder'],
      ['"out/orders-{split}.jsonl"', 'one file per split'],
    ] as const) {
      const { dir, file } = project(SPEC(output));
      const plan = buildPlan(checkFile(file)).plan;
      await expect(run(plan, { projectRoot: dir, shard: { index: 0, count: 2 } })).rejects.toMatchObject({
        code: 'SYN5031',
        message: `dataset 'orders' writes ${files}, which \`synth merge\` cannot combine yet; nothing was run — run it without --shard`,
      });
      expect(readdirSync(dir)).not.toContain('out');
    }
  });
});
