// The LLM workflows of issue #15, end to end through the CLI against the test server (test/support/fake-openai.ts,
// real HTTP, the real `openai` client): the preference example (DPO pairs from two models with a judge, and the
// UltraFeedback-style variant written as a Hugging Face folder) and the multi-turn support conversations with a
// tool call. What is checked is what a user relies on:
//  - `--dry-run --format json` predicts exactly the calls the server then receives, per model, with calls made
//    only in branches taken (lazy `if_else`) and models chosen per row (`using`);
//  - the chat files are OpenAI's chat fine-tuning format (validated here by an independent reader of that format);
//  - `{split}` files hold exactly the rows of each split (against the same spec written to one file);
//  - the hf folder has the Hub's layout, its Parquet files read back with hyparquet, and its card's YAML (read
//    with js-yaml) declares the files, features and row counts that are there.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthAsync } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { fineTuningErrors } from '../support/fine-tuning-format.js';

const LIMIT = 24;

/** A copy of an example in a fresh folder (its outputs and cache stay out of the repository). */
function copyExample(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `synth-${name}-`));
  cpSync(path.join(ROOT, 'examples', name), dir, { recursive: true, filter: (src) => !/[/\\](out|\.synth)$/.test(src) });
  return dir;
}

/** Chat completion requests the server received since `from`, per requested model name. */
function requestsByModel(server: FakeOpenAI, from: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of server.requests.slice(from)) {
    if (r.path !== '/v1/chat/completions') continue;
    const m = (r.body as { model?: string } | undefined)?.model ?? '?';
    out[m] = (out[m] ?? 0) + 1;
  }
  return out;
}

interface EstimateJson {
  total: { calls: number; models: Record<string, { calls: number }> };
  datasets: Array<{ name: string; calls: number; upper_bound: boolean }>;
  upper_bound: string[];
}

const jsonl = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('LLM data workflows (issue #15), end to end against the test server', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, latencyMs: 2 });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ OPENAI_BASE_URL: server.url, BACKUP_BASE_URL: server.url, OPENAI_API_KEY: 'none' });

  it('examples/preference: the dry run predicts every call per model; DPO pairs per split, a judge with reasons, an hf folder', async () => {
    const dir = copyExample('preference');
    const spec = path.join(dir, 'preference.synth');
    const dry = await synthAsync(['run', spec, '--dry-run', '--format', 'json', '--limit', String(LIMIT)], { env: env() });
    expect(dry.code, dry.stderr).toBe(0);
    const est = JSON.parse(dry.stdout) as EstimateJson;
    expect(est.upper_bound).toEqual([]);
    const from = server.requests.length;
    const run = await synthAsync(['run', spec, '--limit', String(LIMIT)], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const got = requestsByModel(server, from);
    // every call the estimate counted, and no other, reached the server — per model (the spec's default names)
    const names: Record<string, string> = { strong: 'gpt-4o', cheap: 'gpt-4o-mini', judge: 'gpt-4.1-mini' };
    const want = Object.fromEntries(Object.entries(est.total.models).map(([block, c]) => [names[block]!, c.calls]));
    expect(got).toEqual(want);
    expect(est.total.calls).toBe(LIMIT * 5 + LIMIT * 5);

    // DPO rows: one file per split, the fields of a preference pair, the models' names, the judge's reason
    const out = path.join(dir, 'out');
    const train = jsonl(path.join(out, 'dpo-train.jsonl'));
    const test = jsonl(path.join(out, 'dpo-test.jsonl'));
    expect(train.length + test.length).toBe(LIMIT);
    for (const r of [...train, ...test]) {
      expect(Object.keys(r).sort()).toEqual(['chosen', 'chosen_model', 'prompt', 'quality', 'quality_reason', 'reason', 'rejected', 'rejected_model', 'topic'].sort());
      expect([r['chosen_model'], r['rejected_model']].sort()).toEqual(['cheap', 'strong']);
      expect(typeof r['quality_reason']).toBe('string');
      expect(r['quality']).toBeGreaterThanOrEqual(1);
    }
    const manifest = JSON.parse(readFileSync(path.join(out, 'dpo.manifest.json'), 'utf8'));
    // --limit made fewer rows than the dataset has: every row it asked for, and the manifest says so
    expect(manifest.status).toBe('limited');
    expect(manifest.counts.rows).toBe(LIMIT);
    // calls counted per model block in the manifest
    const perModel = Object.fromEntries(manifest.models.map((m: { name: string; calls: number }) => [m.name, m.calls]));
    expect(perModel).toEqual({ backup: 0, cheap: LIMIT * 2, judge: LIMIT * 2, strong: LIMIT });

    // UltraFeedback-style rows in a Hugging Face folder
    const hf = path.join(out, 'ultrafeedback');
    const card = readFileSync(path.join(hf, 'README.md'), 'utf8');
    const meta = yaml.load(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]!) as any;
    const splits: Array<{ name: string; num_examples: number }> = meta.dataset_info.splits;
    expect(splits.map((s) => s.name)).toEqual(['train', 'test']);
    let total = 0;
    for (const s of splits) {
      const files = readdirSync(path.join(hf, 'data')).filter((f) => f.startsWith(`${s.name}-`));
      expect(files).toEqual([`${s.name}-00000-of-00001.parquet`]);
      const buf = readFileSync(path.join(hf, 'data', files[0]!));
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      expect(Number(parquetMetadata(ab).num_rows)).toBe(s.num_examples);
      const rows = (await parquetReadObjects({ file: ab })) as Array<Record<string, any>>;
      expect(rows).toHaveLength(s.num_examples);
      for (const r of rows) {
        expect(typeof r['instruction']).toBe('string');
        // a list of structs, not JSON text: the models, their answers and 1–5 ratings with rationales
        expect(r['completions'].map((c: { model: string }) => c.model)).toEqual(['strong', 'cheap']);
        for (const c of r['completions']) {
          expect(Number(c.rating)).toBeGreaterThanOrEqual(1);
          expect(Number(c.rating)).toBeLessThanOrEqual(5);
          expect(typeof c.rationale).toBe('string');
        }
      }
      total += rows.length;
    }
    expect(total).toBe(LIMIT);
    expect(meta.configs[0].data_files).toEqual([
      { split: 'train', path: 'data/train-*' },
      { split: 'test', path: 'data/test-*' },
    ]);
    const features = meta.dataset_info.features as Array<Record<string, any>>;
    expect(features.map((f) => f.name)).toEqual(['instruction', 'completions', 'topic']);
    expect(features[1]!['list'].map((f: { name: string; dtype: string }) => [f.name, f.dtype])).toEqual([
      ['model', 'string'],
      ['response', 'string'],
      ['rating', 'int64'],
      ['rationale', 'string'],
    ]);
    expect(card).toContain('Preference pairs and rated answers for aligning a helpful assistant');
    const plan = JSON.parse(readFileSync(path.join(hf, 'synth.manifest.json'), 'utf8')).plan;
    expect(card).toContain(plan);

    // every file matches its manifest (each split file, the Parquet shards and the card: no SYN5025); the runs
    // were --limit runs, so verify says each dataset is limited (SYN5026) and exits 1
    const verify = await synthAsync(['verify', out]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(1);
    expect(verify.stderr).not.toMatch(/SYN5025|SYN5029/);
    const errors = verify.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(errors.length).toBeGreaterThan(0);
    for (const l of errors) expect(l).toMatch(/^error SYN5026: .*limited \(--limit/);
  });

  it('examples/support-chat: multi-turn conversations with a tool call, in the fine-tuning format; the dry run counts the lazy branch exactly', async () => {
    const dir = copyExample('support-chat');
    const spec = path.join(dir, 'support-chat.synth');
    const dry = await synthAsync(['run', spec, '--dry-run', '--format', 'json', '--limit', String(LIMIT)], { env: env() });
    expect(dry.code, dry.stderr).toBe(0);
    const est = JSON.parse(dry.stdout) as EstimateJson;
    expect(est.upper_bound).toEqual([]);
    const from = server.requests.length;
    const run = await synthAsync(['run', spec, '--limit', String(LIMIT)], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const got = requestsByModel(server, from);
    expect(got).toEqual({ 'gpt-4o': est.total.models['agent']!.calls, 'gpt-4o-mini': est.total.models['simulator']!.calls });

    const out = path.join(dir, 'out');
    let conversations = 0;
    let withTool = 0;
    let withoutTool = 0;
    for (const split of ['train', 'test']) {
      const rows = jsonl(path.join(out, `support-${split}.jsonl`));
      const chats = jsonl(path.join(out, `support-${split}.chat.jsonl`));
      expect(chats).toHaveLength(rows.length);
      chats.forEach((c, i) => {
        expect(fineTuningErrors(c), JSON.stringify(c).slice(0, 400)).toEqual([]);
        // the chat line is the row's conversation
        expect(c['messages']).toEqual(rows[i]!['messages']);
        const msgs = c['messages'] as Array<Record<string, unknown>>;
        const turns = rows[i]!['turns'] as number;
        expect(msgs.filter((m) => m['role'] === 'user')).toHaveLength(turns);
        const tool = msgs.some((m) => m['role'] === 'tool');
        // the order system is consulted exactly for order questions (a lazily evaluated branch)
        expect(tool).toBe(rows[i]!['issue'] === 'late_delivery' || rows[i]!['issue'] === 'refund');
        if (tool) {
          withTool++;
          expect(c['tools']).toEqual([{ type: 'function', function: { name: 'lookup_order', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'], additionalProperties: false } } }]);
        } else withoutTool++;
      });
      conversations += chats.length;
    }
    expect(conversations).toBe(LIMIT);
    expect(withTool).toBeGreaterThan(0);
    expect(withoutTool).toBeGreaterThan(0);
  });

  it('`{split}` files hold exactly the rows of each split: the same spec written to one file, split by its column', async () => {
    const dir = copyExample('support-chat');
    const spec = path.join(dir, 'support-chat.synth');
    const one = path.join(dir, 'one.synth');
    writeFileSync(one, readFileSync(spec, 'utf8').replace('output "out/support-{split}.jsonl"', 'output "out/all.jsonl"'));
    for (const s of [spec, one]) {
      const r = await synthAsync(['run', s, '--limit', '16'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
    }
    const all = jsonl(path.join(dir, 'out', 'all.jsonl'));
    expect(all).toHaveLength(16);
    for (const split of ['train', 'test']) {
      const want = all.filter((r) => r['split'] === split).map(({ split: _s, ...rest }) => rest);
      expect(jsonl(path.join(dir, 'out', `support-${split}.jsonl`))).toEqual(want);
      // the chat file of one file holds every split, without a split key
      expect(jsonl(path.join(dir, 'out', `support-${split}.chat.jsonl`)).map((c) => c['messages'])).toEqual(want.map((r) => r['messages']));
    }
    expect(existsSync(path.join(dir, 'out', 'all.chat.jsonl'))).toBe(true);
  });
});
