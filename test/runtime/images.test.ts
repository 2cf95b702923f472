// Image datasets (the StableRep recipe) against the test server's images API, through the real `openai` client:
// the example end to end, faults, kill -9 during image generation then resume, URL answers and endpoints that
// refuse n > 1, and shards + merge of an image dataset.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { sniffImage } from '../../runtime/images/format.js';
import { mergeShards } from '../../runtime/merge.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { run } from '../../runtime/run/run-plan.js';
import { ImageClient } from '../../runtime/llm/images.js';
import { synthAsync } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { ALL_FAULTS, startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { mulberry32 } from '../support/prng.js';
import { journaledRows } from '../support/journal.js';

const KEY = 'sk-test-IMAGES-51c0ffee';
const EXAMPLE = readFileSync(path.join(ROOT, 'examples', 'stablerep', 'stablerep.synth'), 'utf8');

/** The StableRep example with `count` rows and rate limits lifted (the test server is local). */
function project(count: number, edit: (s: string) => string = (s) => s): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-images-'));
  const file = path.join(dir, 'stablerep.synth');
  const src = EXAMPLE.replace('count 200', `count ${count}`).replace(/rpm \d+/g, 'rpm 100000').replace('retries 5', 'retries 12');
  expect(src).toContain(`count ${count}`);
  writeFileSync(file, edit(src));
  return { dir, file };
}

type Line = Record<string, string | number | null>;

function readIndex(file: string): Line[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
}

/** Every line names a real image file whose bytes hash to its name and sha256 column, at the stated size. */
function expectFilesValid(indexFile: string, lines: Line[]): void {
  for (const l of lines) {
    const f = path.join(path.dirname(indexFile), String(l['image']));
    expect(existsSync(f), f).toBe(true);
    const bytes = readFileSync(f);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(sha).toBe(l['image_sha256']);
    expect(path.basename(f)).toBe(`${sha}.png`);
    const info = sniffImage(bytes)!;
    expect(info.format).toBe('png');
    expect([info.width, info.height]).toEqual([l['image_width'], l['image_height']]);
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

function grepTree(dir: string, needle: string): string[] {
  return listFiles(dir).filter((f) => readFileSync(path.join(dir, f)).includes(needle));
}

describe('image datasets (StableRep)', () => {
  let faulty: FakeOpenAI;
  let clean: FakeOpenAI;
  beforeAll(async () => {
    faulty = await startFakeOpenAI({ latencyMs: 5, latencyJitterMs: 10, deterministic: true, apiKey: KEY, retryAfterMs: 20, hangMs: 2000, faults: { rate: 0.2 } });
    clean = await startFakeOpenAI({ latencyMs: 40, deterministic: true, apiKey: KEY });
  });
  afterAll(async () => {
    await faulty.close();
    await clean.close();
  });
  const env = (s: FakeOpenAI) => ({ OPENAI_BASE_URL: s.url, OPENAI_API_KEY: KEY });

  it('runs the example end to end under 20 % faults: 4 images per caption, grouped, files valid', async () => {
    const N = 24;
    const { dir, file } = project(N, (s) => s.replace('timeout 120s', 'timeout 1s').replace('timeout 60s', 'timeout 1s'));
    const dry = await synthAsync(['run', file, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`stablerep\\s+${N}\\s+${2 * N}\\s+[\\d,]+\\s+[\\d,]+\\s+${4 * N}\\s+\\$`));

    const before = faulty.stats();
    const r = await synthAsync(['run', file], { env: env(faulty) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${N} rows (${4 * N} images)`);
    const indexFile = path.join(dir, 'out', 'stablerep', 'index.jsonl');
    const lines = readIndex(indexFile);
    expect(lines).toHaveLength(4 * N);
    expectFilesValid(indexFile, lines);

    // the index groups images by caption: one group per caption, 4 images each, indices 0..3, one split
    const groups = new Map<string, Line[]>();
    for (const l of lines) groups.set(String(l['image_group']), [...(groups.get(String(l['image_group'])) ?? []), l]);
    expect(groups.size).toBe(N);
    const captionOf = new Map<string, string>();
    for (const [g, ls] of groups) {
      expect(ls.map((l) => l['image_index'])).toEqual([0, 1, 2, 3]);
      expect(new Set(ls.map((l) => l['caption'])).size).toBe(1);
      expect(new Set(ls.map((l) => l['split'])).size).toBe(1);
      expect(new Set(ls.map((l) => l['image_sha256'])).size).toBe(4); // four different pictures
      expect(ls.every((l) => l['image_model'] === 'gpt-image-1-fake' && typeof l['image_seed'] === 'number')).toBe(true);
      captionOf.set(g, String(ls[0]!['caption']));
    }
    expect(new Set(captionOf.values()).size).toBe(N); // distinct captions ↔ distinct groups

    // faults hit the images endpoint too (each kind on its own: the next test)
    expect(faulty.requests.filter((q) => q.path.startsWith('/v1/images') && q.fault).length).toBeGreaterThan(0);
    expect(faulty.stats().requests).toBeGreaterThan(before.requests);

    const manifest = JSON.parse(readFileSync(path.join(dir, 'out', 'stablerep', 'index.manifest.json'), 'utf8'));
    expect(manifest.counts.rows).toBe(N);
    expect(manifest.counts.images_written).toBe(4 * N);
    expect(manifest.counts.images).toBeGreaterThanOrEqual(4 * N);
    expect(manifest.cost_usd).toBeGreaterThan(manifest.counts.images * 0.011 - 1e-9);
    expect(manifest.models.map((m: { reported: string[] }) => m.reported).flat()).toContain('gpt-image-1-fake');
    expect(grepTree(dir, KEY)).toEqual([]);

    // the report shows the groups as thumbnails linking to the files
    const { html } = await buildReport(path.join(dir, 'out', 'stablerep'), path.join(dir, 'report.html'));
    expect(html).toContain('<h3>Image groups</h3>');
    expect(html).toContain(`<b>groups</b> ${N}`);
    const srcs = [...html.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.length).toBe(8 * 4);
    for (const src of srcs) expect(existsSync(path.join(dir, src)), src).toBe(true);

    // a second run is all cache: nothing sent, same bytes
    const sent = faulty.stats().requests;
    const again = await synthAsync(['run', file, '--fresh'], { env: env(faulty) });
    expect(again.code, again.stderr).toBe(0);
    expect(faulty.stats().requests).toBe(sent);
    expect(readIndex(indexFile)).toEqual(lines);
  }, 120_000);

  it.each(ALL_FAULTS)('image calls survive %s faults on half the requests: every call returns valid stored images', async (kind) => {
    const server = await startFakeOpenAI({ deterministic: true, faults: { rate: 0.5, kinds: [kind] }, hangMs: 2000, retryAfterMs: 10 });
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-image-faults-'));
    const client = new ImageClient(
      { id: 'painter', model: 'img', baseUrl: server.url, concurrency: 8, retries: 12, timeoutMs: 300 },
      { apiKey: 'none', cacheDir: path.join(dir, 'cache'), backoffBaseMs: 5, backoffMaxMs: 50 },
    );
    try {
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => client.generate({ prompt: `picture ${i}`, n: 2, size: '32x32', rowKey: `r${i}` })));
      for (const r of results) {
        expect(r.images).toHaveLength(2);
        for (const img of r.images) expect(sniffImage(readFileSync(client.store.pathOf(img)))).toEqual({ format: 'png', width: 32, height: 32 });
      }
      expect(server.stats().faults[kind]).toBeGreaterThan(0);
      expect(client.stats.failed).toBe(0);
    } finally {
      await client.close();
      await server.close();
    }
  }, 60_000);

  it('kill -9 during image generation at 5 points, then rerun: the same index, no finished image call repeated', async () => {
    const N = 30;
    const ref = project(N);
    const r0 = await synthAsync(['run', ref.file], { env: env(clean) });
    expect(r0.code, r0.stderr).toBe(0);
    const want = readFileSync(path.join(ref.dir, 'out', 'stablerep', 'index.jsonl'), 'utf8');

    const { dir, file } = project(N);
    const indexFile = path.join(dir, 'out', 'stablerep', 'index.jsonl');
    // Kill points are chosen by what the run has done: the child dies when the server receives its k-th image
    // request, before that request is answered, so every kill lands mid image call, however loaded the machine.
    const rand = mulberry32(0x51ab1e);
    let victim: { child: ReturnType<typeof spawn>; seen: number; killAt: number } | undefined;
    const server = await startFakeOpenAI({
      latencyMs: 20,
      deterministic: true,
      apiKey: KEY,
      onRequest: (r) => {
        if (!r.path.startsWith('/v1/images') || !victim) return;
        if (++victim.seen === victim.killAt) victim.child.kill('SIGKILL');
      },
    });
    try {
      // a row's image call is known by its seed (derived from the row's identity; a later row that happens to
      // write the same caption is a different call)
      const finishedAt: Array<{ request: number; seeds: Set<number> }> = [];
      let kills = 0;
      for (let k = 0; k < 5; k++) {
        const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'run', file, '--concurrency', '3'], { env: { ...process.env, ...env(server), NO_COLOR: '1' }, stdio: 'ignore' });
        victim = { child, seen: 0, killAt: 1 + Math.floor(rand() * 6) };
        const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
        victim = undefined;
        if (signal === 'SIGKILL') kills++;
        else expect(code).toBe(0); // it finished before its kill point: fine, nothing left to interrupt
        // rows journaled now are finished (the index is replaced only when a run ends): their image calls may
        // never be sent again
        finishedAt.push({
          request: server.requests.length,
          seeds: new Set(journaledRows(dir).flatMap((j) => Object.values(j.r).filter((v): v is { seed: number } => !!v && typeof v === 'object' && '$images' in v).map((v) => Number(v.seed)))),
        });
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(new Set(journaledRows(dir).map((j) => j.i)).size).toBeLessThan(N);
      const fin = await synthAsync(['run', file], { env: env(server) });
      expect(fin.code, fin.stderr).toBe(0);
      // byte-identical to the uninterrupted run: nothing lost, nothing written twice
      expect(readFileSync(indexFile, 'utf8')).toBe(want);
      expectFilesValid(indexFile, readIndex(indexFile));
      // no half-written files survive, and only files the index names are in the images folder
      const files = listFiles(path.join(dir, 'out', 'stablerep', 'images'));
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(new Set(files.map((f) => path.join('images', f)))).toEqual(new Set(readIndex(indexFile).map((l) => String(l['image']))));
      for (const k of finishedAt) {
        const later = server.requests.slice(k.request).filter((q) => q.path.startsWith('/v1/images') && k.seeds.has(Number((q.body as { seed?: number } | undefined)?.seed)));
        expect(later.map((q) => (q.body as { prompt: string }).prompt)).toEqual([]);
      }
    } finally {
      await server.close();
    }
  }, 180_000);

  it('takes images as URLs and asks one image per request when the endpoint refuses n > 1', async () => {
    const server = await startFakeOpenAI({ deterministic: true, imageFormat: 'url', maxImagesPerRequest: 1 });
    try {
      const { dir, file } = project(5);
      const { plan } = buildPlan(checkFile(file));
      const s = await run(plan, { projectRoot: dir, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'none' } });
      expect(s.results[0]!.counts.written).toBe(5);
      const indexFile = path.join(dir, 'out', 'stablerep', 'index.jsonl');
      const lines = readIndex(indexFile);
      expect(lines).toHaveLength(20);
      expectFilesValid(indexFile, lines);
      const posts = server.requests.filter((q) => q.path.startsWith('/v1/images/generations'));
      expect(posts.filter((q) => q.status === 400).length).toBeGreaterThanOrEqual(1);
      expect(posts.filter((q) => q.status === 200).every((q) => (q.body as { n: number }).n === 1)).toBe(true);
      // every image came as a URL and was downloaded (rows dropped as duplicate captions drew images too)
      expect(server.requests.filter((q) => q.method === 'GET' && q.path.startsWith('/v1/fake-images/')).length).toBe(posts.filter((q) => q.status === 200).length);
    } finally {
      await server.close();
    }
  });

  it('--shard 0/2 and 1/2 then merge give the unsharded index and its files', async () => {
    const N = 14;
    const { dir, file } = project(N);
    const whole = await synthAsync(['run', file, '--out', path.join(dir, 'whole')], { env: env(clean) });
    expect(whole.code, whole.stderr).toBe(0);
    for (const i of [0, 1]) {
      const r = await synthAsync(['run', file, '--shard', `${i}/2`, '--out', path.join(dir, `s${i}`)], { env: env(clean) });
      expect(r.code, r.stderr).toBe(0);
    }
    const [m] = await mergeShards([path.join(dir, 's0'), path.join(dir, 's1')], path.join(dir, 'merged'));
    expect(m!.rows).toBe(N);
    expect(readFileSync(m!.output, 'utf8')).toBe(readFileSync(path.join(dir, 'whole', 'index.jsonl'), 'utf8'));
    expect(listFiles(path.join(dir, 'merged', 'images'))).toEqual(listFiles(path.join(dir, 'whole', 'images')));
    expectFilesValid(m!.output, readIndex(m!.output));
  }, 120_000);
});
