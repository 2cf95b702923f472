// What users copy from must already be in the canonical layout: every shipped example and the spec `synth init`
// writes pass `synth fmt --check` (formatting them changes nothing).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../compiler/format.js';
import { synth } from '../support/cli.js';
import { exampleSpecs } from '../support/examples.js';

describe('canonical layout of what we ship', () => {
  for (const spec of exampleSpecs()) {
    it(`synth fmt --check passes on ${path.relative(path.dirname(path.dirname(spec)), spec)}`, () => {
      const text = readFileSync(spec, 'utf8');
      expect(formatSource(text, spec).text).toBe(text);
    });
  }

  it('synth fmt --check passes on the spec synth init writes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-init-fmt-'));
    expect(synth(['init', dir]).code).toBe(0);
    const specs = readdirSync(dir).filter((f) => f.endsWith('.synth'));
    expect(specs.length).toBeGreaterThan(0);
    const r = synth(['fmt', '--check', ...specs.map((f) => path.join(dir, f))]);
    expect(r.stderr).not.toContain('would reformat');
    expect(r.code).toBe(0);
  });
});
