// The incremental parser must agree with `parseSynth` on every text, including after random edits.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSynth } from '../../grammar/parse.js';
import { DocumentParser } from '../../lsp/incremental-parse.js';
import { exampleSpecs } from '../support/examples.js';
import { mulberry32 } from '../support/prng.js';
import { editSession, randomEdit } from './support/edits.js';

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

  // Runs of edits undone one by one on several copies of the examples: unterminated strings and comments in the
  // middle of a long text (the edits after them resynchronise with the old boundaries), segments dropped and
  // brought back by an undo (reused, not parsed again).
  it('matches parseSynth at every step of undo-heavy sessions on a long text, reusing dropped segments', () => {
    const original = exampleSpecs()
      .filter((f) => statSync(f).isFile())
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
      .repeat(2);
    const p = new DocumentParser('/x.synth');
    const rnd = mulberry32(77);
    let step = 0;
    let unterminatedSteps = 0;
    for (const text of editSession(original, 300, rnd)) {
      const want = parseSynth(text, '/x.synth');
      const d = differs(snapshot(p.parse(text)), snapshot(want));
      if (d) expect({ step, text, d }).toBeUndefined();
      if (want.diagnostics.some((x) => x.code === 'SYN0007' || /unterminated/i.test(x.message))) unterminatedSteps++;
      step++;
    }
    expect(unterminatedSteps).toBeGreaterThan(10);
    expect(p.stats.recalled).toBeGreaterThan(50);
    // far fewer characters parsed than a full parse per step (a segment swallowed by an unterminated string to the
    // end of the text is parsed whole on every edit inside it)
    expect(p.stats.charsParsed).toBeLessThan(original.length * step * 0.15);
  });
});
