// The TextMate grammar (vscode-extension/syntaxes/synth.tmLanguage.json), tokenized as VS Code does it.
// Scope assertions on small fixtures, plus a token snapshot of every example (refresh: `npx vitest run
// test/vscode -u`, then review the diff of test/vscode/__snapshots__/).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARD_KEYWORDS, SOFT_KEYWORDS } from '../../grammar/lexer.js';
import { grammarJson } from '../../vscode-extension/syntaxes/synth-grammar.mjs';
import { GRAMMAR_FILE, ROOT, dump, scopesOf, tokenize, type Token } from './support/textmate.js';

/** The innermost scope of the nth token `text` in `source`. */
async function scope(source: string, text: string, nth = 0): Promise<string> {
  return scopesOf(await tokenize(source), text, nth).at(-1)!;
}

/** All scopes of the nth token `text`. */
async function scopes(source: string, text: string, nth = 0): Promise<string[]> {
  return scopesOf(await tokenize(source), text, nth);
}

const has = (tokens: Token[], pred: (s: string) => boolean) => tokens.some((t) => t.scopes.some(pred));

describe('TextMate grammar', () => {
  it('the JSON the extension ships is generated from synth-grammar.mjs (run scripts/build-extension.mjs)', () => {
    expect(readFileSync(GRAMMAR_FILE, 'utf8')).toBe(grammarJson());
  });

  it('declaration keywords and names', async () => {
    const src = [
      'import "shared.synth"',
      'goal "g" { seed 1 }',
      'enum Tier { free, pro }',
      'struct Ticket { subject: string }',
      'model writer { temperature 0.5 }',
      'prompt ask(q: string) -> Ticket { model writer }',
      'source docs = files("docs/*.md") { chunk 512 }',
      'sim traffic { worlds 4 }',
      'dataset tickets: Ticket { count 5 }',
    ].join('\n');
    expect(await scope(src, 'import')).toBe('keyword.control.import.synth');
    for (const kw of ['goal', 'enum', 'struct', 'model', 'prompt', 'source', 'sim', 'dataset']) {
      expect(await scope(src, kw), kw).toBe(`storage.type.${kw}.synth`);
    }
    expect(await scope(src, 'Tier')).toBe('entity.name.type.enum.synth');
    expect(await scope(src, 'Ticket')).toBe('entity.name.type.struct.synth');
    expect(await scope(src, 'writer')).toBe('entity.name.type.model.synth');
    expect(await scope(src, 'ask')).toBe('entity.name.function.prompt.synth');
    expect(await scope(src, 'docs')).toBe('entity.name.type.source.synth');
    expect(await scope(src, 'traffic')).toBe('entity.name.type.sim.synth');
    expect(await scope(src, 'tickets')).toBe('entity.name.type.dataset.synth');
    expect(await scope(src, 'free')).toBe('variable.other.enummember.synth');
    expect(await scope(src, 'seed')).toBe('support.type.property-name.synth');
    expect(await scope(src, 'chunk')).toBe('support.type.property-name.synth');
  });

  it('dataset clauses are keywords at the start of a line', async () => {
    const src = [
      'dataset d: T {',
      '  count 10',
      '  for e in traffic.crash each 3',
      '  vary tier ~ weighted { free: 0.6, pro: 0.4 }',
      '  vary mood in Mood',
      '  let answer = ask(row.q)',
      '  row = write(tier)',
      '  check len(row.body) >= 40',
      '  keep tier, mood',
      '  unique row.body similarity 0.85',
      '  judge realism = rate(row) >= 4',
      '  expect share(tier == pro) in 0.05..0.15',
      '  output "out/d.jsonl"',
      '  seed 7',
      '}',
    ].join('\n');
    for (const kw of ['count', 'vary', 'check', 'keep', 'unique', 'judge', 'expect', 'output']) {
      expect(await scope(src, kw), kw).toBe(`keyword.other.${kw}.synth`);
    }
    expect(await scope(src, 'row', 1)).toBe('keyword.other.row.synth'); // `row = write(tier)`
    expect(await scope(src, 'for')).toBe('keyword.control.loop.synth');
    expect(await scope(src, 'let')).toBe('storage.type.let.synth');
    expect(await scope(src, 'in')).toBe('keyword.operator.expression.in.synth');
    expect(await scope(src, 'each')).toBe('keyword.other.each.synth');
    expect(await scope(src, 'similarity')).toBe('keyword.other.similarity.synth');
    expect(await scope(src, 'weighted')).toBe('support.function.builtin.synth');
    expect(await scope(src, 'tier')).toBe('variable.other.definition.synth');
    expect(await scope(src, 'realism')).toBe('variable.other.definition.synth');
    expect(await scope(src, '~')).toBe('keyword.operator.sample.synth');
    expect(await scope(src, 'Mood')).toBe('entity.name.type.synth');
    expect(await scope(src, 'seed')).toBe('support.type.property-name.synth');
    // `row` in an expression is the generated record, not the clause keyword
    expect(await scope(src, 'row', 0)).toBe('variable.language.row.synth'); // ask(row.q)
    expect(await scope(src, 'row', 2)).toBe('variable.language.row.synth'); // len(row.body)
  });

  it('soft keywords used as names are not keywords', async () => {
    const src = [
      'struct Doc {',
      '  count: int',
      '  source: string',
      '  model: string @desc("which model")',
      '  row: int',
      '}',
      'prompt p(source: string, count: int) -> Doc { model m }',
      'dataset d: Doc {',
      '  row = { count: 1, source: "x", model: "m", row: 2 }',
      '  check row.count > 0 && row.source != ""',
      '}',
    ].join('\n');
    const tokens = await tokenize(src);
    const field = (name: string, nth: number) => scopesOf(tokens, name, nth).at(-1);
    expect(field('count', 0)).toBe('variable.other.property.synth');
    expect(field('source', 0)).toBe('variable.other.property.synth');
    expect(field('model', 0)).toBe('variable.other.property.synth');
    expect(field('row', 0)).toBe('variable.other.property.synth');
    expect(field('source', 1)).toBe('variable.parameter.synth');
    expect(field('count', 1)).toBe('variable.parameter.synth');
    expect(field('count', 2)).toBe('variable.other.property.synth'); // record key
    expect(field('row', 2)).toBe('variable.other.property.synth'); // record key `row: 2`
    expect(field('count', 3)).toBe('variable.other.property.synth'); // row.count
    // every soft keyword works as a struct field name
    const fields = SOFT_KEYWORDS.map((k) => `  ${k}: int`).join('\n');
    const all = await tokenize(`struct S {\n${fields}\n}`);
    SOFT_KEYWORDS.forEach((k, i) => {
      const token = all.find((t) => t.line === i + 1 && t.text === k);
      expect(token?.scopes.at(-1), k).toBe('variable.other.property.synth');
    });
  });

  it('hard keywords are keywords everywhere', async () => {
    const src = [
      'sim s {',
      '  state done: bool = false',
      '  rule r when !done {',
      '    let g = min(o.x for o in agents where o.x > 0.0, default 1e9)',
      '    if g < 1.0 { done = true; emit hit { at: step } } else { done = false }',
      '  }',
      '}',
    ].join('\n');
    const expected: Record<string, string> = {
      true: 'constant.language.boolean.synth',
      false: 'constant.language.boolean.synth',
      if: 'keyword.control.conditional.synth',
      else: 'keyword.control.conditional.synth',
      for: 'keyword.control.loop.synth',
      in: 'keyword.operator.expression.in.synth',
      let: 'storage.type.let.synth',
      emit: 'keyword.control.emit.synth',
      where: 'keyword.control.synth',
      when: 'keyword.control.synth',
      default: 'keyword.control.synth',
    };
    for (const kw of HARD_KEYWORDS) expect(await scope(src, kw), kw).toBe(expected[kw]);
  });

  it('types: primitives, names, arrays, optionals, string unions', async () => {
    const src = [
      'struct T {',
      '  a: string @len(1..5)',
      '  b: int[]',
      '  c: Tier?',
      '  d: "low" | "high"',
      '  e: vec2f',
      '}',
      'prompt p(x: float, y: Tier[]) -> T { model m }',
      'sim s { state v: f32 = 0.0 }',
    ].join('\n');
    expect(await scope(src, 'string')).toBe('support.type.primitive.synth');
    expect(await scope(src, 'int')).toBe('support.type.primitive.synth');
    expect(await scope(src, '[]')).toBe('punctuation.definition.type.array.synth');
    expect(await scope(src, 'Tier')).toBe('entity.name.type.synth');
    expect(await scope(src, '?')).toBe('keyword.operator.type.optional.synth');
    expect(await scope(src, '"low"')).toBe('string.quoted.double.synth');
    expect(await scope(src, '|')).toBe('keyword.operator.type.union.synth');
    expect(await scope(src, 'vec2f')).toBe('support.type.primitive.synth');
    expect(await scope(src, 'float')).toBe('support.type.primitive.synth');
    expect(await scope(src, 'Tier', 1)).toBe('entity.name.type.synth');
    expect(await scope(src, 'T', 1)).toBe('entity.name.type.synth'); // return type
    expect(await scope(src, 'f32')).toBe('support.type.primitive.synth');
  });

  it('decorators', async () => {
    const src = 'struct T {\n  a: string  @len(5..80)  @desc("what it is")  @pattern("^[a-z]+$")\n}';
    expect(await scope(src, '@')).toBe('punctuation.decorator.synth');
    expect(await scope(src, 'len')).toBe('entity.name.function.decorator.synth');
    expect(await scope(src, 'desc')).toBe('entity.name.function.decorator.synth');
    expect(await scopes(src, '5')).toContain('meta.decorator.synth');
    expect(await scope(src, '5')).toBe('constant.numeric.integer.synth');
    expect(await scope(src, '..')).toBe('keyword.operator.range.synth');
    expect(await scope(src, 'what it is')).toBe('string.quoted.double.synth');
  });

  it('template strings in prompts: holes, escapes, triple quotes', async () => {
    const src = [
      'prompt p(tier: Tier, tags: string[]) -> T {',
      '  system "You are {tier} support. JSON: \\{\\"a\\": 1\\}"',
      '  user """',
      '    A {tier} customer with tags {join(tags, ", ")}.',
      '    Reply like \\{"subject": "..."}.',
      '    """',
      '}',
    ].join('\n');
    const tokens = await tokenize(src);
    const system = scopesOf(tokens, 'tier', 1); // inside the system message
    expect(system).toContain('string.quoted.double.template.synth');
    expect(system).toContain('meta.template.expression.synth');
    expect(system).toContain('meta.embedded.line.synth');
    expect(system.at(-1)).toBe('variable.other.readwrite.synth');
    expect(scopesOf(tokens, '{', 1).at(-1)).toBe('punctuation.definition.template-expression.begin.synth');
    expect(scopesOf(tokens, '\\{', 0).at(-1)).toBe('constant.character.escape.synth');
    expect(scopesOf(tokens, '\\"', 0).at(-1)).toBe('constant.character.escape.synth');
    expect(scopesOf(tokens, 'system').at(-1)).toBe('support.type.property-name.message.synth');
    expect(scopesOf(tokens, 'user').at(-1)).toBe('support.type.property-name.message.synth');
    expect(scopesOf(tokens, '"""', 0).at(-1)).toBe('punctuation.definition.string.begin.synth');
    expect(scopesOf(tokens, '"""', 0)).toContain('string.quoted.triple.template.synth');
    const inTriple = scopesOf(tokens, 'tier', 2);
    expect(inTriple).toContain('string.quoted.triple.template.synth');
    expect(inTriple).toContain('meta.embedded.line.synth');
    // a call with a string argument inside a hole of a triple-quoted template
    expect(scopesOf(tokens, 'join').at(-1)).toBe('support.function.builtin.synth');
    expect(scopesOf(tokens, ', ').at(-1)).toBe('string.quoted.double.synth');
    expect(scopesOf(tokens, ', ')).toContain('meta.template.expression.synth');
    // `\{` opens no hole: the text after it is plain template text
    expect(scopesOf(tokens, '"subject": "..."}.').at(-1)).toBe('string.quoted.triple.template.synth');
    expect(scopesOf(tokens, '"subject": "..."}.')).not.toContain('meta.template.expression.synth');
    // the prompt body closes after the template
    expect(tokens.at(-1)!.scopes.at(-1)).toBe('punctuation.section.block.end.synth');
  });

  it('format clauses hold templates; other strings are plain', async () => {
    const src = [
      'dataset d: T {',
      '  row = { a: "{not_a_hole}" }',
      '  format chat { system: "Be brief.", user: "{row.question}", assistant: "{row.answer}" }',
      '  output "out/{name}.jsonl"',
      '}',
      'model m { name "{x}" }',
    ].join('\n');
    const tokens = await tokenize(src);
    expect(scopesOf(tokens, 'format').at(-1)).toBe('keyword.other.format.synth');
    expect(scopesOf(tokens, 'question')).toContain('meta.template.expression.synth');
    expect(scopesOf(tokens, 'question')).toContain('string.quoted.double.template.synth');
    expect(scopesOf(tokens, 'answer')).toContain('meta.embedded.line.synth');
    expect(scopesOf(tokens, '{not_a_hole}').at(-1)).toBe('string.quoted.double.synth');
    expect(scopesOf(tokens, 'out/{name}.jsonl').at(-1)).toBe('string.quoted.double.synth');
    expect(scopesOf(tokens, '{x}').at(-1)).toBe('string.quoted.double.synth');
  });

  it('comments: line, block, documentation; not inside strings', async () => {
    const src = [
      '/// A ticket.',
      'struct T { // trailing',
      '  /* block',
      '     over lines */ a: int',
      '}',
      'model m { base_url "http://example.com" }',
    ].join('\n');
    const tokens = await tokenize(src);
    expect(scopesOf(tokens, ' A ticket.').at(-1)).toBe('comment.line.triple-slash.documentation.synth');
    expect(scopesOf(tokens, ' trailing').at(-1)).toBe('comment.line.double-slash.synth');
    expect(scopesOf(tokens, '/*').at(-1)).toBe('punctuation.definition.comment.begin.synth');
    expect(scopesOf(tokens, '     over lines ').at(-1)).toBe('comment.block.synth');
    expect(scopesOf(tokens, 'a').at(-1)).toBe('variable.other.property.synth'); // after the comment closes
    expect(scopesOf(tokens, 'http://example.com').at(-1)).toBe('string.quoted.double.synth');
    expect(has(tokens.filter((t) => t.line === 5), (s) => s.startsWith('comment'))).toBe(false);
  });

  it('numbers and durations', async () => {
    const src = 'model gpt {\n  tpm 200_000\n  temperature 0.9\n  big 1e9\n  timeout 60s\n  wait 5m\n  tick 100ms\n  long 1.5h\n  r 1..5\n}';
    expect(await scope(src, '200_000')).toBe('constant.numeric.integer.synth');
    expect(await scope(src, '0.9')).toBe('constant.numeric.float.synth');
    expect(await scope(src, '1e9')).toBe('constant.numeric.float.synth');
    for (const [num, unit] of [['60', 's'], ['5', 'm'], ['100', 'ms'], ['1.5', 'h']]) {
      expect(await scope(src, num!), num).toBe('constant.numeric.duration.synth');
      expect(await scope(src, unit!), unit).toBe('keyword.other.unit.synth');
    }
    expect(await scope(src, '1')).toBe('constant.numeric.integer.synth');
    expect(await scope(src, '..')).toBe('keyword.operator.range.synth');
  });

  it('simulation blocks', async () => {
    const src = readFileSync(path.join(ROOT, 'examples/traffic/traffic.synth'), 'utf8');
    const tokens = await tokenize(src);
    expect(scopesOf(tokens, 'worlds').at(-1)).toBe('support.type.property-name.synth');
    expect(scopesOf(tokens, 'param').at(-1)).toBe('storage.type.param.synth');
    expect(scopesOf(tokens, 'state').at(-1)).toBe('storage.type.state.synth');
    expect(scopesOf(tokens, 'dt').at(-1)).toBe('variable.other.definition.synth');
    expect(scopesOf(tokens, 'rule').at(-1)).toBe('storage.type.rule.synth');
    expect(scopesOf(tokens, 'drive').at(-1)).toBe('entity.name.function.rule.synth');
    expect(scopesOf(tokens, 'drive')).toContain('meta.sim.declaration.synth');
    expect(scopesOf(tokens, 'event').at(-1)).toBe('storage.type.event.synth');
    expect(scopesOf(tokens, 'crash', 0).at(-1)).toBe('entity.name.type.event.synth'); // emit crash {...}
    expect(scopesOf(tokens, 'observe').at(-1)).toBe('keyword.other.observe.synth');
    expect(scopesOf(tokens, 'every').at(-1)).toBe('keyword.other.every.synth');
    expect(scopesOf(tokens, 'agents', 1).at(-1)).toBe('variable.language.synth'); // `for o in agents`
    expect(scopesOf(tokens, 'step', 0).at(-1)).toBe('variable.language.synth');
    expect(scopesOf(tokens, 'clamp').at(-1)).toBe('support.function.builtin.synth');
    expect(scopesOf(tokens, 'speed', 2).at(-1)).toBe('variable.other.readwrite.synth'); // `speed = ...`
    const ops = ['->', '..', '==', '!=', '<=', '&&', '||', '+=', '~'];
    const opSrc = 'sim s {\n  rule r {\n    x += 1.0\n    y = a == b && c != d || e <= f\n  }\n}\nprompt p() -> T { model m }\ndataset d: T { vary x ~ normal(0.0, 1.0)\n  expect mean(x) in 1..2 }';
    const opTokens = await tokenize(opSrc);
    for (const op of ops) expect(scopesOf(opTokens, op).at(-1), op).toMatch(/^keyword\.operator\./);
  });

  it('an unclosed body stops at the next unindented declaration', async () => {
    const src = ['struct T {', '  a: int', '', 'dataset d: T {', '  count 3', '}'].join('\n');
    const tokens = await tokenize(src);
    expect(scopesOf(tokens, 'dataset').at(-1)).toBe('storage.type.dataset.synth');
    expect(scopesOf(tokens, 'dataset')).not.toContain('meta.struct.declaration.synth');
    expect(scopesOf(tokens, 'count').at(-1)).toBe('keyword.other.count.synth');
  });

  describe('snapshots of the examples', () => {
    const dir = path.join(ROOT, 'examples');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.synth') && statSync(path.join(dir, f)).isFile())
      .sort();
    it.each(files)('%s', async (file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const tokens = await tokenize(text);
      await expect(dump(tokens, text.split('\n'))).toMatchFileSnapshot(`__snapshots__/${path.basename(file)}.tokens`);
    });
  });
});
