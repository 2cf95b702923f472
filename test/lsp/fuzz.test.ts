// The server survives a fuzz session: thousands of random edits (insertions, deletions, garbage, moved chunks)
// on the examples, each followed by diagnostics, completion and hover, with no crash and no slow answer.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSpecs } from '../support/examples.js';
import { LspClient, uriOf } from './support/client.js';
import { mulberry32 } from '../support/prng.js';
import { randomEdit } from './support/edits.js';

const EDITS = Number(process.env['SYNTH_LSP_FUZZ_EDITS'] ?? 2000);
const LIMIT_MS = 200;

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start({ debounceMs: 0 });
});
afterAll(async () => {
  await client?.stop();
});

describe('fuzz', () => {
  it(`survives ${EDITS} random edits with every answer under ${LIMIT_MS} ms`, async () => {
    const specs = exampleSpecs().filter((f) => statSync(f).isFile());
    const rnd = mulberry32(20251124);
    const slow: string[] = [];
    const crashes: string[] = [];
    const times: number[] = [];
    const time = async <T>(what: string, p: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await p();
      const ms = performance.now() - t0;
      times.push(ms);
      if (ms > LIMIT_MS) slow.push(`${what}: ${ms.toFixed(0)} ms`);
      return r;
    };
    const perSpec = Math.ceil(EDITS / specs.length);
    let done = 0;
    for (const spec of specs) {
      const original = readFileSync(spec, 'utf8');
      const uri = uriOf(path.join(path.dirname(spec), `__fuzz_${path.basename(spec)}`));
      await client.open(uri, original);
      for (let i = 0; i < perSpec; i++) {
        const before = client.text(uri);
        const next = i % 100 === 99 ? original : randomEdit(before, rnd);
        // send the edit as an incremental change covering the differing region
        let p = 0;
        while (p < before.length && p < next.length && before[p] === next[p]) p++;
        let s = 0;
        while (s < before.length - p && s < next.length - p && before[before.length - 1 - s] === next[next.length - 1 - s]) s++;
        const ds = await time(`diagnostics after edit ${done}`, () => client.edit(uri, p, before.length - s, next.slice(p, next.length - s)));
        // a check that crashed is reported as SYN9001 rather than failing the request: none may
        for (const d of ds) if (d.code === 'SYN9001') crashes.push(`edit ${done}: ${d.message}`);
        const at = Math.floor(rnd() * (next.length + 1));
        await time(`completion ${done}`, () => client.request('textDocument/completion', client.at(uri, at)));
        await time(`hover ${done}`, () => client.request('textDocument/hover', client.at(uri, Math.floor(rnd() * (next.length + 1)))));
        if (i % 25 === 0) await time(`semantic tokens ${done}`, () => client.request('textDocument/semanticTokens/full', { textDocument: { uri } }));
        done++;
      }
    }
    expect(client.alive).toBe(true);
    expect(done).toBeGreaterThanOrEqual(EDITS);
    times.sort((x, y) => x - y);
    console.log(`fuzz: ${done} edits, ${times.length} requests, p50 ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, p99 ${times[Math.floor(times.length * 0.99)]!.toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms`);
    expect(client.stderr).not.toMatch(/failed:/);
    expect(slow).toEqual([]);
    expect(crashes).toEqual([]);
  });
});
