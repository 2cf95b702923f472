// The plan of every shipped example, byte for byte: a refactoring that changes what `synth build` writes shows
// up here as a diff to explain. After an intended change, refresh with `UPDATE=1 npx vitest run test/plan/golden`
// and say in the commit why the plans changed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { exampleSpecs } from '../support/examples.js';

const GOLDEN = path.join(import.meta.dirname, 'golden');

describe('example plans', () => {
  for (const spec of exampleSpecs()) {
    const name = path.basename(spec, '.synth');
    it(`${name}: plan.json is byte-identical to test/plan/golden/${name}.plan.json`, () => {
      const res = checkFile(spec);
      expect(res.hasErrors).toBe(false);
      const { json } = buildPlan(res);
      const file = path.join(GOLDEN, `${name}.plan.json`);
      if (process.env['UPDATE'] === '1') writeFileSync(file, json);
      expect(existsSync(file), `no golden plan for ${name}: run with UPDATE=1 to write it`).toBe(true);
      expect(json).toBe(readFileSync(file, 'utf8'));
    });
  }
});
