// Token counting with js-tiktoken (the BPE tables OpenAI models use). The tables are large (parsing o200k takes
// about a second), so each encoder is loaded lazily, on first use, and only once per process.
//
// Used for: the chunker (real token boundaries), and the scheduler's tokens-per-minute reservation before a call
// (corrected with the endpoint's reported usage after it).
import { createRequire } from 'node:module';
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite';
import type { ChatMessage } from './types.js';

export type EncodingName = 'o200k_base' | 'cl100k_base';

const require = createRequire(import.meta.url);
const encoders = new Map<EncodingName, Tiktoken>();

/** The encoder for `name`, loaded on first use. Document text is data: special-token text is encoded as text. */
export function getEncoder(name: EncodingName = 'o200k_base'): Tiktoken {
  let enc = encoders.get(name);
  if (!enc) {
    const { Tiktoken: Ctor } = require('js-tiktoken/lite') as { Tiktoken: new (r: TiktokenBPE) => Tiktoken };
    const mod = require(`js-tiktoken/ranks/${name}`) as TiktokenBPE | { default: TiktokenBPE };
    enc = new Ctor('default' in mod ? mod.default : mod);
    encoders.set(name, enc);
  }
  return enc;
}

/** The pre-tokenizer regex of an encoding (pieces never straddle a token). */
export function piecePattern(name: EncodingName = 'o200k_base'): RegExp {
  const mod = require(`js-tiktoken/ranks/${name}`) as TiktokenBPE | { default: TiktokenBPE };
  return new RegExp(('default' in mod ? mod.default : mod).pat_str, 'gu');
}

/** Which table a model name uses: o200k for the gpt-4o / o-series / gpt-4.1+ families, cl100k for older ones. */
export function encodingForModel(model: string): EncodingName {
  return /^(gpt-4(?!o|\.)|gpt-3\.5|text-embedding)/.test(model) ? 'cl100k_base' : 'o200k_base';
}

/** Exact token count of a text (special-token strings such as `<|endoftext|>` count as ordinary text). */
export function countTokens(text: string, name: EncodingName = 'o200k_base'): number {
  return getEncoder(name).encode(text, [], []).length;
}

// Counts of texts that recur from call to call — a prompt's system message, the schema — so that a tokens-per-minute
// reservation costs a lookup for them instead of a BPE pass. Bounded: cleared when full (row texts rarely repeat).
const MAX_MEMO = 512;
const memo = new Map<string, number>();
const schemaMemo = new WeakMap<object, Partial<Record<EncodingName, number>>>();

function countMemo(text: string, name: EncodingName): number {
  const key = name + '\0' + text;
  let n = memo.get(key);
  if (n === undefined) {
    n = countTokens(text, name);
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(key, n);
  }
  return n;
}

function schemaTokens(schema: object, name: EncodingName): number {
  let byEnc = schemaMemo.get(schema);
  if (!byEnc) schemaMemo.set(schema, (byEnc = {}));
  return (byEnc[name] ??= countTokens(JSON.stringify(schema), name));
}

/**
 * Prompt tokens a chat request will be billed for: each message's content plus the chat format's framing
 * (≈ 3 per message + 3 for the reply priming), plus the schema when structured output is used (the endpoint
 * injects it into the context; this slightly over-estimates, which is the safe side for a rate limit).
 * System messages and schemas are memoised (they repeat for every row of a prompt); other messages are not.
 */
export function estimatePromptTokens(messages: readonly ChatMessage[], schema: object | undefined, model: string): number {
  const enc = encodingForModel(model);
  let n = 3;
  for (const m of messages) n += 3 + (m.role === 'system' ? countMemo(m.content, enc) : countTokens(m.content, enc));
  if (schema) n += schemaTokens(schema, enc);
  return n;
}
