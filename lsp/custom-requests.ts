// The custom requests of the VS Code extension (the contract: protocol.ts): params `{ uri, name }`, result
// `{ content, language?, title? }` or null.
//  - synth/previewPrompt: the prompt's messages rendered with sampled arguments — the first row of a dataset
//    that calls it (same seed, samplers and evaluator as `synth run`), or placeholders by type;
//  - synth/showWgsl: the WGSL modules generated for a sim (compiler/sim/plan.ts);
//  - synth/showPlan: the plan (canonical JSON) of a dataset or sim, or of the whole file when `name` is ''.
import type * as A from '../grammar/ast.js';
import { buildPlan } from '../compiler/plan/lower.js';
import type { DatasetStage, Plan, PromptStage } from '../compiler/plan/schema.js';
import { canonicalJson } from '../compiler/plan/canonical.js';
import type { ExprIR } from '../compiler/plan/expr-ir.js';
import { buildSimStage } from '../compiler/sim/plan.js';
import { constNumber } from '../compiler/check/const-eval.js';
import { evaluate, interpolate, type Env, type Value } from '../compiler/plan/eval.js';
import { drawer } from '../compiler/plan/random.js';
import { sample } from '../compiler/plan/samplers.js';
import { fakeMethod } from '../compiler/check/fake.js';
import { countOf, estimateCall, formatUsd, rowPromptCalls } from '../compiler/plan/estimate.js';
import type { DeclParams, DocumentResult } from './protocol.js';
import type { Analysis } from './workspace.js';

function goalSeed(a: Analysis): number {
  const seed = a.result.symbols.goal?.decl.settings.find((s) => s.key.name === 'seed')?.value;
  return (seed && constNumber(seed)) ?? 0;
}

/** synth/showWgsl: the WGSL modules generated for sim `params.name` in one document (a note instead when the sim has errors); null when there is no such sim. */
export function showWgsl(a: Analysis, params: DeclParams): DocumentResult | null {
  const sym = a.result.symbols.get(params.name);
  if (sym?.decl.kind !== 'Sim') return null;
  if (a.result.diagnostics.some((d) => d.severity === 'error' && d.span.start >= sym.decl.span.start && d.span.end <= sym.decl.span.end && d.file === sym.file)) {
    return { content: `// sim ${params.name} has errors; fix them to see its WGSL.\n`, language: 'wgsl', title: `${params.name}.wgsl` };
  }
  const { wgsl } = buildSimStage(sym.decl, { seed: goalSeed(a), file: sym.file });
  const content = wgsl.map((m) => `// ---- ${m.name}.wgsl ----\n${m.code}`).join('\n\n');
  return { content: content || `// sim ${params.name}: no WGSL modules\n`, language: 'wgsl', title: `${params.name}.wgsl` };
}

/** synth/showPlan: the canonical plan JSON of a stage named `params.name`, or of the whole file for ''; an error note while the spec has errors; null for an unknown name. */
export function showPlan(a: Analysis, params: DeclParams): DocumentResult | null {
  if (a.result.hasErrors) {
    const n = a.result.diagnostics.filter((d) => d.severity === 'error').length;
    return { content: JSON.stringify({ error: `the spec has ${n} error${n === 1 ? '' : 's'}; fix them to build a plan` }, null, 2), language: 'json' };
  }
  const { plan, json } = buildPlan(a.result, a.doc.text);
  if (!params.name) return { content: json, language: 'json', title: 'plan.json' };
  const stage = plan.datasets[params.name] ?? plan.sims[params.name] ?? plan.prompts[params.name] ?? plan.models[params.name] ?? plan.sources[params.name];
  if (!stage) return null;
  return { content: canonicalJson(stage), language: 'json', title: `${params.name} (plan).json` };
}

/** Placeholder arguments when no dataset calls the prompt: a value of each parameter's type. */
function placeholder(a: Analysis, t: A.TypeRef): Value {
  switch (t.kind) {
    case 'ArrayType':
      return [placeholder(a, t.element)];
    case 'OptionalType':
      return placeholder(a, t.inner);
    case 'UnionType':
      return t.members[0]?.value ?? '';
    case 'NamedType': {
      const n = t.name.name;
      if (n === 'int') return 3;
      if (n === 'float') return 0.5;
      if (n === 'bool') return true;
      if (n === 'string') return '‹text›';
      const d = a.result.symbols.get(n)?.decl;
      if (d?.kind === 'Enum') return d.cases[0]?.name ?? '';
      if (d?.kind === 'Struct') {
        const o: Record<string, Value> = {};
        for (const f of d.fields) o[f.name.name] = placeholder(a, f.type);
        return o;
      }
      return `‹${n}›`;
    }
  }
}

/** The catalogue's example of a faker method, as the value the method gives (text, or JSON for other types). */
function fakeExample(method: string): Value {
  const m = fakeMethod(method);
  if (!m) return `‹${method}›`;
  return m.type === 'string' || m.type === 'datetime' ? m.example : (JSON.parse(m.example) as Value);
}

function sampledArgs(prompt: PromptStage, datasets: DatasetStage[]): { args: Value[]; from: string } | undefined {
  for (const ds of datasets) {
    const call = rowPromptCalls(ds).find((c) => c.prompt === prompt.name);
    if (!call) continue;
    const env: Env = new Map();
    try {
      // a `fake` draw needs faker, which the language server does not load: the catalogue's example stands in
      for (const v of ds.vary) env.set(v.name, v.sampler.kind === 'fake' ? fakeExample(v.sampler.method) : sample(v.sampler, drawer(ds.seed, ds.name, v.name, 0), { env }));
      return { args: call.args.map((x: ExprIR) => evaluate(x, env)), from: `dataset \`${ds.name}\`, row 0` };
    } catch {
      // arguments that need a sim event or an earlier prompt's answer: fall back to placeholders
    }
  }
  return undefined;
}

/** synth/previewPrompt: prompt `params.name`'s messages rendered with row 0's arguments of a dataset that calls it (else placeholders by type), its schema and the estimate of one call; null when there is no such prompt. */
export function previewPrompt(a: Analysis, params: DeclParams): DocumentResult | null {
  const sym = a.result.symbols.get(params.name);
  if (sym?.decl.kind !== 'Prompt') return null;
  const decl = sym.decl;
  let plan: Plan | undefined;
  try {
    plan = buildPlan(a.result, a.doc.text).plan;
  } catch {
    plan = undefined;
  }
  const stage = plan?.prompts[params.name];
  const datasets = Object.values(plan?.datasets ?? {});
  if (!stage) return { content: `# ${params.name}\n\nThe prompt cannot be previewed until the spec's errors are fixed.\n`, language: 'markdown' };
  const sampled = sampledArgs(stage, datasets);
  const args = sampled?.args ?? decl.params.map((p) => placeholder(a, p.type));
  const env: Env = new Map(decl.params.map((p, i) => [p.name.name, args[i] ?? null]));
  const lines = [`# Prompt \`${params.name}\` — preview`, ''];
  lines.push(`Arguments (${sampled ? `sampled from ${sampled.from}` : 'placeholders by type'}):`, '');
  decl.params.forEach((p, i) => lines.push(`- \`${p.name.name}\` = ${JSON.stringify(args[i] ?? null)}`));
  for (const m of stage.messages) {
    let text: string;
    try {
      text = interpolate(evaluate(m.template, env));
    } catch (err) {
      text = `(cannot render: ${(err as Error).message})`;
    }
    lines.push('', `## ${m.role}`, '', '```text', text, '```');
  }
  if (stage.returns.schema) lines.push('', '## response schema', '', '```json', JSON.stringify(stage.returns.schema, null, 2), '```');
  const call = estimateCall(plan!, params.name);
  if (call?.kind === 'chat') lines.push('', `Estimated per call: ~${call.promptTokens} prompt + ~${call.completionTokens} completion tokens${call.usd !== undefined ? `, ≈ ${formatUsd(call.usd)}` : ''}.`);
  if (call?.kind === 'image') lines.push('', `Estimated per call: ${countOf(call.images, 'image')}${call.usd !== undefined ? `, ≈ ${formatUsd(call.usd)}` : ''}.`);
  return { content: lines.join('\n') + '\n', language: 'markdown', title: `${params.name} (prompt preview).md` };
}
