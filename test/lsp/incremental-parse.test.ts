// The incremental parser must agree with `parseSynth` on every text, including after random edits.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSynth } from '../../grammar/parse.js';
import { DocumentParser } from '../../lsp/incremental-parse.js';
import { exampleSpecs } from '../support/examples.js';
import { mulberry32 } from '../support/prng.js';
import { randomEdit } from './support/edits.js';

function snapshot(r: { file: { imports: unknown[]; decls: unknown[]; comments: unknown[] }; diagnostics: unknown[] }): unknown {
  return JSON.parse(JSON.stringify({ imports: r.file.imports, decls: r.file.decls, comments: r.file.comments, diagnostics: r.diagnostics }));
}

/**
 * Structural equality, except where parseSynth has the parser's "no location" placeholder offset 0 (a Missing
 * node without a token, grammar/to-ast.ts `spanOf`): there the incremental parser gives the declaration's start.
 */
function differs(got: unknown, want: unknown, path = ''): string | undefined {
  if (typeof want === 'number' && (path.endsWith('.start') || path.endsWith('.end')) && want === 0) return undefined;
  if (typeof got !== typeof want || Array.isArray(got) !== Array.isArray(want)) return `${path}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`;
  if (got && typeof got === 'object') {
    const g = got as Record<string, unknown>;
    const w = want as Record<string, unknown>;
    const keys = new Set([...Object.keys(g), ...Object.keys(w)]);
    for (const k of keys) {
      const d = differs(g[k], w[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return got === want ? undefined : `${path}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`;
}

describe('incremental parse', () => {
  for (const spec of exampleSpecs().filter((f) => statSync(f).isFile())) {
    it(`matches parseSynth under random edits: ${spec.split('/').slice(-1)[0]}`, () => {
      const rnd = mulberry32(spec.length);
      const original = readFileSync(spec, 'utf8');
      const p = new DocumentParser('/x.synth');
      let text = original;
      for (let i = 0; i < 120; i++) {
        text = i % 30 === 29 ? original : randomEdit(text, rnd);
        const d = differs(snapshot(p.parse(text)), snapshot(parseSynth(text, '/x.synth')));
        if (d) expect({ step: i, text, d }).toBeUndefined();
      }
      expect(p.stats.segmentsParsed).toBeLessThan(p.stats.parses * 4);
    });
  }
});
