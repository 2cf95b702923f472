// The LLM cache's storage (runtime/llm/cache.ts, cache-log.ts): entries as self-checking lines of one log per
// process, read back by a later process, a damaged line a miss (never another entry's value), the earlier
// one-file-per-entry layout still read, secrets never written.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ResponseCache, type CacheEntry } from '../../runtime/llm/cache.js';
import { mulberry32 } from '../support/prng.js';

const tmp = () => path.join(mkdtempSync(path.join(tmpdir(), 'synth-cache-')), '.synth', 'cache');
const key = (n: number | string) => createHash('sha256').update(String(n)).digest('hex');
const entry = (n: number, pad = 0): CacheEntry => ({ value: { n, text: `answer ${n} ${'x'.repeat(pad)}`, nested: [n, { q: '"quoted" \\ \n' }] }, usage: { prompt: n, completion: 2 * n }, model: 'm-fake' });
const logs = (dir: string) => readdirSync(path.join(dir, 'llm', 'log')).map((f) => path.join(dir, 'llm', 'log', f));

describe('LLM cache', () => {
  it('round-trips entries within a process and through the files to the next one', async () => {
    const dir = tmp();
    const a = new ResponseCache(dir);
    expect(await a.get(key(1))).toBeUndefined(); // an empty folder: a miss, nothing created
    for (let n = 0; n < 50; n++) expect(await a.set(key(n), entry(n))).toBe(true);
    const b = new ResponseCache(dir); // the same process: the same store
    expect(await b.get(key(7))).toEqual(entry(7));
    a.close();
    b.close();
    expect(logs(dir)).toHaveLength(1);
    const c = new ResponseCache(dir); // as a later run does: the index is read from the log
    for (let n = 0; n < 50; n++) expect(await c.get(key(n))).toEqual(entry(n));
    expect(await c.get(key('absent'))).toBeUndefined();
    await c.set(key(100), entry(100));
    c.close();
    expect(logs(dir)).toHaveLength(2); // each process writes its own log
    const d = new ResponseCache(dir);
    expect(await d.get(key(100))).toEqual(entry(100));
    expect(await d.get(key(3))).toEqual(entry(3));
    d.close();
  });

  it("a damaged line is a miss, never another value; a torn last line does not hide the next process's entries", async () => {
    const rng = mulberry32(5);
    for (let round = 0; round < 30; round++) {
      const dir = tmp();
      const w = new ResponseCache(dir);
      for (let n = 0; n < 20; n++) await w.set(key(n), entry(n, Math.floor(rng() * 40)));
      w.close();
      const [file] = logs(dir);
      const text = readFileSync(file!, 'utf8');
      // edit one byte somewhere, or cut the file short
      const at = Math.floor(rng() * text.length);
      const damaged = rng() < 0.5 ? text.slice(0, at) + String.fromCharCode(33 + Math.floor(rng() * 90)) + text.slice(at + 1) : text.slice(0, at);
      writeFileSync(file!, damaged);
      const r = new ResponseCache(dir);
      let hits = 0;
      for (let n = 0; n < 20; n++) {
        const got = await r.get(key(n));
        if (got !== undefined) {
          expect(got).toEqual(entry(n, (got.value as { text: string }).text.length - `answer ${n} `.length));
          hits++;
        }
      }
      expect(hits).toBeGreaterThanOrEqual(18 - Math.ceil(((text.length - at) / text.length) * 20)); // only what was damaged is lost
      await r.set(key('after'), entry(999));
      r.close();
      const again = new ResponseCache(dir);
      expect(await again.get(key('after'))).toEqual(entry(999));
      again.close();
    }
  });

  it('reads a line longer than its read buffer (8 MiB)', async () => {
    const dir = tmp();
    const w = new ResponseCache(dir);
    await w.set(key(1), entry(1));
    await w.set(key(2), entry(2, 9 << 20));
    await w.set(key(3), entry(3));
    w.close();
    const r = new ResponseCache(dir);
    expect(await r.get(key(2))).toEqual(entry(2, 9 << 20));
    expect(await r.get(key(3))).toEqual(entry(3));
    r.close();
  });

  it('reads entries of the one-file-per-entry layout', async () => {
    const dir = tmp();
    const k = key('old');
    mkdirSync(path.join(dir, 'llm', k.slice(0, 2)), { recursive: true });
    writeFileSync(path.join(dir, 'llm', k.slice(0, 2), k + '.json'), JSON.stringify({ v: 1, ...entry(5) }));
    const c = new ResponseCache(dir);
    expect(await c.get(k)).toEqual(entry(5));
    expect(await c.get(key('other'))).toBeUndefined();
    c.close();
  });

  it("reads another process's log written before the first lookup; ignores foreign lines", async () => {
    const dir = tmp();
    const w = new ResponseCache(dir);
    await w.set(key(1), entry(1));
    w.close();
    appendFileSync(logs(dir)[0]!, 'not a line of ours\n{"k":"zz"}\n');
    const r = new ResponseCache(dir);
    expect(await r.get(key(1))).toEqual(entry(1));
    r.close();
  });

  it('never writes an entry that contains a secret', async () => {
    const dir = tmp();
    const c = new ResponseCache(dir, ['sk-SECRET-123']);
    expect(await c.set(key(1), { value: 'the key is sk-SECRET-123', usage: { prompt: 1, completion: 1 }, model: 'm' })).toBe(false);
    expect(await c.get(key(1))).toBeUndefined();
    c.close();
  });
});
