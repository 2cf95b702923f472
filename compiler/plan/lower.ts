// Lowering: a checked program → the runtime plan (schema.ts), as canonical JSON plus generated WGSL files.
// Invariants of the result:
//  - deterministic: same program → same bytes (sorted keys, no timestamps, no absolute paths, no spans);
//  - layout-free: reformatting the spec never changes the plan (values, not source text, are recorded);
//  - secret-free: `env("NAME")` stays symbolic ({ env: NAME }); API keys are never resolved here;
//  - addressed: every stage carries a content hash, so the runtime can tell which stages changed.
import * as path from 'node:path';
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import type { CheckResult } from '../check.js';
import { constNumber, isEnvCall } from '../check/const-eval.js';
import { isIterableProblem, iterableElement } from '../check/iterables.js';
import { eachBounds } from '../check/for-clauses.js';
import { isTableDecl, tableFormat } from '../check/sources.js';
import type { CheckContext } from '../check/context.js';
import { buildSimStage } from '../sim/plan.js';
import { show, T, type Ty } from '../types.js';
import { VERSION } from '../version.js';
import { canonicalJson, contentHash } from './canonical.js';
import type { EstimatePlanInput } from './estimate.js';
import { promptCalls } from './eval.js';
import { lowerExpr, type ExprIR } from './expr-ir.js';
import { jsonSchemaOf } from './json-schema.js';
import { printExpr } from '../format.js';
import { PLAN_VERSION, type BuildOutput, type DatasetStage, type DatasetStep, type EachStage, type FilesSourceStage, type ModelStage, type Param, type Plan, type PromptStage, type Sampler, type Setting, type SimPlanStage, type TableSourceStage, type VaryStage } from './schema.js';
import { fakeCallLocale } from '../check/fake.js';
import { constWhen } from '../check/samplers.js';
import { FAKER_VERSION } from '../fake-catalogue.js';
import { FAKE_REF_DATE } from '../fake-types.js';

function settingValue(e: A.Expr): Setting {
  if (isEnvCall(e)) {
    const [n, d] = e.args;
    return { env: n?.kind === 'String' ? n.value : '', ...(d?.kind === 'String' ? { default: d.value } : {}) };
  }
  switch (e.kind) {
    case 'String':
      return e.value;
    case 'Template':
      return e.raw;
    case 'Bool':
      return e.value;
    case 'Duration':
      return e.ms;
    case 'Name':
      return e.name.name;
    case 'Record': {
      const out: Record<string, number> = {};
      for (const en of e.entries) out[keyName(en.key)] = constNumber(en.value) ?? 0;
      return out;
    }
  }
  return constNumber(e) ?? null;
}

function settingsOf(settings: A.Setting[], skip: string[] = []): Record<string, Setting> {
  const out: Record<string, Setting> = {};
  for (const s of settings) if (s.key.name && !skip.includes(s.key.name)) out[s.key.name] = settingValue(s.value);
  return out;
}

function withHash<T extends object>(stage: Omit<T, 'hash'>): T {
  return { ...stage, hash: contentHash(stage) } as T;
}

function fractionsOf(e: A.Expr | undefined): Record<string, number> | null {
  if (!e || e.kind !== 'Record') return null;
  const out: Record<string, number> = {};
  for (const en of e.entries) out[keyName(en.key)] = constNumber(en.value) ?? 0;
  return out;
}

/** The goal's seed and default split, which every dataset stage inherits. */
function goalOf(result: CheckResult): { seed: number; split: Record<string, number> | null; description: string | null; purpose: string | null } {
  const goalDecl = result.symbols.goal?.decl;
  const goalSetting = (k: string) => goalDecl?.settings.find((s) => s.key.name === k)?.value;
  const purpose = goalSetting('purpose');
  return {
    description: goalDecl?.description?.value ?? null,
    seed: constNumber(goalSetting('seed') ?? { kind: 'Missing', span: { start: 0, end: 0 } }) ?? 0,
    split: fractionsOf(goalSetting('split')),
    purpose: purpose?.kind === 'String' ? purpose.value : null,
  };
}

/**
 * Lowers a checked program (`checkProgram`/`checkFile`) into the runtime plan: `plan` (schema.ts), its canonical
 * JSON (`json`, what `synth build` writes) and the generated WGSL modules by file name. Call it only on a result
 * without errors (the CLI does); the language server also lowers programs with errors, best effort. Never throws
 * on a checked program.
 */
export function buildPlan(result: CheckResult, specText?: string): BuildOutput {
  const { ctx, program } = result;
  const entry = program.files.get(program.entry)!;
  const root = path.dirname(program.entry);
  const goal = goalOf(result);
  const seed = goal.seed;

  const plan: Plan = {
    synth: 'plan',
    version: PLAN_VERSION,
    tool: VERSION,
    spec: { file: path.basename(program.entry) },
    hash: '',
    goal: { description: goal.description, seed, split: goal.split, purpose: goal.purpose },
    models: {},
    prompts: {},
    sources: {},
    sims: {},
    datasets: {},
  };
  void specText;
  void entry;
  const wgsl = new Map<string, string>();

  for (const p of program.order) {
    ctx.file = p;
    for (const d of program.files.get(p)!.ast.decls) {
      switch (d.kind) {
        case 'Model':
          plan.models[d.name.name] = modelStage(d);
          break;
        case 'Prompt':
          plan.prompts[d.name.name] = promptStage(d, ctx);
          break;
        case 'Source': {
          const g = d.init.kind === 'Call' ? d.init.args[0] : undefined;
          if (isTableDecl(d)) {
            plan.sources[d.name.name] = tableStage(d, ctx);
            break;
          }
          const get = (k: string, def: number) => {
            const v = d.settings.find((x) => x.key.name === k)?.value;
            return (v && constNumber(v)) ?? def;
          };
          plan.sources[d.name.name] = withHash<FilesSourceStage>({
            name: d.name.name,
            glob: g?.kind === 'String' ? g.value : '',
            chunk: get('chunk', 512),
            overlap: get('overlap', 0),
          });
          break;
        }
        case 'Sim': {
          const { stage, wgsl: modules } = buildSimStage(d, { seed });
          const files: string[] = [];
          for (const m of modules) {
            const f = `sims/${d.name.name}/${m.name}.wgsl`;
            wgsl.set(f, m.code);
            files.push(f);
          }
          plan.sims[d.name.name] = withHash<SimPlanStage>({ name: d.name.name, stage, wgsl: files });
          break;
        }
        case 'Dataset':
          plan.datasets[d.name.name] = datasetStage(d, ctx, seed, plan.goal.split, root);
          break;
      }
    }
  }
  const { models, prompts, sources, sims, datasets } = plan;
  plan.hash = contentHash({ goal: plan.goal, models, prompts, sources, sims, datasets, wgsl: [...wgsl].sort() });
  return { plan, json: canonicalJson(plan), wgsl };
}

/**
 * Only the stages an estimate reads (estimate.ts), lowered exactly as `buildPlan` lowers them: the named datasets
 * and prompts, the prompts those datasets call, and the models of all these prompts. For the language server,
 * whose hovers and inlay hints need a few declarations per request and not the whole plan (sims, WGSL, hashes of
 * everything). Names that are no dataset or prompt of the program are ignored.
 */
export function lowerForEstimate(result: CheckResult, names: string[]): EstimatePlanInput {
  const { ctx, symbols, program } = result;
  const goal = goalOf(result);
  const out: EstimatePlanInput = { models: {}, prompts: {}, datasets: {} };
  const promptNames = new Set<string>();
  for (const n of names) {
    const decl = symbols.byName.get(n)?.decl;
    if (decl?.kind === 'Prompt') promptNames.add(n);
    if (decl?.kind !== 'Dataset') continue;
    const ds = datasetStage(decl, ctx, goal.seed, goal.split, path.dirname(program.entry));
    out.datasets[n] = ds;
    ds.prompts.forEach((p) => promptNames.add(p));
  }
  for (const n of promptNames) {
    const decl = symbols.byName.get(n)?.decl;
    if (decl?.kind !== 'Prompt') continue;
    const p = (out.prompts[n] = promptStage(decl, ctx));
    const model = symbols.byName.get(p.model)?.decl;
    if (model?.kind === 'Model') out.models[p.model] ??= modelStage(model);
  }
  return out;
}

/** `source people: Person = table("seed/people.csv")`: the path as written, its format, the struct's schema. */
function tableStage(d: A.SourceDecl, ctx: CheckContext): TableSourceStage {
  const g = d.init.kind === 'Call' ? d.init.args[0] : undefined;
  const p = g?.kind === 'String' ? g.value : '';
  const rowTy: Ty = d.rowType ? (ctx.typeRefs.get(d.rowType) ?? T.unknown) : T.unknown;
  return withHash<TableSourceStage>({
    name: d.name.name,
    table: { path: p, format: tableFormat(p) ?? 'csv' },
    rowType: { name: show(rowTy), schema: jsonSchemaOf(rowTy, ctx) },
    unique: uniqueFields(rowTy, ctx),
  });
}

/** The `@unique` fields of a struct type, in declaration order (none for another type). */
function uniqueFields(t: Ty, ctx: CheckContext): string[] {
  const d = t.k === 'struct' ? ctx.symbols.get(t.name)?.decl : undefined;
  return d?.kind === 'Struct' ? d.fields.filter((f) => f.constraints.some((c) => c.name.name === 'unique')).map((f) => f.name.name) : [];
}

function modelStage(d: A.ModelDecl): ModelStage {
  const s = settingsOf(d.settings, ['provider', 'mode']);
  const provider = d.settings.find((x) => x.key.name === 'provider')?.value;
  const mode = d.settings.find((x) => x.key.name === 'mode')?.value;
  return withHash<ModelStage>({
    name: d.name.name,
    provider: provider?.kind === 'Name' ? provider.name.name : 'openai',
    mode: mode?.kind === 'Name' && mode.name.name === 'batch' ? 'batch' : 'direct',
    settings: s,
  });
}

function promptStage(d: A.PromptDecl, ctx: CheckContext): PromptStage {
  const ret: Ty = d.returnType ? (ctx.typeRefs.get(d.returnType) ?? T.unknown) : T.string;
  const model = d.settings.find((s) => s.key.name === 'model')?.value;
  const messages: PromptStage['messages'] = [];
  for (const s of d.settings) {
    if ((s.key.name === 'system' || s.key.name === 'user' || s.key.name === 'assistant') && s.value.kind === 'Template') {
      messages.push({ role: s.key.name, template: lowerExpr(s.value, ctx) });
    }
  }
  return withHash<PromptStage>({
    name: d.name.name,
    model: model?.kind === 'Name' ? model.name.name : '',
    params: d.params.map((p) => ({ name: p.name.name, type: show(ctx.typeRefs.get(p.type) ?? T.unknown) })),
    returns: {
      type: show(ret),
      kind: ret.k === 'image' ? 'image' : ret.k === 'string' ? 'text' : 'json',
      schema: ret.k === 'string' || ret.k === 'image' ? null : jsonSchemaOf(ret, ctx),
    },
    messages,
    settings: settingsOf(d.settings, ['model', 'system', 'user', 'assistant']),
  });
}

/**
 * A constant argument's value (a number, text, bool or enum case), or `{ expr }` for one computed per row from
 * earlier `vary`s and the `for` item. Constants are recorded as values, so plans of constant samplers are as before.
 */
function paramOf(a: A.Expr, ctx: CheckContext): Param<string | number | boolean> {
  if (a.kind === 'String') return a.value;
  if (a.kind === 'Bool') return a.value;
  const n = constNumber(a);
  if (n !== undefined) return n;
  if (a.kind === 'Name' && ctx.references.get(a.name)?.kind === 'enumCase') return a.name.name;
  if (a.kind === 'Member' && ctx.references.get(a.member)?.kind === 'enumCase') return a.member.name;
  return { expr: lowerExpr(a, ctx) };
}

/** A numeric parameter (the checker made sure it is a number or an expression giving one). */
function numParam(a: A.Expr | undefined, ctx: CheckContext): Param<number> {
  if (!a) return 0;
  const p = paramOf(a, ctx);
  return typeof p === 'object' ? p : typeof p === 'number' ? p : 0;
}

/** A date or datetime bound: canonical text when it is `date("…")` / `datetime("…")`, else an expression. */
function whenParam(a: A.Expr | undefined, kind: 'date' | 'datetime', ctx: CheckContext): Param<string> {
  if (!a) return '';
  return constWhen(a, kind) ?? { expr: lowerExpr(a, ctx) };
}

function samplerOf(v: A.VaryClause, ctx: CheckContext): Sampler {
  const e = v.dist;
  const enumValues = (name: string): string[] => {
    const d = ctx.symbols.get(name)?.decl;
    return d?.kind === 'Enum' ? d.cases.map((c) => c.name) : [];
  };
  if (v.mode === 'grid') {
    let values: Array<string | number | boolean> = [];
    if (e.kind === 'Name') values = enumValues(e.name.name);
    else if (e.kind === 'Range') {
      const lo = constNumber(e.low) ?? 0;
      const hi = constNumber(e.high) ?? -1;
      for (let i = lo; i <= hi; i++) values.push(i);
    } else if (e.kind === 'Array') values = e.items.map((i) => (i.kind === 'String' ? i.value : i.kind === 'Bool' ? i.value : i.kind === 'Name' ? i.name.name : (constNumber(i) ?? 0)));
    return { kind: 'choice', values, weights: values.map(() => 1 / Math.max(1, values.length)) };
  }
  if (e.kind !== 'Call') return { kind: 'choice', values: [], weights: [] };
  const n = (i: number) => numParam(e.args[i], ctx);
  const drawn = rowSampler(e, ctx);
  if (drawn) return drawn;
  switch (e.callee.name) {
    case 'uuid':
      return { kind: 'uuid' };
    case 'seq':
      return { kind: 'seq' };
    case 'uniform': {
      if (e.args.length === 1 && e.args[0]!.kind === 'Name') {
        const values = enumValues(e.args[0].name.name);
        return { kind: 'choice', values, weights: values.map(() => 1 / Math.max(1, values.length)) };
      }
      const t = ctx.exprTypes.get(e.args[0]!)?.k;
      const kind = t === 'date' || t === 'datetime' ? t : ctx.exprTypes.get(e.args[1]!)?.k;
      if (kind === 'date' || kind === 'datetime') return { kind, low: whenParam(e.args[0], kind, ctx), high: whenParam(e.args[1], kind, ctx) };
      return { kind: 'uniform', low: n(0), high: n(1) };
    }
    case 'normal':
      return { kind: 'normal', mean: n(0), sd: n(1) };
    case 'randint':
      return { kind: 'randint', low: n(0), high: n(1) };
    case 'bernoulli':
      return { kind: 'bernoulli', p: n(0) };
    case 'poisson':
      return { kind: 'poisson', lambda: n(0) };
    case 'one_of': {
      const values = e.args.map((a) => paramOf(a, ctx));
      return { kind: 'choice', values, weights: values.map(() => 1 / Math.max(1, values.length)) };
    }
    case 'weighted': {
      const rec = e.args[0];
      if (rec?.kind !== 'Record') return { kind: 'choice', values: [], weights: [] };
      return { kind: 'choice', values: rec.entries.map((en) => keyName(en.key)), weights: rec.entries.map((en) => constNumber(en.value) ?? 0) };
    }
    case 'fake': {
      const path = e.args[0];
      return { kind: 'fake', method: path?.kind === 'String' ? path.value : '', locale: fakeCallLocale(e), library: `@faker-js/faker ${FAKER_VERSION}`, refDate: FAKE_REF_DATE };
    }
  }
  return { kind: 'choice', values: [], weights: [] };
}

/** `one_of(people)` / `weighted(people, column)` over a table source or a dataset; undefined for other calls. */
function rowSampler(e: A.CallExpr, ctx: CheckContext): Sampler | undefined {
  const from = e.args[0];
  if ((e.callee.name !== 'one_of' && e.callee.name !== 'weighted') || from?.kind !== 'Name') return undefined;
  const r = ctx.references.get(from.name);
  if (r?.kind !== 'decl') return undefined;
  const decl = ctx.symbols.get(from.name.name)?.decl;
  const of = decl?.kind === 'Dataset' ? 'dataset' : decl?.kind === 'Source' ? 'source' : undefined;
  if (!of) return undefined;
  const col = e.args[1];
  return { kind: 'row', from: from.name.name, of, ...(e.callee.name === 'weighted' && col?.kind === 'Name' ? { weight: col.name.name } : {}) };
}

/** `each N`, `each randint(a, b)`, `each one_of(…)`: the most rows an item makes, and the draw of how many. */
function eachOf(e: A.Expr | undefined): EachStage {
  if (!e) return { count: 1 };
  const b = eachBounds(e) ?? { min: 1, max: 1 };
  if (e.kind !== 'Call') return { count: b.max };
  const vals = e.args.map((a) => constNumber(a) ?? 0);
  const sampler: Sampler = e.callee.name === 'randint' ? { kind: 'randint', low: vals[0] ?? 0, high: vals[1] ?? 0 } : { kind: 'choice', values: vals, weights: vals.map(() => 1 / Math.max(1, vals.length)) };
  return { count: b.max, sampler };
}

/** What is known of a nested `for`'s list length: a list literal's, or the `@items` bounds of the field it reads. */
function listSize(e: A.Expr, ctx: CheckContext): { min: number; max: number } | null {
  if (e.kind === 'Array') return { min: e.items.length, max: e.items.length };
  if (e.kind !== 'Member') return null;
  const r = ctx.references.get(e.member);
  if (r?.kind !== 'field' || !r.declName) return null;
  const decl = ctx.symbols.get(r.declName)?.decl;
  const f = decl?.kind === 'Struct' ? decl.fields.find((x) => x.name.name === e.member.name) : undefined;
  const items = f?.constraints.find((c) => c.name.name === 'items')?.args[0];
  if (items?.kind !== 'Range') return null;
  const lo = constNumber(items.low);
  const hi = constNumber(items.high);
  return lo !== undefined && hi !== undefined ? { min: lo, max: hi } : null;
}

/** A readable label for a check/expect, printed canonically so formatting the spec never changes it. */
function exprText(e: A.Expr, _ctx: CheckContext): string {
  return printExpr(e);
}

function datasetStage(d: A.DatasetDecl, ctx: CheckContext, goalSeed: number, goalSplit: Record<string, number> | null, root: string): DatasetStage {
  let count: number | undefined;
  let forRows: Extract<DatasetStage['rows'], { for: unknown }>['for'] | undefined;
  const vary: VaryStage[] = [];
  const steps: DatasetStep[] = [];
  const keep: string[] = [];
  const unique: DatasetStage['unique'] = [];
  const expects: DatasetStage['expects'] = [];
  let output: DatasetStage['output'] = { path: `out/${d.name.name}.jsonl`, format: 'jsonl' };
  let chat: DatasetStage['chat'] = null;
  let split = goalSplit;
  let seed = goalSeed;
  const sims = new Set<string>();
  const sources = new Set<string>();
  const reads = new Set<string>();
  // names the clauses declared so far: a `for` over one of them ranges over a list (a nested `for`)
  const declared = new Set<string>();
  let level = 0;
  let itemsFor = false;
  for (const c of d.clauses) {
    switch (c.kind) {
      case 'Count':
        count = constNumber(c.value) ?? 0;
        break;
      case 'For': {
        const it = c.iterable;
        const local = (it.kind === 'Name' && declared.has(it.name.name)) || (it.kind === 'Member' && it.object.kind === 'Name' && declared.has(it.object.name.name));
        const el = local || itemsFor || level > 0 ? undefined : iterableElement(ctx, it);
        declared.add(c.binder.name);
        if (el && !isIterableProblem(el)) {
          itemsFor = true;
          const each = eachOf(c.each);
          forRows = {
            binder: c.binder.name,
            kind: el.kind,
            from: el.decl,
            ...(el.event ? { event: el.event } : {}),
            each: each.count,
            ...(each.sampler ? { eachSampler: each.sampler } : {}),
            ...(c.where ? { where: lowerExpr(c.where, ctx) } : {}),
          };
          if (el.kind === 'dataset') reads.add(el.decl);
          else (el.kind === 'source' || el.kind === 'table' ? sources : sims).add(el.decl);
        } else {
          // a list (the checker reported any other iterable): a nested `for`
          level++;
          steps.push({ for: c.binder.name, list: lowerExpr(it, ctx), level, each: eachOf(c.each), where: c.where ? lowerExpr(c.where, ctx) : null, size: listSize(it, ctx) });
        }
        break;
      }
      case 'Vary': {
        declared.add(c.name.name);
        const sampler = samplerOf(c, ctx);
        if (sampler.kind === 'row') (sampler.of === 'dataset' ? reads : sources).add(sampler.from);
        vary.push({ name: c.name.name, mode: c.mode, sampler, ...(level > 0 ? { level } : {}) });
        break;
      }
      case 'LetClause':
        declared.add(c.name.name);
        steps.push({ let: c.name.name, expr: lowerExpr(c.value, ctx) });
        break;
      case 'Row':
        steps.push({ row: lowerExpr(c.value, ctx) });
        break;
      case 'Check':
        steps.push({ check: lowerExpr(c.expr, ctx), text: exprText(c.expr, ctx) });
        break;
      case 'Judge':
        declared.add(c.name.name);
        steps.push({ judge: c.name.name, call: lowerExpr(c.call, ctx), op: c.op ?? null, threshold: c.threshold ? lowerExpr(c.threshold, ctx) : null });
        break;
      case 'Keep':
        keep.push(...c.names.map((n) => n.name));
        break;
      case 'Unique':
        unique.push({ expr: lowerExpr(c.expr, ctx), similarity: c.similarity ? (constNumber(c.similarity) ?? null) : null });
        break;
      case 'Expect':
        expects.push({ expr: lowerExpr(c.expr, ctx, true), text: exprText(c.expr, ctx) });
        break;
      case 'Output': {
        const p = c.path.value;
        const format = p.endsWith('.csv') ? 'csv' : p.endsWith('.parquet') ? 'parquet' : 'jsonl';
        // Paths are recorded as written (relative to the spec's folder), never absolutised: plans are portable.
        output = { path: p, format };
        void root;
        break;
      }
      case 'Format': {
        chat = {};
        for (const en of c.fields.entries) chat[keyName(en.key)] = lowerExpr(en.value, ctx);
        break;
      }
      case 'SettingClause': {
        const k = c.setting.key.name;
        if (k === 'split') split = fractionsOf(c.setting.value);
        if (k === 'seed') seed = constNumber(c.setting.value) ?? seed;
        break;
      }
    }
  }
  // `count N` beside a `for` keeps the first N rows, in canonical item order (docs/language.md, section 6).
  let rows: DatasetStage['rows'] = forRows ? { for: count !== undefined ? { ...forRows, count } : forRows } : { count: count ?? 0 };
  // Without `count` or `for`, a grid dataset has one row per combination of its grid variables: each cell once.
  if ('count' in rows && !d.clauses.some((c) => c.kind === 'Count') && vary.some((v) => v.mode === 'grid')) {
    rows = { count: vary.filter((v) => v.mode === 'grid').reduce((n, v) => n * (v.sampler.kind === 'choice' ? v.sampler.values.length : 1), 1), grid: true };
  }
  const rowTy: Ty = d.rowType ? (ctx.typeRefs.get(d.rowType) ?? T.unknown) : T.unknown;
  // `@unique` fields of the row type deduplicate like `unique row.field` (after any written `unique`)
  for (const f of uniqueFields(rowTy, ctx)) unique.push({ expr: { get: { var: 'row' }, field: f }, similarity: null });
  // the prompts any step can reach, `check`s included (promptCalls walks any JSON, not only one expression)
  const prompts = new Set(promptCalls(steps as unknown as ExprIR).map((c) => c.prompt));
  const rowDecl = rowTy.k === 'struct' ? ctx.symbols.get(rowTy.name)?.decl : undefined;
  const images = rowDecl?.kind === 'Struct' ? rowDecl.fields.filter((f) => ctx.typeRefs.get(f.type)?.k === 'image').map((f) => f.name.name) : [];
  return withHash<DatasetStage>({
    name: d.name.name,
    rowType: { name: show(rowTy), schema: jsonSchemaOf(rowTy, ctx) },
    rows,
    vary,
    steps,
    keep,
    unique,
    expects,
    output,
    chat,
    split,
    seed,
    prompts: [...prompts].sort(),
    sims: [...sims].sort(),
    sources: [...sources].sort(),
    ...(images.length ? { images } : {}),
    ...(reads.size ? { datasets: [...reads].sort() } : {}),
    ...(level > 0 ? { nested: true as const } : {}),
  });
}
