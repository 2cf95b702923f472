// One estimate, shown four ways: `synth run --dry-run` (dryRun), the `--budget` pre-check (run), the language
// server's hovers and its inlay hints. On every example and on seeded random specs (models priced or not, batch
// mode, image prompts, nested and repeated calls, grids, --limit), the figures must be the same: the hover and the
// hint are parsed back from their text and compared with the dry run's numbers.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InlayHintKind } from 'vscode-languageserver';
import { afterAll, describe, expect, it } from 'vitest';
import type * as A from '../../grammar/ast.js';
import { formatUsd, type Counts, type DatasetEstimate, type PlanEstimate } from '../../compiler/plan/estimate.js';
import type { Plan } from '../../compiler/plan/schema.js';
import { hoverText } from '../../lsp/hover.js';
import { dryRun } from '../../runtime/run/dry-run.js';
import { run } from '../../runtime/run/run-plan.js';
import { exampleSpecs } from '../support/examples.js';
import { mulberry32, type Rng } from '../support/prng.js';
import { hintsOf, openInEditor, planOfFile } from '../support/synth.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'synth-estimate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/,/g, '')));

/** The figures a hover or hint text shows, read back from the text. */
function figuresOf(text: string) {
  const total = /([\d,]+) rows? · ([\d,]+) LLM calls? \(before retries\)/.exec(text);
  const perItem = /(?:one row|([\d,]+) rows) per item · ([\d,]+) LLM calls? per row/.exec(text);
  const tokens = /~([\d,]+) prompt \+ ~([\d,]+) completion tokens/.exec(text);
  const images = /([\d,]+) images?\b/.exec(text);
  const usd = /≈ (\$[\d,.]+)/.exec(text) ?? /≥ (\$[\d,.]+)/.exec(text);
  const unpriced = /no price for ([\w, ]+?)[;)]/.exec(text);
  return {
    rows: num(total?.[1]),
    calls: num(total?.[2] ?? perItem?.[2]),
    promptTokens: num(tokens?.[1]) ?? 0,
    completionTokens: num(tokens?.[2]) ?? 0,
    images: num(images?.[1]) ?? 0,
    usd: usd?.[1],
    unpriced: unpriced ? unpriced[1]!.split(', ') : [],
  };
}

/** What the dry run says about a dataset, in the form the editor shows it (per row when the editor cannot count items). */
function expectedOf(d: DatasetEstimate, perRow: boolean) {
  const c: Counts = perRow ? d.perRow : d.total!;
  const priced = d.unpriced.length === 0 || c.usd > 0;
  return {
    rows: perRow ? undefined : d.rows!,
    calls: c.calls,
    promptTokens: c.promptTokens,
    completionTokens: c.completionTokens,
    images: c.images,
    usd: c.calls && priced ? formatUsd(c.usd) : undefined,
    unpriced: c.calls ? d.unpriced : [],
  };
}

/** The estimate the `--budget` pre-check compares: captured, and the run stopped before anything is sent. */
async function budgetEstimate(plan: Plan, projectRoot: string, limit?: number): Promise<PlanEstimate> {
  let seen: PlanEstimate | undefined;
  const stop = new Error('stop: estimate captured');
  await expect(
    run(plan, {
      projectRoot,
      backend: 'cpu',
      budgetUsd: 1e12,
      ...(limit !== undefined ? { limit } : {}),
      env: {},
      onEstimate: (e) => {
        seen = e;
        throw stop;
      },
    }),
  ).rejects.toBe(stop);
  return seen!;
}

/** Dry run == budget pre-check == hovers == inlay hints, for the spec at `file`. */
async function expectAgreement(file: string, limit?: number): Promise<PlanEstimate> {
  const { plan } = planOfFile(file);
  const projectRoot = path.dirname(file);
  // the figures agree; the dry run alone adds the run's memory estimate (runtime/sim/memory.ts)
  const figures = ({ memory: _memory, ...e }: PlanEstimate): PlanEstimate => e;
  const dry = figures(await dryRun(plan, { projectRoot, backend: 'cpu' }));
  expect(await budgetEstimate(plan, projectRoot)).toEqual(dry);
  if (limit !== undefined) {
    expect(await budgetEstimate(plan, projectRoot, limit)).toEqual(figures(await dryRun(plan, { projectRoot, backend: 'cpu', limit })));
  }

  // The editor: the same spec open in a workspace, every dataset hovered, every hint read.
  const editor = openInEditor(readFileSync(file, 'utf8'), file);
  const a = editor.a;
  const hints = hintsOf(editor);
  for (const d of dry.datasets) {
    const decl = a.source.ast.decls.find((x): x is A.DatasetDecl => x.kind === 'Dataset' && x.name.name === d.dataset)!;
    const perRow = 'for' in plan.datasets[d.dataset]!.rows;
    const want = expectedOf(d, perRow);
    const hover = hoverText(a, decl.name.span.start)!.text;
    expect(figuresOf(hover), `hover of dataset ${d.dataset}:\n${hover}`).toEqual(want);
    const at = a.source.lines.position(decl.rowType ? decl.rowType.span.end : decl.name.span.end);
    const hint = hints.find((h) => h.position.line === at.line && h.position.character === at.character && h.kind === InlayHintKind.Parameter);
    expect(hint, `inlay hint of dataset ${d.dataset}`).toBeDefined();
    const hf = figuresOf(String(hint!.label));
    expect({ rows: hf.rows, calls: hf.calls }, `inlay hint of dataset ${d.dataset}: ${String(hint!.label)}`).toEqual({ rows: want.rows, calls: want.calls });
    // each prompt the dataset calls: the hover's per-call figures × calls per row = the dry run's per-row figures
    // (a prompt without a `model` costs what the model each call chooses costs: no one figure per call)
    for (const [prompt, c] of Object.entries(d.perRow.prompts)) {
      if (!plan.prompts[prompt]!.model) continue;
      const pDecl = a.result.symbols.get(prompt)!.decl;
      const ph = figuresOf(hoverText(a, pDecl.name.span.start)!.text);
      // per-row figures of datasets estimated row by row are averages: equal up to rounding
      const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
      const got = { promptTokens: ph.promptTokens * c.calls, completionTokens: ph.completionTokens * c.calls, images: ph.images * c.calls };
      const want = { promptTokens: c.promptTokens, completionTokens: c.completionTokens, images: c.images };
      expect(close(got.promptTokens, want.promptTokens) && close(got.completionTokens, want.completionTokens) && close(got.images, want.images), `hover of prompt ${prompt}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBe(true);
      // shown to two significant digits: within half a unit of the last digit shown
      if (ph.usd !== undefined) {
        const unit = 10 ** -(ph.usd.split('.')[1] ?? '').length;
        expect(Math.abs(num(ph.usd.slice(1))! - c.usd / c.calls), `hover of prompt ${prompt}: ${ph.usd}`).toBeLessThanOrEqual(unit / 2 + 1e-12);
      }
    }
  }
  // and a budget under the estimate is refused with the estimate's figure
  if (dry.total.usd > 0) {
    await expect(run(plan, { projectRoot, backend: 'cpu', budgetUsd: dry.total.usd / 2, env: {} })).rejects.toMatchObject({
      code: 'SYN5003',
      message: expect.stringContaining(`the estimated cost ${formatUsd(dry.total.usd)} is over the budget`),
    });
  }
  return dry;
}

describe('the estimate agrees across dry run, budget pre-check, hover and inlay hints', () => {
  for (const spec of exampleSpecs()) {
    it(`example ${path.basename(spec)}`, async () => {
      // a copy, so nothing a run could write lands in the examples
      const dir = path.join(tmp, path.basename(path.dirname(spec)));
      cpSync(path.dirname(spec), dir, { recursive: true, filter: (src) => !/[\\/](out|\.synth)$/.test(src) });
      const dry = await expectAgreement(path.join(dir, path.basename(spec)));
      expect(dry.datasets.length).toBeGreaterThan(0);
    }, 60_000);
  }

  it('on 40 seeded random specs', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const dir = path.join(tmp, `gen-${seed}`);
      mkdirSync(dir);
      const file = path.join(dir, 'spec.synth');
      const rng = mulberry32(seed);
      writeFileSync(file, randomSpec(rng));
      await expectAgreement(file, 1 + Math.floor(rng() * 50));
    }
  }, 120_000);
});

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const words = (rng: Rng, n: number) => Array.from({ length: n }, () => pick(rng, ['alpha', 'beta', 'gamma', 'data', 'ticket', 'summary', 'x'])).join(' ');

/** A spec with random models (priced or not, batch or direct), chat and image prompts, and datasets calling them. */
function randomSpec(rng: Rng): string {
  const out = [`goal "generated" { seed ${int(rng, 0, 99)} }`, 'struct Note { text: string @len(1..200) }', 'struct Plain { a: string }', 'struct Shot { a: string, image: image }'];
  const chatModels: string[] = [];
  for (let i = 0; i < int(rng, 1, 3); i++) {
    const name = `m${i}`;
    chatModels.push(name);
    const price = rng() < 0.7 ? ` price { input: ${int(rng, 1, 500) / 100}, output: ${int(rng, 1, 1500) / 100}${rng() < 0.3 ? `, batch_discount: ${int(rng, 1, 9) / 10}` : ''} }` : '';
    out.push(`model ${name} { name "gpt-test" api_key env("KEY")${rng() < 0.5 ? ` max_tokens ${int(rng, 1, 4000)}` : ''}${rng() < 0.3 ? ' mode batch' : ''}${price} }`);
  }
  const imageModel = rng() < 0.5;
  if (imageModel) out.push(`model painter { name "img" api_key env("KEY")${rng() < 0.6 ? ` price { image: ${int(rng, 1, 80) / 1000} }` : ''} }`);
  const chat: Array<{ name: string; returns: 'string' | 'Note' }> = [];
  for (let i = 0; i < int(rng, 1, 4); i++) {
    const p = { name: `p${i}`, returns: pick(rng, ['string', 'Note'] as const) };
    chat.push(p);
    const holes = Array.from({ length: int(rng, 1, 3) }, () => '{x}').join(' and ');
    out.push(
      `prompt ${p.name}(x: string) -> ${p.returns} { model ${pick(rng, chatModels)}${rng() < 0.5 ? ` system "${words(rng, int(rng, 1, 30))}"` : ''} user "${words(rng, int(rng, 0, 60))} ${holes}"${rng() < 0.3 ? ` max_tokens ${int(rng, 1, 3000)}` : ''} }`,
    );
  }
  if (imageModel) out.push(`prompt draw(x: string) -> image { model painter user "{x}"${rng() < 0.6 ? ` images ${int(rng, 1, 16)}` : ''}${rng() < 0.5 ? ' size "512x512"' : ''} }`);
  for (let k = 0; k < int(rng, 1, 3); k++) {
    const lines: string[] = [];
    const grid = rng() < 0.3;
    if (!grid || rng() < 0.5) lines.push(`count ${int(rng, 1, 20_000)}`);
    if (grid) lines.push(`vary g in 1..${int(rng, 1, 40)}`);
    lines.push('vary x ~ one_of("a", "b")');
    let last = 'x';
    for (let i = 0; i < int(rng, 0, 3); i++) {
      const p = pick(rng, chat);
      // sometimes a call nested in another call's argument: both are counted
      const inner = rng() < 0.3 ? pick(rng, chat) : undefined;
      const arg = inner ? `${inner.name}(${last})${inner.returns === 'Note' ? '.text' : ''}` : last;
      lines.push(`let v${i} = ${p.name}(${arg})`);
      last = p.returns === 'Note' ? `v${i}.text` : `v${i}`;
    }
    const withImage = imageModel && rng() < 0.6;
    if (withImage) lines.push(`let pic = draw(${last})`);
    // a prompt may also make the whole row (`row = p(x)`, the row type then being its return type)
    const rowCall = !withImage && rng() < 0.4 ? chat.find((p) => p.returns === 'Note') : undefined;
    lines.push(rowCall ? `row = ${rowCall.name}(${last})` : withImage ? `row = { a: ${last}, image: pic }` : `row = { a: ${last} }`);
    lines.push(`output "out/d${k}.jsonl"`);
    out.push(`dataset d${k}: ${rowCall ? 'Note' : withImage ? 'Shot' : 'Plain'} {\n  ${lines.join('\n  ')}\n}`);
  }
  return out.join('\n\n') + '\n';
}
