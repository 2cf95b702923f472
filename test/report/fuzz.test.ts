// Whatever a folder holds — manifests with fields of the wrong type, rows of random values, random bytes — the
// report either builds or fails with a coded SynthError; never another exception (which the CLI would show as
// "internal error").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SynthError } from '../../base/diagnostics.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { mulberry32, type Rng } from '../support/prng.js';

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/** A random JSON value: the kinds of thing a hand-edited or foreign file might hold where another is expected. */
function junk(rng: Rng, depth = 0): unknown {
  const kinds = ['null', 'bool', 'int', 'float', 'huge', 'string', 'html', 'array', 'object', 'nan-string'] as const;
  switch (pick(rng, depth > 2 ? kinds.slice(0, 7) : kinds)) {
    case 'null':
      return null;
    case 'bool':
      return rng() < 0.5;
    case 'int':
      return Math.floor(rng() * 200) - 100;
    case 'float':
      return (rng() - 0.5) * 1e6;
    case 'huge':
      return pick(rng, [1.7e308, -1.7e308, 5e-324, 2 ** 60, -0]);
    case 'string':
      return pick(rng, ['', 'x', 'out.jsonl', 'choice', 'jsonl', 'csv', 'parquet', '../x', 'é😀']);
    case 'html':
      return '</script><img src=x onerror=alert(1)>';
    case 'array':
      return Array.from({ length: Math.floor(rng() * 4) }, () => junk(rng, depth + 1));
    case 'object':
      return Object.fromEntries(Array.from({ length: Math.floor(rng() * 4) }, (_, i) => [pick(rng, ['kind', 'values', 'weights', 'name', 'type', 'enum', 'properties', `k${i}`]), junk(rng, depth + 1)]));
    default:
      return 'NaN';
  }
}

function manifest(rng: Rng, output: string, format: string): Record<string, unknown> {
  return mutate(rng, baseManifest(output, format));
}

function baseManifest(output: string, format: string): Record<string, unknown> {
  return {
    synth: 'manifest',
    spec: 's.synth',
    plan: 'p',
    dataset: { name: 'd', seed: 3, output, format },
    counts: { rows: 10, written: 10 },
    tokens: { prompt: 1, completion: 2 },
    cost_usd: 0.5,
    splits: { train: 8 },
    expects: [{ text: 'x', passed: true, measured: { a: 1 } }],
    status: 'complete',
    wall_ms: 5,
    backend: 'cpu',
    vary: [{ name: 'v', mode: 'sample', sampler: { kind: 'choice', values: ['a', 'b'], weights: [1, 1] }, kept: true }],
    row: { type: 'R', schema: { type: 'object', properties: { v: { type: 'string', enum: ['a', 'b'] }, n: { type: 'integer' } } } },
  };
}

function mutate(rng: Rng, m: Record<string, unknown>): Record<string, unknown> {
  // replace a few fields (top level or one level down) with junk
  for (let i = 0; i < 1 + Math.floor(rng() * 4); i++) {
    const key = pick(rng, Object.keys(m).filter((k) => k !== 'dataset'));
    const v = m[key];
    if (v && typeof v === 'object' && !Array.isArray(v) && rng() < 0.5) {
      const inner = v as Record<string, unknown>;
      inner[pick(rng, [...Object.keys(inner), 'kind', 'values', 'weights', 'schema'])] = junk(rng);
    } else if (Array.isArray(v) && v.length && v[0] && typeof v[0] === 'object' && rng() < 0.5) {
      const first = v[0] as Record<string, unknown>;
      if (rng() < 0.5 && first.sampler && typeof first.sampler === 'object') (first.sampler as Record<string, unknown>)[pick(rng, ['kind', 'values', 'weights'])] = junk(rng);
      else first[pick(rng, Object.keys(first))] = junk(rng);
    } else m[key] = junk(rng);
  }
  if (rng() < 0.1) (m['dataset'] as Record<string, unknown>)[pick(rng, ['name', 'seed', 'format'])] = junk(rng);
  return m;
}

function rowsText(rng: Rng, format: string, n: number): string {
  if (format === 'csv') {
    const lines = ['v,n'];
    for (let i = 0; i < n; i++) lines.push(pick(rng, ['a,1', 'b,2', '"q""uote",3', ',', '"unterminated', 'x,y,z', '1e400,-0', 'NaN,Infinity', '\ufeffa,1', '"a\nb",4']));
    return lines.join(pick(rng, ['\n', '\r\n'])) + (rng() < 0.8 ? '\n' : '');
  }
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (r < 0.05) lines.push(pick(rng, ['not json', '[1,2]', '"s"', '{"v":', '{}', 'null']));
    else lines.push(JSON.stringify({ v: junk(rng), n: junk(rng), [pick(rng, ['__proto__', 'constructor', 'x', 'v'])]: junk(rng) }));
  }
  return lines.join('\n') + (rng() < 0.8 ? '\n' : '');
}

describe('report fuzz', () => {
  it('builds or fails with a SynthError for 300 random folders, never another exception', async () => {
    const rng = mulberry32(2024);
    let built = 0;
    let coded = 0;
    for (let trial = 0; trial < 300; trial++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-fuzz-'));
      try {
        const format = pick(rng, ['jsonl', 'csv', 'jsonl']);
        const output = `d.${format}`;
        writeFileSync(path.join(dir, 'd.manifest.json'), JSON.stringify(manifest(rng, output, format)));
        if (rng() < 0.95) writeFileSync(path.join(dir, output), rowsText(rng, format, Math.floor(rng() * 40)));
        try {
          const { html } = await buildReport(dir);
          expect(html).toContain('</html>');
          expect(html.slice(0, html.indexOf('<script'))).not.toMatch(/<img src=x/);
          built++;
        } catch (e) {
          if (!(e instanceof SynthError)) throw new Error(`trial ${trial}: ${String((e as Error).stack ?? e)}`);
          expect(e.code).toMatch(/^SYN520[1-4]$/);
          coded++;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // both outcomes happen: the fuzzer reaches the error paths and the drawing paths
    expect(built).toBeGreaterThan(50);
    expect(coded).toBeGreaterThan(10);
  });

  it('regression (found by the fuzzer): a choice sampler whose values are not a list is ignored, not a crash', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-fuzz-'));
    const m = baseManifest('d.jsonl', 'jsonl');
    m['vary'] = [{ name: 'v', mode: 'sample', sampler: { kind: 'choice', values: 5, weights: null }, kept: true }];
    writeFileSync(path.join(dir, 'd.manifest.json'), JSON.stringify(m));
    writeFileSync(path.join(dir, 'd.jsonl'), '{"v":"a"}\n');
    const { html } = await buildReport(dir);
    expect(html).not.toContain('Declared vs realised');
  });
});
