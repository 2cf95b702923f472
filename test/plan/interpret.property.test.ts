// The promises of the step interpreter (compiler/plan/interpret.ts), over seeded random expressions and step
// lists of nested if_else / match / && / || / loops with prompt calls in every position:
//  - the estimate (UNKNOWN answers, explore) asks for exactly the calls the run makes — same prompts, same sites,
//    same order — whenever the conditions depend on the row's values only;
//  - when a condition depends on an answer, the estimate asks for at least every call the run makes (an upper
//    bound) and says so;
//  - every call of a row has its own site (the LLM cache key), and a site never depends on which branches ran.
// Plus the runtime's chat-format check agrees with an independent reader of OpenAI's fine-tuning format on
// seeded random conversations, valid and broken.
import { describe, expect, it } from 'vitest';
import type { Env, Value } from '../../compiler/plan/eval.js';
import type { ExprIR } from '../../compiler/plan/expr-ir.js';
import { runSteps, UNKNOWN, type CallRequest } from '../../compiler/plan/interpret.js';
import type { DatasetStep } from '../../compiler/plan/schema.js';
import { chatProblem } from '../../runtime/dataset/chat-format.js';
import { fineTuningErrors } from '../support/fine-tuning-format.js';
import { mulberry32 } from '../support/prng.js';

type Rng = () => number;
const pick = <T>(xs: readonly T[], r: Rng): T => xs[Math.floor(r() * xs.length)]!;

/** A random expression; `answers`: conditions may read `ans` (a prompt's answer, a let), otherwise only `b`/`n`. */
function expr(r: Rng, depth: number, answers: boolean): ExprIR {
  const leaf = (): ExprIR => (r() < 0.5 ? { prompt: pick(['p', 'q'], r), args: [{ var: 'n' }] } : { lit: pick([1, 'x', true], r) });
  if (depth <= 0) return leaf();
  const cond = (): ExprIR => (answers && r() < 0.4 ? { op: '==', args: [{ var: 'ans' }, { lit: 'yes' }] } : r() < 0.5 ? { var: 'b' } : { op: '>', args: [{ var: 'n' }, { lit: 2 }] });
  switch (Math.floor(r() * 6)) {
    case 0:
      return { call: 'if_else', args: [cond(), expr(r, depth - 1, answers), expr(r, depth - 1, answers)] };
    case 1:
      return { match: answers && r() < 0.3 ? { var: 'ans' } : { var: 'n' }, cases: [[1, expr(r, depth - 1, answers)], [2, expr(r, depth - 1, answers)]], default: r() < 0.7 ? expr(r, depth - 1, answers) : { lit: 0 } };
    case 2:
      return { op: pick(['&&', '||'], r), args: [cond(), expr(r, depth - 1, answers)] };
    case 3:
      return { list: [expr(r, depth - 1, answers), expr(r, depth - 1, answers)] };
    case 4:
      return { prompt: 'p', args: [expr(r, depth - 1, answers)] };
    default:
      return leaf();
  }
}

function steps(r: Rng, answers: boolean): DatasetStep[] {
  const out: DatasetStep[] = [{ let: 'ans', expr: { prompt: 'a', args: [] } }];
  for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
    if (r() < 0.3) out.push({ loop: 'i', from: { lit: 1 }, to: { var: 'n' }, steps: [{ let: 'x', expr: expr(r, 3, answers) }] });
    else out.push({ let: `v${k}`, expr: expr(r, 4, answers) });
  }
  out.push({ row: { record: { a: expr(r, 2, answers) } } });
  return out;
}

/** The calls of one row: run for real (answers from `answer`), or explored with UNKNOWN answers. */
function callsOf(s: DatasetStep[], env: Env, explore: boolean, answer: (c: CallRequest) => Value): { calls: CallRequest[]; upper: boolean } {
  const calls: CallRequest[] = [];
  let upper = false;
  const run = runSteps(s, new Map(env), explore ? { explore: true, onUpperBound: () => (upper = true) } : {});
  let next = run.next();
  while (!next.done) {
    calls.push(next.value);
    next = run.next(explore ? UNKNOWN : answer(next.value));
  }
  return { calls, upper };
}

const sig = (c: CallRequest) => `${c.prompt}@${c.site}`;

describe('the step interpreter', () => {
  it('the estimate asks for exactly the run’s calls when conditions read only the row’s values (2,000 seeded rows)', () => {
    const r = mulberry32(0x15a);
    for (let t = 0; t < 2000; t++) {
      const s = steps(r, false);
      const env: Env = new Map<string, Value>([['n', 1 + Math.floor(r() * 3)], ['b', r() < 0.5]]);
      const real = callsOf(s, env, false, (c) => (c.prompt === 'a' ? pick(['yes', 'no'], r) : 'answer'));
      const est = callsOf(s, env, true, () => null);
      expect(est.calls.map(sig), JSON.stringify(s)).toEqual(real.calls.map(sig));
      expect(est.upper).toBe(false);
      // one site per call of the row
      expect(new Set(real.calls.map(sig)).size).toBe(real.calls.length);
    }
  });

  it('regression: two new values of one `let` in a loop body, and two loops with the same binder, are distinct sites', () => {
    const body: DatasetStep[] = [
      { set: 'chat', expr: { prompt: 'p', args: [{ var: 'i' }] } },
      { set: 'chat', expr: { prompt: 'p', args: [{ var: 'i' }] } },
    ];
    const s: DatasetStep[] = [
      { let: 'chat', expr: { list: [] } },
      { loop: 'i', from: { lit: 1 }, to: { lit: 2 }, steps: body },
      { loop: 'i', from: { lit: 1 }, to: { lit: 2 }, steps: body },
    ];
    const { calls } = callsOf(s, new Map(), false, () => 'a');
    expect(calls.map(sig)).toEqual(['p@set:chat#0@1:i=1/0', 'p@set:chat#1@1:i=1/0', 'p@set:chat#0@1:i=2/0', 'p@set:chat#1@1:i=2/0', 'p@set:chat#0@2:i=1/0', 'p@set:chat#1@2:i=1/0', 'p@set:chat#0@2:i=2/0', 'p@set:chat#1@2:i=2/0']);
  });

  it('with conditions on answers the estimate is an upper bound: every call the run makes, whatever the answers (2,000 seeded rows)', () => {
    const r = mulberry32(0x15b);
    let bounded = 0;
    for (let t = 0; t < 2000; t++) {
      const s = steps(r, true);
      const env: Env = new Map<string, Value>([['n', 1 + Math.floor(r() * 3)], ['b', r() < 0.5]]);
      const est = callsOf(s, env, true, () => null);
      const sites = new Set(est.calls.map(sig));
      for (const ans of ['yes', 'no']) {
        const real = callsOf(s, env, false, (c) => (c.prompt === 'a' ? ans : 1));
        for (const c of real.calls) expect(sites.has(sig(c)), `${sig(c)} in ${JSON.stringify(s)}`).toBe(true);
        expect(real.calls.length).toBeLessThanOrEqual(est.calls.length);
        if (real.calls.length < est.calls.length) expect(est.upper).toBe(true);
      }
      if (est.upper) bounded++;
    }
    expect(bounded).toBeGreaterThan(100);
  });
});

/** A random conversation: mostly valid ones (system?, user/assistant turns, tool calls answered), then broken. */
function conversation(r: Rng): Record<string, Value> {
  const msgs: Array<Record<string, Value>> = [];
  if (r() < 0.6) msgs.push({ role: 'system', content: 'You help.' });
  let id = 0;
  for (let t = 1 + Math.floor(r() * 3); t > 0; t--) {
    msgs.push({ role: 'user', content: `question ${t}` });
    if (r() < 0.4) {
      const calls = Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({ id: `call_${++id}`, type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ k: id }) } }));
      msgs.push({ role: 'assistant', tool_calls: calls });
      for (const c of calls) msgs.push({ role: 'tool', tool_call_id: c.id, content: 'ok' });
    }
    msgs.push({ role: 'assistant', content: `answer ${t}` });
  }
  const line: Record<string, Value> = { messages: msgs, tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] };
  if (r() < 0.5) return line;
  // one mutation that may break the format (or not: the two readers must agree either way)
  const i = Math.floor(r() * msgs.length);
  const m = msgs[i]!;
  switch (Math.floor(r() * 9)) {
    case 0:
      msgs.splice(i, 1);
      break;
    case 1:
      m['role'] = pick(['system', 'user', 'assistant', 'tool', 'bot'], r);
      break;
    case 2:
      delete m['content'];
      break;
    case 3:
      msgs.push({ role: 'user', content: 'one more' });
      break;
    case 4:
      if (m['tool_calls']) ((m['tool_calls'] as Array<Record<string, any>>)[0]!['function']['arguments'] = pick(['{', '[1]', '"s"', '{}'], r));
      break;
    case 5:
      if (m['tool_call_id']) m['tool_call_id'] = 'call_999';
      break;
    case 6:
      msgs.splice(i, 0, { role: 'system', content: 'late' });
      break;
    case 7:
      // a model that answered nothing: an empty text is no content (OpenAI's format check: `not content`)
      if (typeof m['content'] === 'string') m['content'] = '';
      break;
    default:
      msgs.reverse();
  }
  return line;
}

describe('the chat file check', () => {
  it('agrees with an independent reader of the fine-tuning format on 3,000 seeded conversations', () => {
    const r = mulberry32(0x15c);
    let broken = 0;
    for (let t = 0; t < 3000; t++) {
      const line = conversation(r);
      const ours = chatProblem(line['messages']!);
      const theirs = fineTuningErrors(line);
      expect(ours === undefined, `${ours} / ${theirs.join('; ')}: ${JSON.stringify(line)}`).toBe(theirs.length === 0);
      if (ours) broken++;
    }
    expect(broken).toBeGreaterThan(500);
  });
  it('an empty text is no content (shrunk from the property above): a system, user or final assistant message', () => {
    const ok = [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }];
    expect(chatProblem(ok)).toBeUndefined();
    expect(chatProblem([{ role: 'system', content: '' }, ...ok])).toMatch(/message 1 \(system\) has no text/);
    expect(chatProblem([{ role: 'user', content: '' }, { role: 'assistant', content: 'a' }])).toMatch(/message 1 \(user\) has no text/);
    expect(chatProblem([{ role: 'user', content: 'q' }, { role: 'assistant', content: '' }])).toMatch(/neither text nor tool calls/);
  });
});
