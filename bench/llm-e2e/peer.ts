// A peer of `synth run` in the end-to-end LLM bench, in its own process: `rows` structured-output calls with
// `in-flight` requests at once against the test server, each answer validated and written as one JSONL line —
// the script a user would write with that library instead of a spec. Exits 0 when every row was written.
//   node dist/bench/llm-e2e/peer.js --impl openai+p-limit --rows 10000 --in-flight 100 --url URL --out FILE
//
// The peers write lines as answers arrive (completion order, the simplest script), where Synth writes them in
// row order; LangChain's batch hands every answer back at once, so its lines are written then.
import { createWriteStream } from 'node:fs';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import pLimit from 'p-limit';
import { MODEL, SCHEMA, SYSTEM, Ticket, userText } from './workload.js';

export type Peer = 'openai+p-limit' | 'ai-sdk+p-limit' | 'langchain-batch';

function arg(name: string): string {
  const i = process.argv.indexOf('--' + name);
  if (i < 0) throw new Error(`missing --${name}`);
  return process.argv[i + 1]!;
}

const impl = arg('impl') as Peer;
const rows = Number(arg('rows'));
const inFlight = Number(arg('in-flight'));
const url = arg('url');
const out = createWriteStream(arg('out'));
const n = () => 1 + Math.floor(Math.random() * 1e9);
let written = 0;
const write = (v: unknown) => {
  out.write(JSON.stringify(v) + '\n');
  written++;
};

async function main(): Promise<void> {
  switch (impl) {
    case 'openai+p-limit': {
      const client = new OpenAI({ apiKey: 'sk-bench', baseURL: url, maxRetries: 2, timeout: 60_000 });
      const validate = new Ajv({ allErrors: true }).compile(SCHEMA);
      const limit = pLimit(inFlight);
      await Promise.all(
        Array.from({ length: rows }, () =>
          limit(async () => {
            const r = await client.chat.completions.create({
              model: MODEL,
              temperature: 0.9,
              max_tokens: 600,
              messages: [
                { role: 'system', content: SYSTEM },
                { role: 'user', content: userText(n()) },
              ],
              response_format: { type: 'json_schema', json_schema: { name: 'Ticket', schema: SCHEMA as unknown as Record<string, unknown>, strict: true } },
            });
            const v = JSON.parse(r.choices[0]!.message.content ?? '');
            if (!validate(v)) throw new Error('invalid answer');
            write(v);
          }),
        ),
      );
      break;
    }
    case 'ai-sdk+p-limit': {
      const { generateObject } = await import('ai');
      const { createOpenAI } = await import('@ai-sdk/openai');
      const model = createOpenAI({ baseURL: url, apiKey: 'sk-bench' }).chat(MODEL);
      const limit = pLimit(inFlight);
      await Promise.all(
        Array.from({ length: rows }, () =>
          limit(async () => {
            const r = await generateObject({ model, schema: Ticket, schemaName: 'Ticket', system: SYSTEM, prompt: userText(n()), temperature: 0.9, maxOutputTokens: 600, maxRetries: 2 });
            write(r.object);
          }),
        ),
      );
      break;
    }
    case 'langchain-batch': {
      const { ChatOpenAI } = await import('@langchain/openai');
      const llm = new ChatOpenAI({ model: MODEL, apiKey: 'sk-bench', configuration: { baseURL: url }, temperature: 0.9, maxTokens: 600, maxRetries: 2, timeout: 60_000 });
      const structured = llm.withStructuredOutput(Ticket, { name: 'Ticket', method: 'jsonSchema', strict: true });
      const inputs = Array.from({ length: rows }, () => [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: userText(n()) },
      ]);
      const rs = await structured.batch(inputs, { maxConcurrency: inFlight });
      for (const r of rs) write(r);
      break;
    }
    default:
      throw new Error(`unknown peer ${String(impl)}`);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (written !== rows) throw new Error(`${written} of ${rows} rows written`);
}

await main();
