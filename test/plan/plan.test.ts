import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../compiler/format.js';
import { exampleSpecs } from '../support/examples.js';
import { planOf, planOfFile, tempDir } from '../support/synth.js';

const build = planOfFile;

describe('plan', () => {
  for (const spec of exampleSpecs()) {
    const name = path.relative(path.dirname(path.dirname(spec)), spec);
    it(`is byte-identical across builds: ${name}`, () => {
      const a = build(spec);
      const b = build(spec);
      expect(a.json).toBe(b.json);
      expect([...a.wgsl]).toEqual([...b.wgsl]);
    });

    it(`is unchanged by formatting the spec: ${name}`, () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'synth-fmt-'));
      cpSync(path.dirname(spec), dir, { recursive: true });
      const copy = path.join(dir, path.basename(spec));
      const original = build(copy).json;
      const formatted = formatSource(readFileSync(copy, 'utf8'), copy).text!;
      // also a deliberately ugly layout: everything on few lines with extra spaces
      writeFileSync(copy, formatted);
      expect(build(copy).json).toBe(original);
    });
  }

  it('keeps env() symbolic and never contains a key', () => {
    process.env['MY_KEY'] = 'sk-secret-should-never-appear';
    const { json, plan } = planOf(
      `model m { name "x" api_key env("MY_KEY") base_url env("MY_URL", "http://localhost:1/v1") }
       prompt p(a: string) -> string { model m user "say {a}" }
       dataset d { count 2 vary a ~ one_of("x", "y") row = { t: p(a) } }`,
      { name: 's.synth', prefix: 'synth-plan-' },
    );
    expect(json).not.toContain('sk-secret');
    expect(plan.models['m']!.settings['api_key']).toEqual({ env: 'MY_KEY' });
    expect(plan.models['m']!.settings['base_url']).toEqual({ env: 'MY_URL', default: 'http://localhost:1/v1' });
  });

  it('changes only the edited prompt stage hash', () => {
    const f = path.join(tempDir('synth-plan-'), 's.synth');
    const src = (text: string) => `model m { name "x" api_key env("K") }
      prompt p(a: string) -> string { model m user "${text} {a}" }
      prompt q(a: string) -> string { model m user "other {a}" }
      dataset d { count 2 vary a ~ one_of("x", "y") row = { t: p(a), u: q(a) } }`;
    writeFileSync(f, src('say'));
    const a = build(f).plan;
    writeFileSync(f, src('shout'));
    const b = build(f).plan;
    expect(a.prompts['p']!.hash).not.toBe(b.prompts['p']!.hash);
    expect(a.prompts['q']!.hash).toBe(b.prompts['q']!.hash);
    expect(a.hash).not.toBe(b.hash);
  });

  it('emits strict JSON Schemas with constraints', () => {
    const spec = exampleSpecs().find((s) => s.endsWith('tickets.synth'))!;
    const { plan } = build(spec);
    const schema = plan.prompts['write_ticket']!.returns.schema as Record<string, any>;
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['required']).toEqual(['subject', 'body', 'priority', 'tags']);
    expect(schema['properties'].subject).toMatchObject({ type: 'string', minLength: 5, maxLength: 80 });
    expect(schema['properties'].priority).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
    expect(schema['properties'].tags).toMatchObject({ type: 'array', maxItems: 5 });
  });
});

describe('weighted samplers over enums that share cases', () => {
  it('take the enum whose cases are exactly the keys, else the smallest that has them all', () => {
    const { plan } = planOf(
      `enum Fit { small, large, custom }
enum Size { small, large }
enum Shade { dark, light, small, large, mid }
model m { name "x"  api_key env("K") }
prompt p(s: Size, f: Fit) -> string { model m  user "{s} {f}" }
dataset d {
  count 4
  vary s ~ weighted { small: 0.5, large: 0.5 }
  vary f ~ weighted { small: 0.2, large: 0.3, custom: 0.5 }
  let t = p(s, f)
  row = { t: t }
  output "out/d.jsonl"
}
`,
      // passing `s` to a `Size` parameter type-checks only if `s` is a Size (not Fit, declared first, or Shade)
      { prefix: 'synth-weighted-' },
    );
    expect(plan.datasets['d']!.vary.map((v) => v.sampler)).toEqual([
      { kind: 'choice', values: ['small', 'large'], weights: [0.5, 0.5] },
      { kind: 'choice', values: ['small', 'large', 'custom'], weights: [0.2, 0.3, 0.5] },
    ]);
  });
});
