// Fuzzing the front end: random and mutated specs go through parseSynth and checkProgram, which must always
// return diagnostics and never throw (no stack overflow on deep nesting, no crash on recovered ASTs). A check
// that throws is caught and reported as SYN9001 (a bug in Synth), so that code fails the fuzz test too.
// Seeded, so a failure reproduces: FUZZ_SEED=<seed> FUZZ_CASES=<n> npx vitest run test/fuzz
import { describe, expect, it } from 'vitest';
import { checkProgram } from '../../compiler/check.js';
import { loadProgram, type Host } from '../../compiler/program.js';
import { DIAGNOSTICS } from '../../base/diagnostics.js';
import { parseSynth } from '../../grammar/parse.js';
import { corpus, generate } from './generate.js';
import { mulberry32 } from '../support/prng.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed2024);
const CASES = Number(process.env['FUZZ_CASES'] ?? 10_000);

describe('fuzz: parse and check never throw', () => {
  it(`${CASES} random and mutated inputs (seed ${SEED})`, () => {
    const r = mulberry32(SEED);
    const entry = '/fuzz/spec.synth';
    for (let i = 0; i < CASES; i++) {
      const { how, text } = generate(r);
      // In-memory host: imports resolve to other corpus texts or to nothing, never to the disk.
      // The parse hook captures the entry's own parse result (so each input is parsed once).
      let parsed: ReturnType<typeof parseSynth> | undefined;
      const host: Host = {
        readFile: (p) => (p.endsWith('imported.synth') ? corpus[0] : undefined),
        parse: (t, p) => {
          const r = parseSynth(t, p);
          if (p === entry) parsed = r;
          return r;
        },
      };
      try {
        const res = checkProgram(loadProgram(entry, host, text));
        expect(Array.isArray(parsed?.diagnostics)).toBe(true);
        expect(Array.isArray(res.diagnostics)).toBe(true);
        for (const d of [...parsed!.diagnostics, ...res.diagnostics]) {
          if (!(d.code in DIAGNOSTICS)) throw new Error(`unknown code ${d.code}`);
          if (d.code === 'SYN9001') throw new Error(`a check crashed: ${d.message}`);
          if (d.file === entry && !(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length)) {
            throw new Error(`${d.code} span ${d.span.start}..${d.span.end} outside the text (length ${text.length})`);
          }
        }
      } catch (err) {
        const shown = text.length > 3000 ? text.slice(0, 1500) + `\n…[${text.length - 3000} chars]…\n` + text.slice(-1500) : text;
        throw new Error(
          `fuzz case ${i} failed (FUZZ_SEED=${SEED}, mutations: ${how}): ${(err as Error).message}\n` +
            `input (JSON): ${JSON.stringify(shown)}\n${(err as Error).stack ?? ''}`,
        );
      }
    }
  });
});
