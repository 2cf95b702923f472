// The language server on realistic samplers and dates (#14): completion of faker's methods and locales inside
// `fake(…)`, hovers that describe a faker draw, a date range and a conditional sampler, and the prompt preview
// drawing a row with `fake` variables (the catalogue's example stands in for faker, which the server never loads).
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, Hover } from 'vscode-languageserver-protocol';
import { ROOT } from '../support/examples.js';
import { cursor, LspClient, uriOf } from './support/client.js';

let client: LspClient;
let n = 0;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

const SPEC = `enum Tier { basic, premium }
dataset people {
  count 10
  vary tier ~ uniform(Tier)
  vary name ~ fake("person.fullName", locale: "de")
  vary born ~ uniform(date("1950-01-01"), date("2005-12-31"))
  vary price ~ normal(if_else(tier == premium, 500.0, 50.0), 10.0)
  row = { name: name, born: born, price: price }
  output "out/people.jsonl"
}
`;

async function open(withMarker: string) {
  const c = cursor(withMarker);
  const uri = uriOf(path.join(ROOT, 'examples/tickets', `__samplers_${n++}.synth`));
  await client.open(uri, c.text);
  return { uri, c };
}

async function hover(after: string): Promise<string> {
  const i = SPEC.indexOf(after);
  const { uri, c } = await open(SPEC.slice(0, i + after.length) + '<|>' + SPEC.slice(i + after.length));
  const r = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: c.position });
  return r ? (r.contents as { value: string }).value : '';
}

describe('language server: samplers and dates', () => {
  it('completes faker methods (with their types) inside fake("…") and locales after locale: "', async () => {
    const a = await open(SPEC.replace('fake("person.fullName", locale: "de")', 'fake("pers<|>'));
    const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: a.uri }, position: a.c.position });
    const full = r.items.find((x) => x.label === 'person.fullName');
    expect(full?.detail).toBe('string');
    expect(r.items.find((x) => x.label === 'date.birthdate')?.detail).toBe('datetime');
    const b = await open(SPEC.replace('locale: "de")', 'locale: "d<|>'));
    const l = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: b.uri }, position: b.c.position });
    expect(l.items.map((x) => x.label)).toEqual(expect.arrayContaining(['de', 'de_AT', 'en_US']));
  });

  it('hovers describe a faker draw, a range of days and a conditional sampler', async () => {
    expect(await hover('vary na')).toContain("faker's `person.fullName` in locale `de`");
    expect(await hover('vary bo')).toContain('a day from 1950-01-01 to 2005-12-31');
    expect(await hover('vary pri')).toContain('conditional');
    expect(await hover('vary bo')).toContain('born: date');
  });
});
