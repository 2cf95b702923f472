// The incremental checker (compiler/check-session.ts) must agree with a fresh check of the same AST after every
// edit: same diagnostics in the same order, same references, expression types and type references.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as A from '../../grammar/ast.js';
import { checkProgram, type CheckResult } from '../../compiler/check.js';
import { CheckSession } from '../../compiler/check/session.js';
import { loadProgram, type Host } from '../../compiler/program.js';
import { DocumentParser } from '../../lsp/incremental-parse.js';
import { exampleSpecs } from '../support/examples.js';
import { mulberry32 } from '../support/prng.js';
import { randomEdit } from './support/edits.js';

const json = (x: unknown) => JSON.stringify(x);

function tables(r: CheckResult) {
  const ctx = r.ctx;
  const s = r.symbols;
  return {
    diagnostics: json(r.diagnostics),
    // the table by declaration identity: a reused table must hold the re-parsed declarations
    symbols: new Map<object, string>([...[...s.byName].map(([k, v]) => [v.decl, `${k} ${v.file}`] as const), ...(s.goal ? [[s.goal.decl, `goal ${s.goal.file}`] as const] : [])]),
    enumCases: json([...s.enumCases]),
    references: new Map([...ctx.references].map(([k, v]) => [k, json(v)])),
    exprTypes: new Map([...ctx.exprTypes].map(([k, v]) => [k, json(v)])),
    typeRefs: new Map([...ctx.typeRefs].map(([k, v]) => [k, json(v)])),
  };
}

/** The first difference between two node-keyed tables, described. */
function tableDiff(name: string, got: Map<object, string>, want: Map<object, string>): string | undefined {
  for (const [k, v] of want) {
    if (!got.has(k)) return `${name}: missing ${json(k).slice(0, 120)}`;
    if (got.get(k) !== v) return `${name}: ${json(k).slice(0, 120)} is ${got.get(k)}, want ${v}`;
  }
  for (const k of got.keys()) if (!want.has(k)) return `${name}: extra ${json(k).slice(0, 120)}`;
  return undefined;
}

describe('incremental check', () => {
  for (const spec of exampleSpecs()) {
    it(`matches a fresh check under random edits: ${spec.split('/').slice(-1)[0]}`, () => {
      const rnd = mulberry32(spec.length * 7);
      const original = readFileSync(spec, 'utf8');
      const parsers = new Map<string, DocumentParser>();
      const host: Host = {
        readFile: (p) => {
          try {
            return readFileSync(p, 'utf8');
          } catch {
            return undefined;
          }
        },
        parse: (text, p) => {
          let parser = parsers.get(p);
          if (!parser) parsers.set(p, (parser = new DocumentParser(p)));
          return parser.parse(text);
        },
      };
      const session = new CheckSession();
      let text = original;
      for (let i = 0; i < 150; i++) {
        text = i % 40 === 39 ? original : randomEdit(text, rnd);
        const program = loadProgram(spec, host, text);
        const incResult = checkProgram(program, { session });
        // a check that crashed would be hidden as SYN9001: on these edits, none may
        const crashed = incResult.diagnostics.find((x) => x.code === 'SYN9001');
        if (crashed) expect({ step: i, text, crashed: crashed.message }).toBeUndefined();
        const inc = tables(incResult);
        const fresh = tables(checkProgram(program));
        const d =
          (inc.diagnostics !== fresh.diagnostics ? `diagnostics: ${inc.diagnostics} vs ${fresh.diagnostics}` : undefined) ??
          (inc.enumCases !== fresh.enumCases ? `enum cases: ${inc.enumCases} vs ${fresh.enumCases}` : undefined) ??
          tableDiff('symbols', inc.symbols, fresh.symbols) ??
          tableDiff('references', inc.references, fresh.references) ??
          tableDiff('exprTypes', inc.exprTypes as Map<A.Expr, string>, fresh.exprTypes) ??
          tableDiff('typeRefs', inc.typeRefs, fresh.typeRefs);
        if (d) expect({ step: i, text, d }).toBeUndefined();
      }
      // most declarations are replayed, not checked again
      expect(session.stats.replayed).toBeGreaterThan(session.stats.checked);
    });
  }
});
