// Hover: what a name is and its type; for types the resolved shape; doc comments (`//`/`///` lines right above
// a declaration); for a prompt its JSON Schema and the estimate of one call, for a dataset its rows, calls, tokens
// and cost (both from the estimator `synth run --dry-run` uses, via estimate.ts); for a `vary` its distribution;
// for a sim its buffer sizes; for settings and built-ins their documentation.
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import { keyName } from '../grammar/ast.js';
import { AGGREGATES, FUNCTIONS, SAMPLERS } from '../compiler/builtins.js';
import { constNumber } from '../compiler/check/const-eval.js';
import { fakeCallLocale, fakeMethod } from '../compiler/check/fake.js';
import { printExpr } from '../compiler/format.js';
import { jsonSchemaOf } from '../compiler/plan/json-schema.js';
import { countOf, formatUsd } from '../compiler/plan/estimate.js';
import { DATASET_SETTINGS, GOAL_SETTINGS, MODEL_SETTINGS, PROMPT_SETTINGS, SOURCE_SETTINGS, type SettingSpec } from '../compiler/settings.js';
import { SIM_FUNCTIONS, SIM_RANDOM, SIM_SETTINGS } from '../compiler/sim/builtins.js';
import { T, show, typeRefText, type Ty } from '../compiler/types.js';
import { fieldsOf } from './completion.js';
import { datasetEstimate, promptEstimate, rowsAndCalls, usageText } from './estimate.js';
import { tableInfo } from './table-info.js';
import { nodePath, type AnyNode } from './nodes.js';
import { toOffset, toRange } from './positions.js';
import { resolveIdent, type Target } from './resolve.js';
import type { Analysis } from './workspace.js';

const fence = (code: string) => '```synth\n' + code + '\n```';

/** textDocument/hover: markdown for what is under the cursor (`hoverText`), with the range it covers; null when there is nothing to say. */
export function hover(a: Analysis, params: HoverParams): Hover | null {
  const offset = toOffset(a.source.lines, params.position);
  const md = hoverText(a, offset);
  if (!md) return null;
  return { contents: { kind: MarkupKind.Markdown, value: md.text }, range: toRange(a.source.lines, md.span) };
}

/** The hover's markdown for the name at `offset` (UTF-16 offset) and the span it describes; undefined when the offset is not on a name. */
export function hoverText(a: Analysis, offset: number): { text: string; span: A.Span } | undefined {
  const path = nodePath(a.source.ast, offset);
  const node = path[path.length - 1];
  if (!node) return undefined;
  const decl = path[0] as unknown as A.Decl;
  if (node.kind === 'Ident') {
    const ident = node as unknown as A.Ident;
    const parent = path[path.length - 2];
    // a setting key: its documentation
    if (parent?.kind === 'Setting' && (parent as unknown as A.Setting).key === ident) {
      const spec = settingSpec(decl, ident.name);
      return spec ? { text: fence(`${ident.name}  (${spec.kind})`) + '\n\n' + spec.doc, span: ident.span } : undefined;
    }
    const occ = resolveIdent(a, ident);
    if (occ) return { text: targetHover(a, occ.target), span: ident.span };
    // built-in functions and samplers
    const builtin = builtinDoc(ident.name, decl.kind === 'Sim', parent);
    if (builtin) return { text: builtin, span: ident.span };
    return undefined;
  }
  return undefined;
}

function settingSpec(decl: A.Decl, key: string): SettingSpec | { kind: string; doc: string } | undefined {
  switch (decl.kind) {
    case 'Goal':
      return GOAL_SETTINGS[key];
    case 'Model':
      return MODEL_SETTINGS[key];
    case 'Prompt':
      return PROMPT_SETTINGS[key];
    case 'Source':
      return SOURCE_SETTINGS[key];
    case 'Dataset':
      return DATASET_SETTINGS[key];
    case 'Sim': {
      const s = SIM_SETTINGS[key];
      return s ? { kind: s.kind === "bool" ? "bool" : `int ${s.min}..${s.max}`, doc: s.doc } : undefined;
    }
  }
  return undefined;
}

function builtinDoc(name: string, inSim: boolean, parent: AnyNode | undefined): string | undefined {
  if (!parent || (parent.kind !== 'Call' && parent.kind !== 'Reduction')) return undefined;
  if (inSim) {
    const f = SIM_FUNCTIONS[name] ?? SIM_RANDOM[name];
    if (f) return fence(f.signature) + '\n\n' + f.doc;
    if (parent.kind === 'Reduction') return fence(`${name}(expr for o in agents [where cond] [, default v])`) + '\n\nneighbour reduction over the agents of the same world';
    return undefined;
  }
  const f = FUNCTIONS[name] ?? AGGREGATES[name];
  if (f) return fence(f.signature) + '\n\n' + f.doc;
  const s = SAMPLERS[name];
  if (s) return fence(s.signature) + '\n\n' + s.doc;
  return undefined;
}

/** `//` and `///` lines directly above a declaration (no blank line between), without the slashes. */
export function docComment(a: Analysis, file: string, declStart: number): string | undefined {
  const src = a.workspace.sourceOf(a, file);
  if (!src) return undefined;
  const lines: string[] = [];
  let line = src.lines.position(declStart).line - 1;
  while (line >= 0) {
    const t = src.lines.lineText(line).trim();
    if (!t.startsWith('//')) break;
    lines.unshift(t.replace(/^\/\/\/?\s?/, ''));
    line--;
  }
  return lines.length ? lines.join('\n') : undefined;
}

function findDecl(a: Analysis, t: Target): { decl: A.Decl; file: string } | undefined {
  const src = a.workspace.sourceOf(a, t.file);
  if (!src) return undefined;
  const d = src.ast.decls.find((x) => x.kind !== 'Goal' && x.name.span.start === t.span.start);
  return d ? { decl: d, file: t.file } : undefined;
}

function targetHover(a: Analysis, t: Target): string {
  switch (t.kind) {
    case 'enum':
    case 'struct':
    case 'model':
    case 'prompt':
    case 'source':
    case 'sim':
    case 'dataset': {
      const found = findDecl(a, t);
      if (!found) return fence(`${t.kind} ${t.name}`);
      const doc = docComment(a, found.file, found.decl.span.start);
      return [declHover(a, found.decl, found.file), doc].filter(Boolean).join('\n\n---\n\n');
    }
    case 'enumCase':
      return fence(`${t.owner}.${t.name}`) + `\n\ncase of enum \`${t.owner}\``;
    case 'field': {
      const s = t.owner ? a.result.symbols.get(t.owner) : undefined;
      const f = s?.decl.kind === 'Struct' ? s.decl.fields.find((x) => x.name.span.start === t.span.start || x.name.name === t.name) : undefined;
      if (!f) return fence(`(field) ${t.owner ? t.owner + '.' : ''}${t.name}: ${t.type ?? '?'}`);
      const src = a.workspace.sourceOf(a, s!.file);
      const text = src ? src.text.slice(f.span.start, f.span.end) : `${t.name}: ${typeRefText(f.type)}`;
      const ty = a.result.ctx.typeRefs.get(f.type) ?? T.unknown;
      return fence(`(field of ${t.owner}) ${text}`) + shapeOf(a, ty);
    }
    case 'param': {
      const ty = typeFromText(a, t);
      return fence(`(parameter of ${t.owner ?? 'prompt'}) ${t.name}: ${t.type ?? show(ty)}`) + shapeOf(a, ty);
    }
    case 'vary': {
      const text = fence(`(vary) ${t.name}: ${t.type ?? '?'}`);
      const clause = varyClause(a, t);
      return clause ? text + '\n\n' + distribution(a, clause) : text;
    }
    case 'let':
    case 'for':
    case 'row':
    case 'judge': {
      const ty = typeFromText(a, t);
      return fence(`(${t.kind}) ${t.name}: ${t.type ?? '?'}`) + shapeOf(a, ty);
    }
    case 'simParam':
    case 'simState':
    case 'simLet':
    case 'eventField':
      return fence(`(${{ simParam: 'param', simState: 'state', simLet: 'let', eventField: 'event field' }[t.kind]} of sim ${t.owner}) ${t.name}${t.type ? ': ' + t.type : ''}`);
    case 'event':
    case 'rule':
      return fence(`(${t.kind} of sim ${t.owner ?? ''}) ${t.name}`);
    case 'binder':
      return fence(`(neighbour) ${t.name}`) + '\n\nanother agent of the same world; its state fields are `' + t.name + '.field`';
    default:
      return fence(`${t.name}${t.type ? ': ' + t.type : ''}`);
  }
}

function typeFromText(a: Analysis, t: Target): Ty {
  const name = t.type?.replace(/[?[\]]/g, '');
  const s = name ? a.result.symbols.get(name) : undefined;
  if (s?.decl.kind === 'Struct') return { k: 'struct', name: s.name };
  if (s?.decl.kind === 'Enum') return { k: 'enum', name: s.name };
  return T.unknown;
}

/** The resolved shape of a struct or enum type, shown under a hover. */
function shapeOf(a: Analysis, ty: Ty): string {
  const base = ty.k === 'optional' ? ty.inner : ty.k === 'array' ? ty.elem : ty;
  if (base.k !== 'struct' && base.k !== 'enum') return '';
  const s = a.result.symbols.get(base.name);
  if (!s) return '';
  return '\n\n' + fence(shapeText(a, s.decl));
}

function shapeText(a: Analysis, d: A.Decl): string {
  if (d.kind === 'Enum') return `enum ${d.name.name} { ${d.cases.map((c) => c.name).join(', ')} }`;
  if (d.kind === 'Struct') {
    const lines = d.fields.map((f) => {
      const cs = f.constraints.map((c) => `@${c.name.name}(${c.args.map(exprText).join(', ')})`).join(' ');
      return `  ${f.name.name}: ${show(a.result.ctx.typeRefs.get(f.type) ?? T.unknown)}${cs ? '  ' + cs : ''}`;
    });
    return `struct ${d.name.name} {\n${lines.join('\n')}\n}`;
  }
  return '';
}

function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'Number':
      return e.raw;
    case 'String':
      return e.raw;
    case 'Range':
      return `${exprText(e.low)}..${exprText(e.high)}`;
    case 'Name':
      return e.name.name;
    default:
      return '…';
  }
}

function declHover(a: Analysis, d: A.Decl, file: string): string {
  switch (d.kind) {
    case 'Enum':
    case 'Struct':
      return fence(shapeText(a, d));
    case 'Model': {
      const s = (k: string) => d.settings.find((x) => x.key.name === k)?.value;
      const name = s('name');
      const lines = [`model ${d.name.name}`];
      if (name?.kind === 'String') lines.push(`  name ${name.raw}`);
      for (const k of ['temperature', 'max_tokens', 'concurrency', 'rpm', 'tpm']) {
        const v = s(k);
        const n = v ? constNumber(v) : undefined;
        if (n !== undefined) lines.push(`  ${k} ${n}`);
      }
      return fence(lines.join('\n'));
    }
    case 'Prompt':
      return promptHover(a, d);
    case 'Sim':
      return simHover(d);
    case 'Dataset': {
      const rt = d.rowType ? typeRefText(d.rowType) : 'inferred';
      return fence(`dataset ${d.name.name}: ${rt}`) + datasetHover(a, d);
    }
    case 'Source':
      return sourceHover(a, d, file);
  }
  return '';
}

/**
 * A source: documents as chunks, or a table — its row type, and what its file holds now (rows, the types its
 * columns' values look like, the columns the struct does not declare or the file lacks).
 */
function sourceHover(a: Analysis, d: A.SourceDecl, file: string): string {
  const arg = d.init.kind === 'Call' ? d.init.args[0] : undefined;
  if (!(d.init.kind === 'Call' && d.init.callee.name === 'table')) return fence(`source ${d.name.name}`) + '\n\nchunks of documents: `text`, `path`, `index`, `tokens`';
  const rt = d.rowType ? typeRefText(d.rowType) : '?';
  const head = fence(`source ${d.name.name}: ${rt} = table(${arg?.kind === 'String' ? JSON.stringify(arg.value) : '…'})`);
  if (arg?.kind !== 'String') return head;
  const info = tableInfo(file, arg.value);
  if ('error' in info) return `${head}\n\n\`${arg.value}\`: ${info.error}`;
  const fields = d.rowType ? fieldsOf(a, a.result.ctx.typeRefs.get(d.rowType) ?? T.unknown) : [];
  const declared = fields.map((f) => f.name);
  // A declared column is read as its field's type (a `date`, a `datetime`, an enum are text in the file, which
  // the values alone would show as `string`); only a column the struct lacks shows the type its values look like.
  const typeOf = (c: { name: string; type: string }) => {
    const f = fields.find((x) => x.name === c.name);
    return f && f.type.k !== 'unknown' ? show(f.type) : c.type;
  };
  const cols = info.columns.map((c) => `\`${c.name}\`: ${typeOf(c)}${declared.length && !declared.includes(c.name) ? ' (not in ' + rt + ')' : ''}`);
  const lacking = declared.filter((f) => !info.columns.some((c) => c.name === f));
  return `${head}\n\n**${countOf(info.rows, 'row')}** in \`${arg.value}\` · ${cols.join(', ')}${lacking.length ? `\n\nnot in the file: ${lacking.map((f) => '`' + f + '`').join(', ')}` : ''}`;
}

/** A dataset's rows and LLM calls, and what they use and cost (per row for a `for` dataset). */
function datasetHover(a: Analysis, d: A.DatasetDecl): string {
  const e = datasetEstimate(a, d.name.name);
  if (!e) return '';
  const usage = e.perRow.calls ? `\n\n**Estimate${e.total ? '' : ' per row'}:** ${usageText(e.total ?? e.perRow, e.unpriced)}` : '';
  const bound = e.upperBound ? "\n\nAn upper bound: some calls are in branches that depend on a model's answer, and every branch is counted." : '';
  return `\n\n${rowsAndCalls(e)}${usage}${bound}`;
}

/** A prompt's signature, the estimate of one call (tokens or images, and cost) and its response JSON Schema. */
function promptHover(a: Analysis, d: A.PromptDecl): string {
  const sig = fence(`prompt ${d.name.name}(${d.params.map((p) => `${p.name.name}: ${typeRefText(p.type)}`).join(', ')})${d.returnType ? ' -> ' + typeRefText(d.returnType) : ''}`);
  const est = promptEstimate(a, d.name.name);
  if (!est) return sig;
  const { call, stage } = est;
  // without a `model`, each call chooses one (`p(x) using m`): its cost is that model's
  if (!stage.model) return `${sig}\n\n**Per call:** the model the call chooses (\`${d.name.name}(…) using MODEL\`) sets its cost`;
  if (call.kind === 'image') {
    const size = stage.settings['size'];
    return `${sig}\n\n**Per call:** ${countOf(call.images, 'image')}${typeof size === 'string' ? ` of ${size}` : ''} through the images API` + (call.usd !== undefined ? ` ≈ ${formatUsd(call.usd)}` : ' (set `price { image: … }` in the model for a cost)');
  }
  const parts = [
    sig,
    `**Per call (estimate):** ~${call.promptTokens.toLocaleString('en-US')} prompt + ~${call.completionTokens.toLocaleString('en-US')} completion tokens` +
      (call.usd !== undefined ? ` ≈ ${formatUsd(call.usd)}${call.batch ? ' (batch price)' : ''}` : ' (set `price` in the model for a cost)'),
  ];
  if (stage.returns.schema) parts.push('**Response JSON Schema:**\n```json\n' + JSON.stringify(stage.returns.schema, null, 2) + '\n```');
  return parts.join('\n\n');
}

function simBytes(type: string): number {
  return type === 'vec2f' ? 8 : type === 'vec3f' || type === 'vec4f' ? 16 : 4;
}

function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Buffer sizes of a sim: state (structure of arrays), event buffers, trajectory. Mirrors compiler/sim/layout.ts. */
export function simBuffers(d: A.SimDecl): { name: string; bytes: number; detail: string }[] {
  const setting = (k: string, def: number) => {
    const v = d.settings.find((s) => s.key.name === k)?.value;
    return (v && constNumber(v)) ?? def;
  };
  const worlds = setting('worlds', 1);
  const agents = setting('agents', 1);
  const steps = setting('steps', 1);
  const n = worlds * agents;
  const maxEvents = setting('max_events', Math.min(1 << 20, Math.max(4096, n * 16)));
  const out: { name: string; bytes: number; detail: string }[] = [];
  for (const s of d.states) {
    const ty = typeRefText(s.type);
    out.push({ name: `state ${s.name.name}`, bytes: n * simBytes(ty), detail: `${n.toLocaleString('en-US')} × ${ty}` });
  }
  for (const e of d.events) {
    const row = (e.fields.length + 3) * 4;
    out.push({ name: `event ${e.name.name}`, bytes: maxEvents * row, detail: `${maxEvents.toLocaleString('en-US')} rows × ${row} B (world, agent, step + ${e.fields.length} fields)` });
  }
  const fields = [...new Set(d.observes.flatMap((o) => o.fields.map((f) => f.name)))];
  if (d.observes.length) {
    const every = Math.max(1, constNumber(d.observes[0]!.every) ?? 1);
    const obs = Math.floor(steps / every);
    const per = fields.reduce((s, f) => s + simBytes(typeRefText(d.states.find((x) => x.name.name === f)?.type ?? { kind: 'NamedType', name: { kind: 'Ident', name: 'f32', span: { start: 0, end: 0 } }, span: { start: 0, end: 0 } })), 0);
    out.push({ name: 'trajectory', bytes: n * obs * per, detail: `${n.toLocaleString('en-US')} agents × ${obs} observations × ${per} B` });
  }
  return out;
}

function simHover(d: A.SimDecl): string {
  const setting = (k: string) => {
    const v = d.settings.find((s) => s.key.name === k)?.value;
    return v ? constNumber(v) : undefined;
  };
  const head = fence(`sim ${d.name.name}  // ${setting('worlds') ?? '?'} worlds × ${setting('agents') ?? '?'} agents × ${setting('steps') ?? '?'} steps`);
  const rows = simBuffers(d).map((b) => `| ${b.name} | ${fmtBytes(b.bytes)} | ${b.detail} |`);
  const total = simBuffers(d).reduce((s, b) => s + b.bytes, 0);
  return `${head}\n\n**Buffers** (total ${fmtBytes(total)})\n\n| buffer | size | layout |\n| --- | --- | --- |\n${rows.join('\n')}`;
}

function varyClause(a: Analysis, t: Target): A.VaryClause | undefined {
  const src = a.workspace.sourceOf(a, t.file);
  for (const d of src?.ast.decls ?? []) {
    if (d.kind !== 'Dataset') continue;
    for (const c of d.clauses) if (c.kind === 'Vary' && c.name.span.start === t.span.start) return c;
  }
  return undefined;
}

const pct = (p: number) => `${+(p * 100).toFixed(2)}%`;

/** A `vary`'s distribution in words: each value's probability, or the sampler's parameters. */
export function distribution(a: Analysis, c: A.VaryClause): string {
  const e = c.dist;
  const enumCases = (name: string) => {
    const d = a.result.symbols.get(name)?.decl;
    return d?.kind === 'Enum' ? d.cases.map((x) => x.name) : undefined;
  };
  const table = (values: string[], probs: number[]) => '| value | probability |\n| --- | --- |\n' + values.map((v, i) => `| ${v} | ${pct(probs[i]!)} |`).join('\n');
  if (c.mode === 'grid') {
    let values: string[] = [];
    if (e.kind === 'Name') values = enumCases(e.name.name) ?? [];
    else if (e.kind === 'Range') {
      const lo = constNumber(e.low);
      const hi = constNumber(e.high);
      if (lo !== undefined && hi !== undefined) for (let i = lo; i <= hi && values.length < 50; i++) values.push(String(i));
    } else if (e.kind === 'Array') values = e.items.map(exprText);
    return `**Grid:** every row combination enumerates ${values.length} value${values.length === 1 ? '' : 's'}: ${values.join(', ')}`;
  }
  if (e.kind !== 'Call') return '';
  const n = (i: number) => (e.args[i] ? constNumber(e.args[i]!) : undefined);
  if (e.callee.name === 'fake') {
    const path = e.args[0]?.kind === 'String' ? e.args[0].value : '';
    const m = fakeMethod(path);
    return m ? `**Distribution:** faker's \`${path}\` in locale \`${fakeCallLocale(e)}\`, e.g. ${JSON.stringify(m.example)}` : '';
  }
  // parameters computed per row (conditional sampling): no fixed distribution to describe
  const constant = (x: A.Expr) => constNumber(x) !== undefined || x.kind === 'String' || x.kind === 'Bool' || (x.kind === 'Call' && (x.callee.name === 'date' || x.callee.name === 'datetime') && x.args[0]?.kind === 'String');
  const isEnumArg = e.callee.name === 'uniform' && e.args.length === 1;
  if (!isEnumArg && e.callee.name !== 'weighted' && e.callee.name !== 'one_of' && !e.args.every(constant)) {
    return `**Distribution:** conditional — \`${printExpr(e)}\` with parameters computed for each row from the values before it`;
  }
  const when = (i: number) => {
    const x = e.args[i];
    return x?.kind === 'Call' && x.args[0]?.kind === 'String' ? x.args[0].value : undefined;
  };
  if (e.callee.name === 'uniform' && e.args.length === 2 && when(0) !== undefined) {
    const kind = (e.args[0] as A.CallExpr).callee.name;
    return kind === 'date' ? `**Distribution:** a day from ${when(0)} to ${when(1)}, each equally likely` : `**Distribution:** an instant uniform from ${when(0)} to ${when(1)}`;
  }
  switch (e.callee.name) {
    case 'weighted': {
      const rec = e.args[0];
      if (rec?.kind !== 'Record') return '';
      const vals = rec.entries.map((en) => keyName(en.key));
      const ws = rec.entries.map((en) => constNumber(en.value) ?? 0);
      const sum = ws.reduce((s, x) => s + x, 0) || 1;
      return '**Distribution:** weighted\n\n' + table(vals, ws.map((w) => w / sum));
    }
    case 'uniform': {
      if (e.args.length === 1 && e.args[0]!.kind === 'Name') {
        const cs = enumCases(e.args[0].name.name) ?? [];
        return '**Distribution:** uniform over the cases\n\n' + table(cs, cs.map(() => 1 / cs.length));
      }
      return `**Distribution:** uniform float in [${n(0)}, ${n(1)}), mean ${((n(0) ?? 0) + (n(1) ?? 0)) / 2}`;
    }
    case 'one_of': {
      const vals = e.args.map(exprText);
      return '**Distribution:** one of, equally likely\n\n' + table(vals, vals.map(() => 1 / vals.length));
    }
    case 'normal': {
      const m = n(0) ?? 0;
      const s = n(1) ?? 0;
      return `**Distribution:** normal, mean ${m}, sd ${s}; 95% of draws in [${+(m - 1.96 * s).toFixed(4)}, ${+(m + 1.96 * s).toFixed(4)}]`;
    }
    case 'randint': {
      const lo = n(0) ?? 0;
      const hi = n(1) ?? 0;
      return `**Distribution:** integer uniform in [${lo}, ${hi}], each value ${pct(1 / Math.max(1, hi - lo + 1))}`;
    }
    case 'bernoulli':
      return `**Distribution:** true with probability ${pct(n(0) ?? 0)}`;
    case 'poisson':
      return `**Distribution:** Poisson, mean and variance ${n(0)}`;
  }
  return '';
}
