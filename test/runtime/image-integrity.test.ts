// Image files are checked, not trusted (runtime/images/store.ts `intact`, runtime/verify.ts). The adversarial
// instance: an image of an image dataset overwritten with garbage — `synth verify` said "as recorded" and a
// rerun reused both rows and left the garbage. (The output's copy is a hard link to the cache's, so an edit in
// place damages both.) Now verify fails with SYN5025 naming the file, and a rerun puts the right bytes back: from
// an intact copy when there is one (no request), else by asking for the image again.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { verifyOutputs } from '../../runtime/verify.js';
import { ROOT } from '../support/examples.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { mulberry32 } from '../support/prng.js';

const KEY = 'sk-test-IMAGES-51c0ffee';
const EXAMPLE = readFileSync(path.join(ROOT, 'examples', 'stablerep', 'stablerep.synth'), 'utf8');

type Line = Record<string, string | number | null>;

function project(count: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-imgint-'));
  const file = path.join(dir, 'stablerep.synth');
  writeFileSync(file, EXAMPLE.replace('count 200', `count ${count}`).replace(/rpm \d+/g, 'rpm 100000'));
  const out = path.join(dir, 'out', 'stablerep');
  const index = path.join(out, 'index.jsonl');
  const lines = () => readFileSync(index, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  return { dir, file, out, index, lines, plan: () => buildPlan(checkFile(file)).plan };
}

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('image files against the index', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, apiKey: KEY });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY });
  const imageRequests = () => server.requests.filter((r) => r.path.startsWith('/v1/images')).length;

  it('seeded damage (edit in place, replace, truncate, append, delete): verify names the file, a rerun restores the bytes', async () => {
    const p = project(3);
    const first = await run(p.plan(), { projectRoot: p.dir, env: env() });
    expect(first.results[0]!.status).toBe('complete');
    const want = readFileSync(p.index, 'utf8');
    expect((await verifyOutputs(p.out)).every((f) => f.ok)).toBe(true);
    const files = [...new Set(p.lines().map((l) => path.join(p.out, String(l['image']))))];
    expect(files.length).toBeGreaterThan(1);

    const rng = mulberry32(77);
    const damages = ['in place', 'replace', 'truncate', 'append', 'delete'] as const;
    for (let round = 0; round < 10; round++) {
      const victim = files[Math.floor(rng() * files.length)]!;
      const damage = damages[round % damages.length]!;
      if (damage === 'in place') writeFileSync(victim, 'garbage\n'); // same inode: the cache's hard link too
      else if (damage === 'replace') {
        rmSync(victim);
        writeFileSync(victim, 'garbage\n'); // a new file: the cache's copy stays intact
      } else if (damage === 'truncate') truncateSync(victim, Math.floor(statSync(victim).size / 2));
      else if (damage === 'append') appendFileSync(victim, 'x');
      else rmSync(victim);

      const findings = await verifyOutputs(p.out);
      const bad = findings.filter((f) => !f.ok);
      expect(bad, damage).toHaveLength(1);
      expect(bad[0]!.code).toBe('SYN5025');
      expect(bad[0]!.message).toContain(path.basename(victim));
      expect(bad[0]!.message).toMatch(/sha256 is (missing|[0-9a-f]{64}), but its manifest says [0-9a-f]{64} \(the image_sha256 of row \d+/);

      const before = imageRequests();
      const again = await run(p.plan(), { projectRoot: p.dir, env: env() });
      expect(again.results[0]!.status, damage).toBe('complete');
      expect(readFileSync(p.index, 'utf8'), damage).toBe(want);
      for (const f of files) expect(sha(f), `${damage}: ${path.basename(f)}`).toBe(path.basename(f).replace(/\.png$/, ''));
      expect((await verifyOutputs(p.out)).every((f) => f.ok), damage).toBe(true);
      // a replaced, deleted … output copy comes back from the cache's intact copy without a request
      if (damage === 'replace' || damage === 'delete') expect(imageRequests(), damage).toBe(before);
    }
    // nothing but the images the index names is in the images folder
    const listed = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listed(path.join(d, e.name)) : [path.join(d, e.name)]));
    expect(new Set(listed(path.join(p.out, 'images')))).toEqual(new Set(files));
  }, 120_000);
});
