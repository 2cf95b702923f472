// End-to-end tests of the language server over stdio: the real server process, driven with JSON-RPC.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, CompletionList, Hover, Location, SemanticTokens, SignatureHelp, TextEdit, WorkspaceEdit, DocumentSymbol, FoldingRange, InlayHint } from 'vscode-languageserver-protocol';
import { formatSource } from '../../compiler/format.js';
import { ROOT } from '../support/examples.js';
import { markAfter } from '../support/cursor.js';
import { LspClient, uriOf } from './support/client.js';
import { completionLabels, hoverAt as serverHoverAt, openFixture } from './support/expect.js';

const TICKETS = path.join(ROOT, 'examples/tickets/tickets.synth');
const TRAFFIC = path.join(ROOT, 'examples/traffic/traffic.synth');
const ticketsText = readFileSync(TICKETS, 'utf8');
const trafficText = readFileSync(TRAFFIC, 'utf8');

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

/** Opens a fixture (with a `<|>` marker) as a fresh document beside the examples. */
const fixture = (withMarker: string, dir?: string) => openFixture(client, withMarker, dir);
/** The tickets example with a marker inserted after the first occurrence of `after`. */
const tickets = (after: string, insert = '') => markAfter(ticketsText, after, insert);
const complete = (withMarker: string) => completionLabels(client, withMarker);
const hoverAt = (withMarker: string) => serverHoverAt(client, withMarker);

describe('diagnostics', () => {
  it('the examples have no errors', async () => {
    for (const [file, text] of [[TICKETS, ticketsText], [TRAFFIC, trafficText]] as const) {
      const ds = await client.open(uriOf(file), text);
      expect(ds.filter((d) => d.severity === 1)).toEqual([]);
    }
  });

  it('reports checker codes with related ranges, and updates after an edit', async () => {
    const text = 'enum A { x }\nenum A { y }\n';
    const uri = uriOf(path.join(ROOT, 'examples/tickets/__dup.synth'));
    const ds = await client.open(uri, text);
    const dup = ds.find((d) => d.code === 'SYN1002')!;
    expect(dup.range.start).toEqual({ line: 1, character: 5 });
    expect(dup.relatedInformation?.[0]?.location.range.start).toEqual({ line: 0, character: 5 });
    const after = await client.edit(uri, text.indexOf('A {', 13), text.indexOf('A {', 13) + 1, 'B');
    expect(after.filter((d) => d.code === 'SYN1002')).toEqual([]);
  });

  // Shrunk from the fuzz test (examples/support-chat, edits 1063–1114): a random edit left a lone `\r` in a
  // comment, which LSP counts as a line break; the test client counted only `\n`, so every later edit it sent
  // landed a line off in the server's text, and the server's diagnostics differed from a fresh document's.
  it('positions after a lone CR and edits inside a CRLF mean what LSP says', async () => {
    const text = '// a note\r// (after a lone CR)\r\nstruct S {\r\n  a: int\n}\n\ndataset d: S {\n  count 1\n  row = { a: 1 }\n  output "o.jsonl"\n}\n';
    const uri = uriOf(path.join(ROOT, 'examples/tickets/__lone_cr.synth'));
    expect((await client.open(uri, text)).filter((d) => d.severity === 1)).toEqual([]);
    // `a: 1` becomes `a: "x"`: a type error on line 8 (the lone CR ends line 0)
    const at = text.indexOf('a: 1') + 3;
    const edited = await client.edit(uri, at, at + 1, '"x"');
    expect(edited.filter((d) => d.severity === 1).map((d) => d.range.start.line)).toEqual([8]);
    // an insertion between the CR and LF of a line break
    const crlf = client.text(uri).indexOf('\r\n') + 1;
    const after = await client.edit(uri, crlf, crlf, ' // more');
    const fresh = await client.open(`${uri}.fresh.synth`, client.text(uri));
    const key = (d: { range: unknown; code?: unknown; message: unknown }) => JSON.stringify([d.range, d.code, d.message]);
    expect(after.map(key).sort()).toEqual(fresh.map(key).sort());
    await client.close(`${uri}.fresh.synth`);
  });

  it('a broken file still gets every diagnostic of the parts that parse', async () => {
    const broken = ticketsText.replace('priority: int    @range(1..5)', 'priority: int    @range(1..5) ][[ ').replace('count 5_000', 'count "many"');
    const ds = await client.open(uriOf(path.join(ROOT, 'examples/tickets/__broken.synth')), broken);
    const codes = ds.map((d) => d.code);
    expect(codes).toContain('SYN0001');
    expect(codes).toContain('SYN2016'); // `count "many"`
  });
});

describe('completion', () => {
  it('top-level keywords', async () => {
    expect(await complete('<|>')).toEqual(expect.arrayContaining(['goal', 'enum', 'struct', 'model', 'prompt', 'dataset', 'sim', 'import']));
  });
  it('dataset clause keywords', async () => {
    expect(await complete(tickets('count 5_000\n  '))).toEqual(expect.arrayContaining(['vary', 'row', 'check', 'expect', 'output']));
  });
  it('type names after `:`', async () => {
    const items = await complete(tickets('tags: string[]   @items(0..5)\n', '  extra: '));
    expect(items).toEqual(expect.arrayContaining(['string', 'int', 'Tier', 'Mood', 'Ticket']));
  });
  it('struct fields after `.`', async () => {
    expect(await complete(tickets('check len(row.body) >= 40\n', '  check row.'))).toEqual(expect.arrayContaining(['subject', 'body', 'priority', 'tags']));
  });
  it('enum cases after `Enum.`', async () => {
    expect(await complete(tickets('check len(row.body) >= 40\n', '  check tier == Tier.'))).toEqual(['free', 'pro', 'enterprise']);
  });
  it('prompt parameters inside a template hole', async () => {
    const items = await complete(tickets('Write the ticket they send.', ' {'));
    expect(items).toEqual(expect.arrayContaining(['tier', 'product', 'mood']));
    expect(items).not.toContain('row');
  });
  it('model names after `model` in a prompt', async () => {
    expect(await complete(tickets('-> Ticket {\n', '  temperature 0.5\n  model '))).toEqual(['writer']);
  });
  it('samplers after `~` and enums in uniform(', async () => {
    expect(await complete(tickets('count 5_000\n', '  vary x ~ '))).toEqual(expect.arrayContaining(['uniform', 'weighted', 'normal', 'one_of']));
    expect(await complete(tickets('count 5_000\n', '  vary x ~ uniform('))).toEqual(['Tier', 'Mood']);
  });
  it('scope names, built-ins and prompts in a row expression', async () => {
    const items = await complete(tickets('vary mood ~ uniform(Mood)\n', '  row = '));
    expect(items).toEqual(expect.arrayContaining(['tier', 'product', 'mood', 'write_ticket', 'len']));
  });
  it('model settings', async () => {
    expect(await complete(tickets('retries 5\n', '  '))).toEqual(expect.arrayContaining(['temperature', 'rpm', 'price']));
  });
  it('state fields and built-ins inside sim rules', async () => {
    const { uri, c } = await fixture(trafficText.replace('    x = x + speed * dt\n', '    x = x + speed * dt\n    speed = <|>\n'), path.join(ROOT, 'examples/traffic'));
    const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: c.position });
    const labels = r.items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['x', 'speed', 'lane', 'crashed', 'dt', 'limit', 'gap', 'clamp', 'select', 'step']));
  });
  it('neighbour state after `o.` in a reduction', async () => {
    const { uri, c } = await fixture(trafficText.replace('o.lane == lane', 'o.<|>lane == lane'), path.join(ROOT, 'examples/traffic'));
    const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: c.position });
    expect(r.items.map((i) => i.label)).toEqual(['x', 'speed', 'lane', 'crashed']);
  });
  it('model blocks after `fallback`, without the block itself', async () => {
    const pref = readFileSync(path.join(ROOT, 'examples/preference/preference.synth'), 'utf8');
    const at = pref.replace('  fallback backup ', '  fallback <|>');
    const { uri, c } = await fixture(at, path.join(ROOT, 'examples/preference'));
    const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: c.position });
    const labels = r.items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['backup', 'cheap', 'judge']));
    expect(labels).not.toContain('strong');
  });
  it('model blocks and model-valued names after `) using`', async () => {
    const pref = readFileSync(path.join(ROOT, 'examples/preference/preference.synth'), 'utf8');
    const at = pref.replace('let a = respond(instruction.text) using first', 'let a = respond(instruction.text) using <|>');
    const { uri, c } = await fixture(at, path.join(ROOT, 'examples/preference'));
    const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: c.position });
    const labels = r.items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['strong', 'cheap', 'backup', 'judge', 'first', 'second']));
    expect(labels).not.toContain('topic');
    expect(labels).not.toContain('len');
  });
  it('works in a broken file', async () => {
    const items = await complete(tickets('check len(row.body) >= 40\n', '  check row.body == ))) (\n  unique row.') );
    expect(items).toEqual(expect.arrayContaining(['subject', 'body']));
  });
});

describe('hover', () => {
  it('a struct type shows its resolved shape and doc comment', async () => {
    const h = await hoverAt(tickets('dataset tickets: Tic'));
    expect(h).toContain('struct Ticket {');
    expect(h).toContain('body: string');
    expect(h).toContain('A ticket as a customer writes it.');
  });
  it('a prompt shows its JSON Schema and cost per call', async () => {
    const h = await hoverAt(tickets('row = write_tic'));
    expect(h).toContain('prompt write_ticket(tier: Tier, product: string, mood: Mood) -> Ticket');
    expect(h).toContain('"required"');
    expect(h).toMatch(/prompt \+ ~300 completion tokens ≈ \$0\.000\d+/);
  });
  it('an image prompt shows images per call and their price', async () => {
    const text = readFileSync(path.join(ROOT, 'examples/stablerep/stablerep.synth'), 'utf8');
    const { uri, c } = await fixture(text.replace('let pictures = draw(', 'let pictures = dr<|>aw('), path.join(ROOT, 'examples/stablerep'));
    const r = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: c.position });
    const h = (r.contents as { value: string }).value;
    expect(h).toContain('prompt draw(caption: string) -> image');
    expect(h).toContain('**Per call:** 4 images of 512x512 through the images API ≈ $0.044');
    expect(h).not.toContain('completion tokens');
  });
  it('a vary shows its distribution', async () => {
    const h = await hoverAt(tickets('row = write_ticket(ti'));
    expect(h).toContain('(vary) tier: Tier');
    expect(h).toContain('| free | 60% |');
  });
  it('a sim shows its buffer sizes', async () => {
    const { uri, c } = await fixture(trafficText.replace('for e in traffic.crash', 'for e in traf<|>fic.crash'), path.join(ROOT, 'examples/traffic'));
    const r = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: c.position });
    const h = (r.contents as { value: string }).value;
    expect(h).toContain('1024 worlds × 32 agents × 500 steps');
    expect(h).toContain('| state x | 128.0 KiB |');
  });
  it('a field and a setting', async () => {
    expect(await hoverAt(tickets('unique row.bo'))).toContain('(field of Ticket) body: string');
    expect(await hoverAt(tickets('  tempera'))).toContain('sampling temperature');
  });
});

describe('navigation', () => {
  it('definition, references and rename of an enum case', async () => {
    const { uri, c } = await fixture(tickets('weighted { free: 0.6, pro: 0.3, enter'));
    const defs = await client.request<Location[]>('textDocument/definition', { textDocument: { uri }, position: c.position });
    const decl = c.text.indexOf('enterprise');
    expect(defs[0]!.range.start.character).toBe(decl - c.text.lastIndexOf('\n', decl) - 1);
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri }, position: c.position, context: { includeDeclaration: true } });
    expect(refs.length).toBe(3); // enum case, weighted key, expect
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: c.position, newName: 'business' });
    expect(edit.changes![uri]!.length).toBe(3);
  });
  it('rename across imported files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-lsp-'));
    writeFileSync(path.join(dir, 'types.synth'), 'enum Tier { free, pro }\n');
    const main = 'import "types.synth"\nstruct R { tier: Tier }\ndataset d: R {\n  vary t ~ uniform(Tier)\n  count 1\n  row = { tier: t }\n}\n';
    const uri = uriOf(path.join(dir, 'main.synth'));
    const ds = await client.open(uri, main);
    expect(ds.filter((d) => d.severity === 1)).toEqual([]);
    const at = main.indexOf('Tier }') + 1;
    const defs = await client.request<Location[]>('textDocument/definition', client.at(uri, at));
    expect(defs[0]!.uri).toBe(uriOf(path.join(dir, 'types.synth')));
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...client.at(uri, at), newName: 'Plan' });
    expect(Object.keys(edit.changes!).sort()).toEqual([uri, uriOf(path.join(dir, 'types.synth'))].sort());
    expect(edit.changes![uri]!.length).toBe(2);
  });
  it('definition inside a sim rule and a template hole', async () => {
    const { uri, c } = await fixture(trafficText.replace('x = x + speed * dt', 'x = x + spe<|>ed * dt'), path.join(ROOT, 'examples/traffic'));
    const defs = await client.request<Location[]>('textDocument/definition', { textDocument: { uri }, position: c.position });
    expect(defs[0]!.range.start.line).toBe(c.text.slice(0, c.text.indexOf('state speed')).split('\n').length - 1);
    const t = await fixture(tickets('A {ti'));
    const d2 = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: t.uri }, position: t.c.position });
    expect(d2[0]!.range.start.line).toBe(t.c.text.slice(0, t.c.text.indexOf('prompt write_ticket')).split('\n').length - 1);
  });
  it('document and workspace symbols', async () => {
    const { uri } = await fixture(tickets('', ''));
    const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(syms.map((s) => s.name)).toEqual(['Support-ticket triage classifier', 'Tier', 'Mood', 'Ticket', 'writer', 'write_ticket', 'tickets']);
    expect(syms.find((s) => s.name === 'Ticket')!.children!.map((c) => c.name)).toEqual(['subject', 'body', 'priority', 'tags']);
    const ws = await client.request<Array<{ name: string }>>('workspace/symbol', { query: 'wrtick' });
    expect(ws.map((s) => s.name)).toContain('write_ticket');
  });
});

describe('editing features', () => {
  it('semantic tokens classify names by what they refer to', async () => {
    const { uri } = await fixture(tickets('', ''));
    const r = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(r.data.length % 5).toBe(0);
    expect(r.data.length / 5).toBeGreaterThan(100);
    // decode and look at `Tier` in `enum Tier`: an enum declaration
    let line = 0;
    let ch = 0;
    const toks: Array<{ line: number; ch: number; len: number; type: number; mods: number }> = [];
    for (let i = 0; i < r.data.length; i += 5) {
      line += r.data[i]!;
      ch = r.data[i]! === 0 ? ch + r.data[i + 1]! : r.data[i + 1]!;
      toks.push({ line, ch, len: r.data[i + 2]!, type: r.data[i + 3]!, mods: r.data[i + 4]! });
    }
    const tierLine = ticketsText.split('\n').findIndex((l) => l.startsWith('enum Tier'));
    const tier = toks.find((t) => t.line === tierLine && t.ch === 5)!;
    expect(tier.type).toBe(3); // enum
    expect(tier.mods & 1).toBe(1); // declaration
  });
  it('formatting gives the same text as synth fmt', async () => {
    const messy = 'enum   Tier {free,pro}\nstruct S {\n a:int\n}\n';
    const uri = uriOf(path.join(ROOT, 'examples/tickets/__fmt.synth'));
    await client.open(uri, messy);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits.length).toBe(1);
    expect(edits[0]!.newText).toBe(formatSource(messy, 'x.synth').text);
    const broken = await fixture('enum { <|>');
    expect(await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: broken.uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });
  it('quick fixes: did you mean, weights that do not sum to 1, a missing enum case', async () => {
    const text = ticketsText.replace('vary mood ~ uniform(Mood)', 'vary mood ~ uniform(Mod)').replace('enterprise: 0.1 }', 'enterprise: 0.2 }').replace('check len(row.body) >= 40', 'check tier != Tier.vip');
    const uri = uriOf(path.join(ROOT, 'examples/tickets/__fix.synth'));
    const ds = await client.open(uri, text);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: ds } });
    const titles = actions.map((a) => a.title);
    expect(titles).toContain("Change to 'Mood'");
    expect(titles).toContain('Scale the fractions to sum to 1');
    expect(titles).toContain("Add case 'vip' to enum Tier");
    const scale = actions.find((a) => a.title === 'Scale the fractions to sum to 1')!;
    expect(scale.edit!.changes![uri]![0]!.newText).toBe('{ free: 0.5455, pro: 0.2727, enterprise: 0.1818 }');
  });
  it('quick fix for a missing setting: the setting comes from the diagnostic data, not its message', async () => {
    const text = ticketsText.replace('  name "gpt-4o-mini"\n', '');
    const uri = uriOf(path.join(ROOT, 'examples/tickets/__missing.synth'));
    const ds = await client.open(uri, text);
    const missing = ds.filter((d) => d.code === 'SYN1005');
    expect(missing).toHaveLength(1);
    expect((missing[0]!.data as { data?: unknown }).data).toEqual({ key: 'name', block: 'model writer' });
    // the message's wording is not what the fix reads: rewrite it and the fix is the same
    const reworded = missing.map((d) => ({ ...d, message: 'reworded' }));
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: missing[0]!.range, context: { diagnostics: reworded } });
    const add = actions.find((a) => a.title === 'Add `name`')!;
    expect(add.edit!.changes![uri]![0]!.newText).toBe('\n  name "model-name"');
  });
  it('signature help for prompt calls', async () => {
    const { uri, c } = await fixture(tickets('row = write_ticket(tier, '));
    const r = await client.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri }, position: c.position });
    expect(r.signatures[0]!.label).toBe('write_ticket(tier: Tier, product: string, mood: Mood) -> Ticket');
    expect(r.activeParameter).toBe(1);
  });
  it('folding ranges and inlay hints', async () => {
    const { uri } = await fixture(tickets('', ''));
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    expect(folds.length).toBeGreaterThan(4);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 999, character: 0 } } });
    const labels = hints.map((h) => h.label as string);
    expect(labels).toContain(': Tier');
    // a sampler of string literals has their union as type (`vary product ~ one_of("router", …)`)
    expect(labels).toContain(': "router" | "modem" | "mobile app"');
    expect(labels).toContain(' 5,000 rows · 5,000 LLM calls (before retries)');
  });
});

describe('custom requests', () => {
  it('preview a prompt, show WGSL, show a plan', async () => {
    const t = uriOf(TICKETS);
    await client.open(t, ticketsText);
    const p = await client.request<{ content: string; language: string }>('synth/previewPrompt', { uri: t, name: 'write_ticket' });
    expect(p.language).toBe('markdown');
    expect(p.content).toMatch(/## user\n\n```text\nA (free|pro|enterprise) customer is (calm|annoyed|furious) about their (router|modem|mobile app)\./);
    const plan = await client.request<{ content: string; language: string }>('synth/showPlan', { uri: t, name: 'tickets' });
    expect(JSON.parse(plan.content).name).toBe('tickets');
    const tr = uriOf(TRAFFIC);
    await client.open(tr, trafficText);
    const w = await client.request<{ content: string; language: string }>('synth/showWgsl', { uri: tr, name: 'traffic' });
    expect(w.language).toBe('wgsl');
    expect(w.content).toContain('@compute');
  });
});

describe('robustness', () => {
  it('a request for an unknown document answers, and the server stays up', async () => {
    const r = await client.request('textDocument/hover', { textDocument: { uri: 'file:///nope.synth' }, position: { line: 0, character: 0 } });
    expect(r).toBeNull();
    expect(client.alive).toBe(true);
  });
});
