// The incremental parser must agree with `parseSynth` on every text, including after random edits.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSynth } from '../../grammar/parse.js';
import { DocumentParser } from '../../lsp/incremental-parse.js';
import { exampleSpecs } from '../support/examples.js';
import { mulberry, randomEdit } from './support/edits.js';

function snapshot(r: { file: { imports: unknown[]; decls: unknown[]; comments: unknown[] }; diagnostics: unknown[] }): string {
  return JSON.stringify({ imports: r.file.imports, decls: r.file.decls, comments: r.file.comments, diagnostics: r.diagnostics });
}

describe('incremental parse', () => {
  for (const spec of exampleSpecs().filter((f) => statSync(f).isFile())) {
    it(`matches parseSynth under random edits: ${spec.split('/').slice(-1)[0]}`, () => {
      const rnd = mulberry(spec.length);
      const original = readFileSync(spec, 'utf8');
      const p = new DocumentParser('/x.synth');
      let text = original;
      for (let i = 0; i < 400; i++) {
        text = i % 60 === 59 ? original : randomEdit(text, rnd);
        const got = snapshot(p.parse(text));
        const want = snapshot(parseSynth(text, '/x.synth'));
        if (got !== want) {
          // keep the failing text in the report
          expect({ text, got: JSON.parse(got) }).toEqual({ text, got: JSON.parse(want) });
        }
      }
      expect(p.stats.segmentsParsed).toBeLessThan(p.stats.parses * 4);
    });
  }
});
