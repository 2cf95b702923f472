// `key value` settings of goal, model, prompt, source and dataset blocks, checked against the block's table
// (compiler/settings.ts: the same tables the language server completes and the docs list).
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import type { SettingSpec } from '../settings.js';
import { T } from '../types.js';
import { constNumber, isEnvCall } from './const-eval.js';
import type { CheckContext } from './context.js';

/** The largest price accepted (USD per 1M tokens or per image): far above any real model, far below overflow. */
export const MAX_PRICE_USD = 1_000_000;

/** The keys of a `price { ... }` record: USD per 1M input/output tokens, per image, and the batch discount. */
export const PRICE_KEYS = ['input', 'output', 'image', 'batch_discount'];

/**
 * Checks `settings` against `table` for the block named `block` (e.g. `model writer`): unknown keys (SYN1004),
 * repeated keys (SYN1010), values of the wrong kind (SYN2009) or out of range (SYN3007), `env(...)` where a
 * constant is needed (SYN4001), secrets written literally (SYN4003); with `blockSpan`, also the required keys that
 * are missing (SYN1005, reported at `blockSpan`). Returns the first setting of each known key.
 */
export function checkSettings(ctx: CheckContext, settings: A.Setting[], table: Record<string, SettingSpec>, block: string, blockSpan?: A.Span): Map<string, A.Setting> {
  const byKey = new Map<string, A.Setting>();
  for (const s of settings) {
    const key = s.key.name;
    if (!key) continue;
    const spec = table[key];
    if (!spec) {
      ctx.report('SYN1004', s.key.span, { key, block }, { ...ctx.suggest(s.key.span, key, Object.keys(table)), data: { key, block } });
      continue;
    }
    if (byKey.has(key)) {
      ctx.report('SYN1010', s.key.span, { key, block });
      continue;
    }
    byKey.set(key, s);
    settingValue(ctx, s, spec, block);
  }
  if (blockSpan) {
    for (const [key, spec] of Object.entries(table)) {
      if (spec.required && !byKey.has(key)) ctx.report('SYN1005', blockSpan, { block, key }, { data: { key, block } });
    }
  }
  return byKey;
}

/** `between 0 and 2`, `at least 1`: a setting's bounds, for SYN3007. */
function rangeText(spec: SettingSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return `between ${spec.min} and ${spec.max}`;
  return spec.min !== undefined ? `at least ${spec.min}` : `at most ${spec.max}`;
}

/** What a setting of each kind takes, for SYN2009. */
function expectedOf(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'int':
      return 'a constant integer';
    case 'number':
      return 'a constant number';
    case 'string':
      return 'a string';
    case 'duration':
      return 'a duration such as `60s` or `500ms`';
    case 'template':
      return 'a string template';
    case 'ident':
      return `one of ${spec.values!.join(', ')}`;
    case 'modelRef':
      return 'the name of a model block';
    case 'split':
      return 'a record of fractions such as `{ train: 0.9, test: 0.1 }`';
    case 'price':
      return 'a record such as `{ input: 0.15, output: 0.60 }`';
  }
}

function settingValue(ctx: CheckContext, s: A.Setting, spec: SettingSpec, block: string): void {
  const v = s.value;
  if (v.kind === 'Missing') return;
  const key = s.key.name;
  const mismatch = () => ctx.report('SYN2009', v.span, { key, block, expected: expectedOf(spec) });
  if (isEnvCall(v)) {
    if (!spec.env) {
      ctx.report('SYN4001', v.span, { what: `\`${key}\`` });
      return;
    }
    const [name, def] = v.args;
    if (!name || name.kind !== 'String' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.value) || v.args.length > 2 || (def && def.kind !== 'String')) {
      ctx.report('SYN2017', v.span);
    }
    return;
  }
  if (spec.secret) {
    ctx.report('SYN4003', v.span, { key }, { fix: ctx.replaceFix('Read the key from OPENAI_API_KEY', v.span, 'env("OPENAI_API_KEY")') });
    return;
  }
  const range = (x: number) => {
    if ((spec.min !== undefined && x < spec.min) || (spec.max !== undefined && x > spec.max)) {
      ctx.report('SYN3007', v.span, { key, range: rangeText(spec), value: x });
    }
  };
  switch (spec.kind) {
    case 'int': {
      const n = constNumber(v);
      if (n === undefined || !Number.isInteger(n) || (v.kind === 'Number' && v.isFloat)) return mismatch();
      return range(n);
    }
    case 'number': {
      const n = constNumber(v);
      if (n === undefined) return mismatch();
      return range(n);
    }
    case 'string':
      if (v.kind !== 'String') mismatch();
      return;
    case 'duration':
      if (v.kind !== 'Duration' || !Number.isFinite(v.ms)) mismatch();
      return;
    case 'template':
      if (v.kind !== 'Template') mismatch();
      return;
    case 'ident':
      if (v.kind !== 'Name' || !spec.values!.includes(v.name.name)) mismatch();
      return;
    case 'modelRef': {
      if (v.kind !== 'Name') return mismatch();
      const name = v.name.name;
      const sym = ctx.symbols.get(name);
      if (!sym || sym.decl.kind !== 'Model') {
        ctx.report('SYN1001', v.name.span, { what: 'model', name }, { ...ctx.suggest(v.name.span, name, ctx.symbols.namePool(['Model'])), data: { name } });
        return;
      }
      ctx.refer(v.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
      return;
    }
    case 'split':
      if (v.kind !== 'Record') return mismatch();
      return checkFractions(ctx, v, `\`${key}\``);
    case 'price': {
      if (v.kind !== 'Record') return mismatch();
      for (const en of v.entries) {
        const k = keyName(en.key);
        if (!PRICE_KEYS.includes(k)) ctx.report('SYN2005', en.key.span, { type: 'price', name: k }, { ...ctx.suggest(en.key.span, k, PRICE_KEYS), choices: PRICE_KEYS });
        const n = constNumber(en.value);
        if (n === undefined || !(n >= 0 && Number.isFinite(n))) ctx.report('SYN2018', en.value.span, { what: `price \`${k}\`` });
        // a discount is a fraction of the price; a price beyond any real one would overflow cost sums to Infinity
        else if (k === 'batch_discount' && n > 1) ctx.report('SYN3007', en.value.span, { key: 'price `batch_discount`', range: 'a fraction between 0 and 1 (0.5: half price)', value: n });
        else if (k !== 'batch_discount' && n > MAX_PRICE_USD) ctx.report('SYN3007', en.value.span, { key: `price \`${k}\``, range: `at most ${MAX_PRICE_USD.toLocaleString('en-US')} USD`, value: n });
      }
      return;
    }
  }
}

/**
 * `{ a: 0.6, b: 0.4 }` of `what` (e.g. `` `split` ``): constant non-negative numbers (SYN2018) under distinct keys
 * (SYN1009) that sum to 1 within 1e-6 (SYN3001, with a quick fix that scales them).
 */
export function checkFractions(ctx: CheckContext, v: A.RecordLit, what: string): void {
  let sum = 0;
  let ok = true;
  const seen = new Set<string>();
  for (const en of v.entries) {
    const k = keyName(en.key);
    if (seen.has(k)) ctx.report('SYN1009', en.key.span, { name: k, scope: what });
    seen.add(k);
    const n = constNumber(en.value);
    if (n === undefined || !(n >= 0 && Number.isFinite(n))) {
      ctx.report('SYN2018', en.value.span, { what: `a fraction of ${what}` });
      ok = false;
    } else sum += n;
  }
  if (ok && v.entries.length > 0 && Math.abs(sum - 1) > 1e-6) {
    const rounded = Math.round(sum * 1e6) / 1e6;
    // Quick fix: scale every fraction so they sum to 1 (not possible when all are 0).
    const fixText = sum > 0 ? `{ ${v.entries.map((en) => `${keyName(en.key)}: ${+(constNumber(en.value)! / sum).toFixed(4)}`).join(', ')} }` : undefined;
    ctx.report('SYN3001', v.span, { what, sum: rounded }, fixText ? { fix: ctx.replaceFix('Scale the fractions to sum to 1', v.span, fixText) } : {});
  }
}
