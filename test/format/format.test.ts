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
    expect(once).toContain('goal "g" {\n  seed 1\n  split { train: 0.5, test: 0.5 }\n}  // trailing');
    expect(once).toContain('enum E { a, b, c }');
    expect(once).toContain('  x: int  @range(1..5)  // why x\n  // about y\n  y: string?');
    expect(once).toContain('vary v ~ weighted { a: 0.5, b: 0.5 }');
    expect(once).toContain('check row.x - 1 - 2 > 0  // a check');
  });

  it('aligns trailing comments of consecutive lines, and constraint columns of a run of fields', () => {
    const src = `model m {
  provider openai // any endpoint
  concurrency 32 // in flight
  rpm 500 // per minute

  tpm 200_000 // alone after a blank line
}

struct T {
  subject: string @len(5..80)
  body: string @len(40..1200) @desc("first person")
  note: string
  tags: string[] @items(0..5)

  priority: int @range(1..5)
}
`;
    const out = formatSource(src).text!;
    expect(out).toContain(
      '  provider openai  // any endpoint\n  concurrency 32   // in flight\n  rpm 500          // per minute\n\n  tpm 200_000  // alone after a blank line\n',
    );
    expect(out).toContain(
      '  subject: string  @len(5..80)\n  body: string     @len(40..1200)  @desc("first person")\n  note: string\n  tags: string[]   @items(0..5)\n\n  priority: int  @range(1..5)\n',
    );
    expect(formatSource(out).text).toBe(out);
  });

  it('breaks a record that does not fit in 100 columns, one entry per line, and nested ones in turn', () => {
    const long = 'x'.repeat(40);
    const src = `dataset d { count 1 row = { a: "${long}", b: { c: "${long}", d: "${long}" }, e: 1 } }\n`;
    const out = formatSource(src).text!;
    expect(out).toContain(`  row = {\n    a: "${long}",\n    b: {\n      c: "${long}",\n      d: "${long}"\n    },\n    e: 1\n  }\n`);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(formatSource(out).text).toBe(out);
    // a short record stays on one line
    expect(formatSource('dataset d { count 1 row = { a: 1 } }\n').text).toContain('  row = { a: 1 }\n');
  });

  it('keeps adjacent one-line declarations together and blank lines between header comments', () => {
    const src = '// header\n\n// about the enums\nenum A { x }\nenum B { y }\n\nenum C { z }\nstruct S { a: int }\n';
    expect(formatSource(src).text).toBe('// header\n\n// about the enums\nenum A { x }\nenum B { y }\n\nenum C { z }\n\nstruct S {\n  a: int\n}\n');
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

describe('formatter: samplers, dates and filters (#14, #12)', () => {
  const src = `struct P{at:Position  born:date  seen:datetime?}
struct Position{x:float  y:float}
dataset d:P{
  for e in s.hit   each 2   where e.v>1.0&&e.world!=0
  count   300
  vary n~fake( "person.fullName" ,locale:"de" )
  vary b~uniform(date( "1950-01-01" ),date("2005-12-31"))
  vary p~normal(if_else(n=="x",500.0,50.0),10.0)
  row={at:{x:e.v,y:0.0},born:b,seen:datetime("2024-01-01T00:00:00Z")}
  check b<date("2000-01-01")
}
`;
  it('prints where, named arguments and date literals canonically, idempotently', () => {
    const once = formatSource(src).text!;
    expect(once).toContain('  for e in s.hit each 2 where e.v > 1.0 && e.world != 0\n');
    expect(once).toContain('  vary n ~ fake("person.fullName", locale: "de")\n');
    expect(once).toContain('  vary b ~ uniform(date("1950-01-01"), date("2005-12-31"))\n');
    expect(once).toContain('  vary p ~ normal(if_else(n == "x", 500.0, 50.0), 10.0)\n');
    expect(once).toContain('  row = { at: { x: e.v, y: 0.0 }, born: b, seen: datetime("2024-01-01T00:00:00Z") }\n');
    expect(once).toContain('  check b < date("2000-01-01")\n');
    expect(formatSource(once).text).toBe(once);
  });

  it('keeps a named argument where it was written', () => {
    const once = formatSource('dataset d {\n  vary n ~ fake(locale: "de", "person.fullName")\n}\n').text!;
    expect(once).toContain('fake(locale: "de", "person.fullName")');
  });
});

describe('formatter: tables, datasets that read datasets, nested for (#14)', () => {
  const src = `struct P{id:string @unique   tags:string[]}
source  people :P=table( "seed/people.csv" )
dataset d:P{
  for p in people   each randint( 1,5 )
  vary k~uuid( )
  vary n~seq()
  vary q~weighted( people ,popularity )
  for t in p.tags   each 2   where len(t)>2
  for x in ask(t).pairs
  row={id:k,tags:[t]}
}
`;
  it('prints each form canonically, idempotently', () => {
    const once = formatSource(src).text!;
    expect(once).toContain('  id: string  @unique\n');
    expect(once).toContain('source people: P = table("seed/people.csv")\n');
    expect(once).toContain('  for p in people each randint(1, 5)\n');
    expect(once).toContain('  vary k ~ uuid()\n  vary n ~ seq()\n');
    expect(once).toContain('  vary q ~ weighted(people, popularity)\n');
    expect(once).toContain('  for t in p.tags each 2 where len(t) > 2\n  for x in ask(t).pairs\n');
    expect(formatSource(once).text).toBe(once);
  });
});
