// One measurement, in its own process so its CPU time is its own: `impl` makes structured-output calls with
// `concurrency` in flight against the fake OpenAI server at `url`, and prints one JSON line
// { impl, concurrency, calls, ok, failed, wallMs, cpuMs, rowsPerSec, cpuMsPerCall }.
//   node dist/bench/llm/worker.js --impl synth --concurrency 100 --calls 3000 --url http://127.0.0.1:PORT/v1 [--warmup N]
//
// All calls are issued as one stream: `warmup` calls, then the `calls` measured, then `concurrency` more. The
// window runs from the warmup-th finished row to the (warmup + calls)-th, so throughput and CPU are measured with
// the JIT settled and every slot busy: the trailing calls keep the pipeline full to the end of the window, and it
// never includes the pipeline filling from idle or draining at the end (see bench/RESULTS.md, "LLM client").
// A row is finished when the client hands back a validated value; for LangChain's batch, whose sequence runs the
// model step for every input before the parser step for any, when its model call ends (handleLLMEnd).
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import pLimit from 'p-limit';
import { LlmClient } from '../../runtime/llm/client.js';
import { MODEL, SCHEMA, SYSTEM, Ticket, userText } from '../llm-e2e/workload.js';

export type Impl = 'synth' | 'openai+p-limit' | 'ai-sdk+p-limit' | 'langchain-batch';

function arg(name: string): string {
  const i = process.argv.indexOf('--' + name);
  if (i < 0) throw new Error(`missing --${name}`);
  return process.argv[i + 1]!;
}

// the same calls as the end-to-end bench's peers (one definition of the workload)
function reportFirstError(rs: PromiseSettledResult<unknown>[]): void {
  const bad = rs.find((r) => r.status === 'rejected');
  if (bad) process.stderr.write(`first error: ${String(bad.reason).slice(0, 300)}\n`);
}

type CallFn = (i: number) => Promise<unknown>;
/** Issues calls from..from+n-1, calling `onRow` as each row is finished; resolves to how many succeeded. */
type RunFn = (from: number, n: number, onRow: () => void) => Promise<number>;

async function makeImpl(impl: Impl, url: string, concurrency: number): Promise<{ run: RunFn; close: () => Promise<void> }> {
  const pool = (fn: CallFn): RunFn => {
    const limit = pLimit(concurrency);
    return async (from, n, onRow) => {
      const rs = await Promise.allSettled(Array.from({ length: n }, (_, k) => limit(() => fn(from + k)).then(onRow)));
      reportFirstError(rs);
      return rs.filter((r) => r.status === 'fulfilled').length;
    };
  };
  switch (impl) {
    case 'synth': {
      const client = new LlmClient(
        { id: 'bench', model: MODEL, baseUrl: url, concurrency, retries: 2, timeoutMs: 60_000, temperature: 0.9, maxTokens: 600 },
        { apiKey: 'sk-bench', cacheDir: null },
      );
      // The scheduler bounds requests in flight; issue everything and let it queue.
      const run: RunFn = async (from, n, onRow) => {
        const rs = await Promise.allSettled(
          Array.from({ length: n }, (_, k) =>
            client
              .call({ messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: userText(from + k) }], schema: SCHEMA, schemaName: 'Ticket', rowKey: `bench/${from + k}` })
              .then(onRow),
          ),
        );
        reportFirstError(rs);
        return rs.filter((r) => r.status === 'fulfilled').length;
      };
      return { run, close: () => client.close() };
    }
    case 'openai+p-limit': {
      const client = new OpenAI({ apiKey: 'sk-bench', baseURL: url, maxRetries: 2, timeout: 60_000 });
      const validate = new Ajv({ allErrors: true }).compile(SCHEMA);
      return {
        run: pool(async (i) => {
          const r = await client.chat.completions.create({
            model: MODEL,
            temperature: 0.9,
            max_tokens: 600,
            messages: [
              { role: 'system', content: SYSTEM },
              { role: 'user', content: userText(i) },
            ],
            response_format: { type: 'json_schema', json_schema: { name: 'Ticket', schema: SCHEMA as unknown as Record<string, unknown>, strict: true } },
          });
          const v = JSON.parse(r.choices[0]!.message.content ?? '');
          if (!validate(v)) throw new Error('invalid');
          return v;
        }),
        close: async () => {},
      };
    }
    case 'ai-sdk+p-limit': {
      const { generateObject } = await import('ai');
      const { createOpenAI } = await import('@ai-sdk/openai');
      const provider = createOpenAI({ baseURL: url, apiKey: 'sk-bench' });
      const model = provider.chat(MODEL);
      return {
        run: pool(async (i) => {
          const r = await generateObject({ model, schema: Ticket, schemaName: 'Ticket', system: SYSTEM, prompt: userText(i), temperature: 0.9, maxOutputTokens: 600, maxRetries: 2 });
          return r.object;
        }),
        close: async () => {},
      };
    }
    case 'langchain-batch': {
      const { ChatOpenAI } = await import('@langchain/openai');
      const llm = new ChatOpenAI({ model: MODEL, apiKey: 'sk-bench', configuration: { baseURL: url }, temperature: 0.9, maxTokens: 600, maxRetries: 2, timeout: 60_000 });
      const structured = llm.withStructuredOutput(Ticket, { name: 'Ticket', method: 'jsonSchema', strict: true });
      return {
        run: async (from, n, onRow) => {
          const inputs = Array.from({ length: n }, (_, k) => [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: userText(from + k) },
          ]);
          // awaitHandlers: called inline as each model call ends, not from LangChain's background callback queue.
          const rowEnd = { awaitHandlers: true, handleLLMEnd: () => onRow() };
          const rs = await structured.batch(inputs, { maxConcurrency: concurrency, callbacks: [rowEnd] }, { returnExceptions: true });
          const bad = rs.find((r) => r instanceof Error);
          if (bad) process.stderr.write(`first error: ${String(bad).slice(0, 300)}\n`);
          return rs.filter((r) => !(r instanceof Error)).length;
        },
        close: async () => {},
      };
    }
  }
}

async function main(): Promise<void> {
  const impl = arg('impl') as Impl;
  const concurrency = Number(arg('concurrency'));
  const calls = Number(arg('calls'));
  const url = arg('url');
  const warmup = process.argv.includes('--warmup') ? Number(arg('warmup')) : concurrency * 2;
  const { run, close } = await makeImpl(impl, url, concurrency);
  let rows = 0;
  let t0 = 0;
  let t1 = 0;
  let cpu0: NodeJS.CpuUsage | undefined;
  let cpu: NodeJS.CpuUsage | undefined;
  const onRow = () => {
    rows++;
    if (rows === warmup) {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    } else if (rows === warmup + calls) {
      t1 = performance.now();
      cpu = process.cpuUsage(cpu0);
    }
  };
  const issued = warmup + calls + concurrency;
  const ok = await run(0, issued, onRow);
  await close();
  const wallMs = t1 - t0;
  const cpuMs = cpu ? (cpu.user + cpu.system) / 1000 : 0;
  const done = cpu !== undefined; // the window closed: enough rows finished
  process.stdout.write(
    JSON.stringify({
      impl,
      concurrency,
      calls,
      ok: done ? calls : 0,
      failed: issued - ok,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round(cpuMs),
      rowsPerSec: done ? (calls / wallMs) * 1000 : 0,
      cpuMsPerCall: done ? cpuMs / calls : 0,
    }) + '\n',
  );
  process.exit(0);
}

await main();
