// docs/language.md must match the implementation: its diagnostic table is the one generated from the registry,
// every setting, sampler, function and aggregate is mentioned, and every ```synth block not marked `error` parses
// cleanly.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGGREGATES, FUNCTIONS, SAMPLERS } from '../../compiler/builtins.js';
import * as S from '../../compiler/settings.js';
import { SIM_SETTINGS } from '../../compiler/sim/builtins.js';
import { DIAGNOSTICS } from '../../base/diagnostics.js';
import { parseSynth } from '../../grammar/parse.js';
import { LineIndex } from '../../base/source.js';
import { BEGIN, END, diagnosticTable } from '../../scripts/gen-diagnostic-docs.js';
import { ROOT } from '../support/examples.js';

const DOC = path.join(ROOT, 'docs', 'language.md');
const doc = readFileSync(DOC, 'utf8');

interface Block {
  info: string;
  code: string;
  line: number; // 1-based line of the opening fence
}

function synthBlocks(md: string): Block[] {
  const out: Block[] = [];
  const re = /^```(synth[^\n]*)\n([\s\S]*?)^```$/gm;
  for (const m of md.matchAll(re)) out.push({ info: m[1]!.trim(), code: m[2]!, line: md.slice(0, m.index).split('\n').length });
  return out;
}

describe('docs/language.md', () => {
  it('documents every diagnostic code in the registry', () => {
    const missing = Object.keys(DIAGNOSTICS).filter((code) => !new RegExp(`^\\| ${code} \\|`, 'm').test(doc));
    expect(missing).toEqual([]);
    // and documents no code that does not exist
    const unknown = [...doc.matchAll(/SYN\d{4}/g)].map((m) => m[0]).filter((c) => !(c in DIAGNOSTICS));
    expect(unknown).toEqual([]);
  });

  it('has the diagnostic table generated from the registry (run `npx tsx scripts/gen-diagnostic-docs.ts`)', () => {
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start, 'the table markers').toBeGreaterThan(0);
    expect(doc.slice(start, end + END.length)).toBe(diagnosticTable());
    // one row per code, each with a title, a message and what to do
    for (const [code, d] of Object.entries(DIAGNOSTICS)) {
      expect(d.title.length, code).toBeGreaterThan(0);
      expect(d.help?.length ?? 0, `${code} says what to do`).toBeGreaterThan(0);
    }
  });

  it('mentions every setting, sampler, function and aggregate', () => {
    const names = [
      ...Object.keys(S.GOAL_SETTINGS),
      ...Object.keys(S.MODEL_SETTINGS),
      ...Object.keys(S.PROMPT_SETTINGS),
      ...Object.keys(S.SOURCE_SETTINGS),
      ...Object.keys(S.DATASET_SETTINGS),
      ...Object.keys(SIM_SETTINGS),
      ...Object.keys(SAMPLERS),
      ...Object.keys(FUNCTIONS),
      ...Object.keys(AGGREGATES),
    ];
    const missing = [...new Set(names)].filter((n) => !doc.includes('`' + n) && !doc.includes(' ' + n + '('));
    expect(missing).toEqual([]);
  });

  const blocks = synthBlocks(doc);
  it('has synth examples', () => {
    expect(blocks.filter((b) => b.info === 'synth').length).toBeGreaterThanOrEqual(5);
    expect(blocks.every((b) => b.info === 'synth' || b.info === 'synth error')).toBe(true);
  });

  it.each(blocks.filter((b) => b.info === 'synth').map((b) => [b.line, b] as const))('the example at line %i parses', (_line, b) => {
    const { diagnostics } = parseSynth(b.code, 'doc.synth');
    const li = new LineIndex(b.code);
    const syntax = diagnostics
      .filter((d) => d.code.startsWith('SYN0'))
      .map((d) => `docs/language.md:${b.line + 1 + li.position(d.span.start).line}: ${d.code} ${d.message}`);
    expect(syntax).toEqual([]);
  });

  it.each(blocks.filter((b) => b.info === 'synth error').map((b) => [b.line, b] as const))('the error example at line %i has errors', (_line, b) => {
    expect(parseSynth(b.code, 'doc.synth').diagnostics.length).toBeGreaterThan(0);
  });
});
