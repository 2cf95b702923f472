// Completion: keywords for the context, type names, settings of the block, enum cases, fields after `.`,
// prompt parameters inside template holes, model names, samplers, built-ins, and sim state/params in rules.
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionList, type CompletionParams } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import { AGGREGATES, FUNCTIONS, SAMPLERS } from '../compiler/builtins.js';
import { CONSTRAINTS } from '../compiler/constraints.js';
import { DATASET_SETTINGS, GOAL_SETTINGS, MODEL_SETTINGS, PROMPT_SETTINGS, SOURCE_SETTINGS, type SettingSpec } from '../compiler/settings.js';
import { SIM_FUNCTIONS, SIM_RANDOM, SIM_REDUCTIONS, SIM_SETTINGS } from '../compiler/sim/builtins.js';
import { PRIMITIVE_TYPES, T, show, typeRefText, type Ty } from '../compiler/types.js';
import { fakeResultType } from '../compiler/check/fake.js';
import { FAKE_LOCALES, FAKE_METHODS } from '../compiler/fake-catalogue.js';
import { cursorContext, datasetScope, promptScope, type CursorContext, type ScopeEntry } from './context.js';
import { toOffset } from './positions.js';
import type { Analysis } from './workspace.js';

const K = CompletionItemKind;

export const DECL_KEYWORDS: Array<[string, string, string]> = [
  ['goal', 'goal "${1:purpose}" {\n  seed ${2:42}\n}', 'purpose, global seed and splits'],
  ['enum', 'enum ${1:Name} { ${2:a}, ${3:b} }', 'a closed set of names'],
  ['struct', 'struct ${1:Name} {\n  ${2:field}: ${3:string}\n}', 'a record type (JSON Schema for structured output)'],
  ['model', 'model ${1:name} {\n  provider openai\n  name "${2:gpt-4o-mini}"\n  api_key env("OPENAI_API_KEY")\n}', 'an LLM endpoint profile'],
  ['prompt', 'prompt ${1:name}(${2:x}: ${3:string}) -> ${4:T} {\n  model ${5:writer}\n  user "${6}"\n}', 'a typed LLM function'],
  ['source', 'source ${1:docs} = files("${2:docs/**/*.md}") {\n  chunk 512\n}', 'documents split into chunks'],
  ['sim', 'sim ${1:name} {\n  worlds ${2:1_024}\n  agents ${3:32}\n  steps ${4:100}\n}', 'a batch simulation compiled to WGSL'],
  ['dataset', 'dataset ${1:name}: ${2:T} {\n  count ${3:100}\n  row = ${4}\n  output "out/${1:name}.jsonl"\n}', 'how rows are produced, checked and written'],
  ['import', 'import "${1:other.synth}"', 'share types and models across files'],
];

const DATASET_CLAUSES: Array<[string, string]> = [
  ['count', 'rows wanted (after checks)'],
  ['for', 'one row per item: `for e in sim.event`, `for c in source`'],
  ['vary', 'a sampled (`~`) or enumerated (`in`) variable'],
  ['let', 'an intermediate value'],
  ['row', '`row = prompt(args)` or `row = { field: value }`'],
  ['check', 'row predicate; failing rows are regenerated'],
  ['keep', 'extra columns carried into the output'],
  ['unique', 'exact or near-duplicate removal'],
  ['judge', 'LLM-as-judge score, kept as a column and used as a filter'],
  ['expect', 'dataset-level assertion checked at the end'],
  ['output', 'output path: .jsonl, .csv or .parquet'],
  ['format', '`format chat { system: …, user: …, assistant: … }`'],
];

const SIM_ITEMS: Array<[string, string]> = [
  ['param', '`param name: f32 = value` — a constant'],
  ['state', '`state name: f32 = init` — per-agent state'],
  ['rule', '`rule name [when cond] { ... }` — runs every step'],
  ['event', '`event name { field: type }` — rows emitted by rules'],
  ['observe', '`observe every k { fields }` — trajectory rows'],
  ['check', '`check finite` or `check expr` — an invariant'],
];

const SIM_TYPES = ['f32', 'i32', 'u32', 'bool', 'vec2f', 'vec3f', 'vec4f'];

function md(value: string) {
  return { kind: MarkupKind.Markdown, value };
}

/** textDocument/completion: the items for the cursor (`completionItems`), as a complete list. */
export function completion(a: Analysis, params: CompletionParams): CompletionList {
  const offset = toOffset(a.source.lines, params.position);
  const items = completionItems(a, offset);
  return { isIncomplete: false, items };
}

/**
 * Completion items at `offset` (UTF-16 offset into the document): chosen by the cursor context (declaration,
 * clause, template hole, after `.`/`~`/`model`), empty in comments and plain strings. Never throws on broken text.
 */
export function completionItems(a: Analysis, offset: number): CompletionItem[] {
  const cx = cursorContext(a, offset);
  if (cx.inComment) return [];
  if (cx.inString && !cx.inHole) return cx.decl?.kind === 'Dataset' ? fakeItems(cx.lead) : [];
  const d = cx.decl;
  if (!d) return topLevel(cx);
  if (d.kind === 'Import') return [];

  // A template hole `{...}`: prompt parameters (or dataset names in `format chat`), then their fields.
  if (cx.inHole) {
    const scope = d.kind === 'Prompt' ? promptScope(a, d) : d.kind === 'Dataset' ? datasetScope(a, d, offset) : [];
    if (cx.lead.endsWith('.')) return members(a, cx, scope);
    return scope.map(scopeItem);
  }
  if (/@$/.test(cx.lead)) return Object.entries(CONSTRAINTS).map(([label, c]) => ({ label, kind: K.Function, insertText: c.snippet, insertTextFormat: InsertTextFormat.Snippet, documentation: c.doc }));

  switch (d.kind) {
    case 'Goal':
      return cx.depth > 0 && isLineStart(cx) ? settingItems(GOAL_SETTINGS) : [];
    case 'Enum':
      return [];
    case 'Struct':
      if (/:\s*$|\|\s*$|\w\[\]\s*$/.test(cx.lead) && !/@\w*\(/.test(cx.lead)) return typeItems(a);
      return [];
    case 'Model':
      if (cx.depth === 0) return [];
      if (isLineStart(cx)) return settingItems(MODEL_SETTINGS);
      return settingValueItems(MODEL_SETTINGS, cx);
    case 'Source':
      return cx.depth > 0 && isLineStart(cx) ? settingItems(SOURCE_SETTINGS) : [];
    case 'Prompt':
      if (cx.depth === 0) return /(:|->)\s*$/.test(cx.lead) ? typeItems(a) : [];
      if (isLineStart(cx)) return settingItems(PROMPT_SETTINGS);
      if (/^\s*model\s+$/.test(cx.lead)) return modelItems(a);
      return [];
    case 'Dataset':
      return datasetCompletion(a, d, cx);
    case 'Sim':
      return simCompletion(a, d, cx);
  }
  return [];
}

function isLineStart(cx: CursorContext): boolean {
  return /^\s*$/.test(cx.lead);
}

function topLevel(cx: CursorContext): CompletionItem[] {
  if (!isLineStart(cx)) return [];
  return DECL_KEYWORDS.map(([label, snippet, doc]) => ({
    label,
    kind: K.Keyword,
    insertText: snippet,
    insertTextFormat: InsertTextFormat.Snippet,
    documentation: doc,
  }));
}

function settingItems(table: Record<string, SettingSpec>): CompletionItem[] {
  return Object.entries(table).map(([label, spec]) => ({
    label,
    kind: K.Property,
    detail: spec.kind + (spec.required ? ' (required)' : ''),
    documentation: md(spec.doc),
  }));
}

function settingValueItems(table: Record<string, SettingSpec>, cx: CursorContext): CompletionItem[] {
  const m = /^\s*(\w+)\s+$/.exec(cx.lead);
  const spec = m ? table[m[1]!] : undefined;
  if (!spec) return [];
  const out: CompletionItem[] = (spec.values ?? []).map((v) => ({ label: v, kind: K.EnumMember }));
  if (spec.env) out.push({ label: 'env', kind: K.Function, insertText: 'env("${1:NAME}")', insertTextFormat: InsertTextFormat.Snippet, documentation: md('read at run time from the environment: `env("NAME", "default")`') });
  return out;
}

function typeItems(a: Analysis): CompletionItem[] {
  const out: CompletionItem[] = [...PRIMITIVE_TYPES].map((t) => ({ label: t, kind: K.TypeParameter, detail: 'built-in type' }));
  for (const s of a.result.symbols.byName.values()) {
    if (s.decl.kind === 'Struct') out.push({ label: s.name, kind: K.Struct, detail: `struct ${s.name}` });
    if (s.decl.kind === 'Enum') out.push({ label: s.name, kind: K.Enum, detail: `enum { ${s.decl.cases.map((c) => c.name).join(', ')} }` });
  }
  return out;
}

function modelItems(a: Analysis): CompletionItem[] {
  return a.result.symbols.ofKind('Model').map((s) => {
    const name = s.decl.settings.find((x) => x.key.name === 'name')?.value;
    return { label: s.name, kind: K.Module, detail: name?.kind === 'String' ? `model ${name.value}` : 'model' };
  });
}

function scopeItem(e: ScopeEntry): CompletionItem {
  return { label: e.name, kind: e.kind === 'param' ? K.Variable : K.Variable, detail: `${e.kind} ${e.name}: ${show(e.type)}` };
}

/** Fields of a dataset-side type. */
export function fieldsOf(a: Analysis, t: Ty): Array<{ name: string; type: Ty; doc?: string }> {
  const inner = t.k === 'optional' ? t.inner : t;
  if (inner.k === 'record') return [...inner.fields].map(([name, type]) => ({ name, type }));
  if (inner.k === 'struct') {
    const s = a.result.symbols.get(inner.name);
    if (s?.decl.kind !== 'Struct') return [];
    return s.decl.fields.map((f) => {
      const desc = f.constraints.find((c) => c.name.name === 'desc')?.args[0];
      return { name: f.name.name, type: a.result.ctx.typeRefs.get(f.type) ?? T.unknown, doc: desc?.kind === 'String' ? desc.value : undefined };
    });
  }
  return [];
}

/** `a.b.` — resolve the chain before the dot through the scope, then list what follows. */
function members(a: Analysis, cx: CursorContext, scope: ScopeEntry[]): CompletionItem[] {
  const m = /([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\.\s*$/.exec(cx.lead);
  if (!m) return [];
  const chain = m[1]!.split('.').map((s) => s.trim());
  const root = chain[0]!;
  const sym = a.result.symbols.get(root);
  let t: Ty | undefined = scope.find((e) => e.name === root)?.type;
  if (!t && sym?.decl.kind === 'Enum' && chain.length === 1) {
    return sym.decl.cases.map((c) => ({ label: c.name, kind: K.EnumMember, detail: `${root}.${c.name}` }));
  }
  if (!t && sym?.decl.kind === 'Sim' && chain.length === 1) {
    const sim = sym.decl;
    return [
      ...sim.events.map((e) => ({ label: e.name.name, kind: K.Event, detail: `event { ${e.fields.map((f) => `${f.name.name}: ${typeRefText(f.type)}`).join(', ')} }` })),
      { label: 'trajectory', kind: K.Field, detail: `observations: world, agent, step${sim.observes.flatMap((o) => o.fields).map((f) => ', ' + f.name).join('')}` },
    ];
  }
  if (!t) return [];
  for (const f of chain.slice(1)) {
    t = fieldsOf(a, t).find((x) => x.name === f)?.type;
    if (!t) return [];
  }
  return fieldsOf(a, t).map((f) => ({ label: f.name, kind: K.Field, detail: show(f.type), ...(f.doc ? { documentation: md(f.doc) } : {}) }));
}

function enumCaseItems(a: Analysis): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const [c, enums] of a.result.symbols.enumCases) out.push({ label: c, kind: K.EnumMember, detail: `${enums[0]}.${c}` });
  return out;
}

/** Inside a string of a dataset: faker's methods in `fake("…` (with the type each draws), its locales after `locale: "`. */
function fakeItems(lead: string): CompletionItem[] {
  if (/\bfake\s*\(\s*"[\w.]*$/.test(lead)) {
    return Object.entries(FAKE_METHODS).map(([label, m]) => ({ label, kind: K.Function, detail: show(fakeResultType(m.type)), documentation: md(`e.g. ${JSON.stringify(m.example)}`) }));
  }
  if (/\bfake\s*\(.*\blocale\s*:\s*"\w*$/.test(lead)) return FAKE_LOCALES.map((label) => ({ label, kind: K.Constant, detail: 'faker locale' }));
  return [];
}

function datasetCompletion(a: Analysis, d: A.DatasetDecl, cx: CursorContext): CompletionItem[] {
  if (cx.depth === 0) return /:\s*$/.test(cx.lead) ? typeItems(a) : [];
  const scope = datasetScope(a, d, cx.offset);
  if (cx.lead.endsWith('.')) return members(a, cx, scope);
  if (isLineStart(cx)) {
    return [
      ...DATASET_CLAUSES.map(([label, doc]) => ({ label, kind: K.Keyword, documentation: md(doc) })),
      ...settingItems(DATASET_SETTINGS),
    ];
  }
  const lead = cx.lead;
  if (/^\s*vary\s+\w+\s*~\s*$/.test(lead)) {
    return Object.entries(SAMPLERS).map(([label, s]) => ({ label, kind: K.Function, detail: s.signature, documentation: md(s.doc) }));
  }
  if (/\buniform\s*\(\s*$/.test(lead) || /^\s*vary\s+\w+\s+in\s+$/.test(lead)) {
    return a.result.symbols.ofKind('Enum').map((s) => ({ label: s.name, kind: K.Enum, detail: `enum { ${s.decl.cases.map((c) => c.name).join(', ')} }` }));
  }
  if (/^\s*for\s+\w+\s+in\s+$/.test(lead)) {
    return [
      ...a.result.symbols.ofKind('Source').map((s) => ({ label: s.name, kind: K.Module, detail: s.decl.rowType ? `table of ${typeRefText(s.decl.rowType)}` : 'source (chunks)' })),
      ...a.result.symbols.ofKind('Dataset').filter((s) => s.name !== d.name.name).map((s) => ({ label: s.name, kind: K.Module, detail: `dataset${s.decl.rowType ? ' of ' + typeRefText(s.decl.rowType) : ''} (its written rows)` })),
      ...a.result.symbols.ofKind('Sim').map((s) => ({ label: s.name, kind: K.Module, detail: 'sim: .EVENT or .trajectory' })),
      ...scope.filter((e) => e.type.k === 'array' || (e.type.k === 'optional' && e.type.inner.k === 'array')).map(scopeItem),
    ];
  }
  // `one_of(` / `weighted(`: tables and datasets to draw a row of; `weighted(TABLE, `: its numeric columns
  const weightCol = /\bweighted\s*\(\s*([A-Za-z_]\w*)\s*,\s*\w*$/.exec(lead);
  if (weightCol) {
    const sym = a.result.symbols.get(weightCol[1]!);
    const rt = sym?.decl.kind === 'Source' || sym?.decl.kind === 'Dataset' ? sym.decl.rowType : undefined;
    const t = rt ? (a.result.ctx.typeRefs.get(rt) ?? T.unknown) : T.unknown;
    return fieldsOf(a, t)
      .filter((f) => ['int', 'float'].includes(f.type.k === 'optional' ? f.type.inner.k : f.type.k))
      .map((f) => ({ label: f.name, kind: K.Field, detail: `${show(f.type)}: the weight of each row`, ...(f.doc ? { documentation: md(f.doc) } : {}) }));
  }
  if (/^\s*vary\s+\w+\s*~\s*(one_of|weighted)\s*\(\s*\w*$/.test(lead)) {
    const tables = a.result.symbols.ofKind('Source').filter((s) => s.decl.rowType).map((s) => ({ label: s.name, kind: K.Module, detail: `a row of table ${typeRefText(s.decl.rowType!)}` }));
    const datasets = a.result.symbols.ofKind('Dataset').filter((s) => s.name !== d.name.name && s.decl.rowType).map((s) => ({ label: s.name, kind: K.Module, detail: `a row of dataset ${typeRefText(s.decl.rowType!)}` }));
    return [...tables, ...datasets, ...scope.map(scopeItem), ...enumCaseItems(a)];
  }
  if (/^\s*keep\s+/.test(lead)) return scope.filter((e) => e.kind !== 'row').map(scopeItem);
  if (/^\s*format\s+$/.test(lead)) return [{ label: 'chat', kind: K.Keyword }];
  if (/^\s*output\s+$/.test(lead)) return [{ label: `"out/${d.name.name}.jsonl"`, kind: K.File }];
  // An expression.
  const clause = /^\s*(\w+)/.exec(lead)?.[1];
  const prompts = clause === 'row' || clause === 'let' || clause === 'judge';
  const out: CompletionItem[] = scope.map(scopeItem);
  out.push(...enumCaseItems(a));
  for (const s of a.result.symbols.ofKind('Enum')) out.push({ label: s.name, kind: K.Enum, detail: 'enum' });
  for (const [name, f] of Object.entries(FUNCTIONS)) out.push({ label: name, kind: K.Function, detail: f.signature, documentation: md(f.doc) });
  if (clause === 'expect') for (const [name, f] of Object.entries(AGGREGATES)) out.push({ label: name, kind: K.Function, detail: f.signature, documentation: md(f.doc) });
  if (prompts) {
    for (const s of a.result.symbols.ofKind('Prompt')) {
      const sig = `${s.name}(${s.decl.params.map((p) => `${p.name.name}: ${typeRefText(p.type)}`).join(', ')})${s.decl.returnType ? ' -> ' + typeRefText(s.decl.returnType) : ''}`;
      out.push({ label: s.name, kind: K.Method, detail: sig, documentation: md('prompt') });
    }
  }
  out.push({ label: 'true', kind: K.Keyword }, { label: 'false', kind: K.Keyword });
  return dedupe(out);
}

function dedupe(items: CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.label) ? false : (seen.add(i.label), true)));
}

/** Names visible at the cursor in a sim: params, states, built-ins and the `let`s of the enclosing rule. */
function simScope(sim: A.SimDecl, offset: number): Array<{ name: string; kind: string; type: string }> {
  const out = [
    ...sim.params.map((p) => ({ name: p.name.name, kind: 'param', type: typeRefText(p.type) })),
    ...sim.states.map((s) => ({ name: s.name.name, kind: 'state', type: typeRefText(s.type) })),
    { name: 'step', kind: 'built-in', type: 'u32' },
    { name: 'world', kind: 'built-in', type: 'u32' },
    { name: 'agent', kind: 'built-in', type: 'u32' },
  ];
  const rule = sim.rules.find((r) => r.span.start <= offset && offset <= r.span.end + 1);
  if (rule) {
    const lets = (b: A.Block): void => {
      for (const s of b.stmts) {
        if (s.span.start >= offset) break;
        if (s.kind === 'Let' && s.span.end <= offset) out.push({ name: s.name.name, kind: 'let', type: s.type ? typeRefText(s.type) : 'inferred' });
        if (s.kind === 'If') {
          if (s.then.span.start <= offset && offset <= s.then.span.end) lets(s.then);
          if (s.else?.kind === 'Block' && s.else.span.start <= offset && offset <= s.else.span.end) lets(s.else);
        }
      }
    };
    lets(rule.body);
  }
  return out.filter((x) => x.name);
}

function simCompletion(_a: Analysis, sim: A.SimDecl, cx: CursorContext): CompletionItem[] {
  if (cx.depth === 0) return [];
  const lead = cx.lead;
  if (/^\s*(param|state)\s+\w+\s*:\s*$/.test(lead) || /\blet\s+\w+\s*:\s*$/.test(lead)) return SIM_TYPES.map((t) => ({ label: t, kind: K.TypeParameter }));
  if (/\bemit\s+$/.test(lead)) return sim.events.map((e) => ({ label: e.name.name, kind: K.Event, detail: `event { ${e.fields.map((f) => `${f.name.name}: ${typeRefText(f.type)}`).join(', ')} }` }));
  const stateItems = () => sim.states.map((s) => ({ label: s.name.name, kind: K.Field, detail: `state ${s.name.name}: ${typeRefText(s.type)}` }));
  if (/\bobserve\s+every\s+\S+\s*\{[^}]*$/.test(lead)) return stateItems();
  // `o.` where o is a neighbour binder: the other agent's state
  const member = /([A-Za-z_]\w*)\s*\.\s*$/.exec(lead);
  if (member) {
    const binder = member[1]!;
    const before = cx.line;
    if (new RegExp(`\\bfor\\s+${binder}\\s+in\\b`).test(before) || /\bfor\s*$/.test(before) || !simScope(sim, cx.offset).some((x) => x.name === binder)) return stateItems();
    const v = simScope(sim, cx.offset).find((x) => x.name === binder);
    if (v && /^vec[234]f$/.test(v.type)) return 'xyzw'.slice(0, Number(v.type[3])).split('').map((c) => ({ label: c, kind: K.Field, detail: 'f32' }));
    return [];
  }
  const inRule = sim.rules.some((r) => r.body.span.start < cx.offset && cx.offset <= r.body.span.end + 1) || cx.depth >= 2;
  if (!inRule && isLineStart(cx)) {
    return [
      ...SIM_ITEMS.map(([label, doc]) => ({ label, kind: K.Keyword, documentation: md(doc) })),
      ...Object.entries(SIM_SETTINGS).map(([label, s]) => ({ label, kind: K.Property, documentation: md(s.doc) })),
    ];
  }
  const out: CompletionItem[] = [];
  if (inRule && isLineStart(cx)) out.push(...['let', 'if', 'emit'].map((label) => ({ label, kind: K.Keyword })));
  for (const v of simScope(sim, cx.offset)) out.push({ label: v.name, kind: v.kind === 'state' ? K.Field : v.kind === 'param' ? K.Constant : K.Variable, detail: `${v.kind} ${v.name}: ${v.type}` });
  if (!(inRule && isLineStart(cx))) {
    for (const [name, f] of Object.entries(SIM_FUNCTIONS)) out.push({ label: name, kind: K.Function, detail: f.signature, documentation: md(f.doc) });
    for (const [name, f] of Object.entries(SIM_RANDOM)) out.push({ label: name, kind: K.Function, detail: f.signature, documentation: md(f.doc) });
    for (const r of SIM_REDUCTIONS) if (!SIM_FUNCTIONS[r]) out.push({ label: r, kind: K.Function, detail: `${r}(expr for o in agents [where cond] [, default v])`, documentation: md('neighbour reduction over the agents of the same world') });
    for (const t of ['f32', 'i32', 'u32', 'vec2f', 'vec3f', 'vec4f']) out.push({ label: t, kind: K.Function, detail: `${t}(...) conversion` });
    if (/\bin\s+$/.test(lead)) out.unshift({ label: 'agents', kind: K.Keyword, detail: 'the agents of this world' });
    out.push({ label: 'true', kind: K.Keyword }, { label: 'false', kind: K.Keyword });
  }
  return dedupe(out);
}
