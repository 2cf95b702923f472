import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../compiler/format.js';
import { parseSynth } from '../../grammar/parse.js';
import { exampleSpecs } from '../support/examples.js';

const ugly = `// leading comment
goal   "g"{seed 1   split{train:0.5,test:0.5}} // trailing
enum E{a,b,   c}
/* block
   comment */
struct S {
  x: int @range( 1 .. 5 ) // why x
  // about y
  y: string?
}
dataset d : S {
  count 3
  vary v ~ weighted{a:0.5,b:0.5}
  row = {x: 1+2*3, y: if_else((1 > 2) && true, "a", "b")}
  check (row.x - 1) - 2 > 0 // a check
}
`;

describe('formatter', () => {
  it('is idempotent and keeps every comment', () => {
    const once = formatSource(ugly).text!;
    expect(formatSource(once).text).toBe(once);
    for (const c of parseSynth(ugly, 'u').file.comments) expect(once).toContain(c.text.split('\n')[0]!.trim());
  });

  it('prints the canonical layout', () => {
    const once = formatSource(ugly).text!;
    expect(once).toContain('goal "g" {\n  seed 1\n  split { train: 0.5, test: 0.5 }\n} // trailing');
    expect(once).toContain('enum E { a, b, c }');
    expect(once).toContain('  x: int @range(1..5) // why x\n  // about y\n  y: string?');
    expect(once).toContain('vary v ~ weighted { a: 0.5, b: 0.5 }');
    expect(once).toContain('check row.x - 1 - 2 > 0 // a check');
  });

  it('keeps parentheses that carry meaning', () => {
    const src = 'dataset d { count 1 row = { a: (1 + 2) * 3, b: 10 - (4 - 3), c: !(true && false) } }\n';
    const out = formatSource(src).text!;
    expect(out).toContain('a: (1 + 2) * 3');
    expect(out).toContain('b: 10 - (4 - 3)');
    expect(out).toContain('c: !(true && false)');
  });

  it('refuses to format a file with syntax errors', () => {
    const r = formatSource('struct S { x: }\n');
    expect(r.text).toBeUndefined();
    expect(r.diagnostics[0]!.code).toBe('SYN0001');
  });

  for (const spec of exampleSpecs()) {
    it(`is idempotent on ${path.basename(spec)}`, () => {
      const text = readFileSync(spec, 'utf8');
      const once = formatSource(text, spec).text!;
      expect(once).toBeDefined();
      expect(formatSource(once, spec).text).toBe(once);
    });
  }
});
