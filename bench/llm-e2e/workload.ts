// The one workload of the end-to-end LLM bench, shared by `synth run` (as a spec) and the peers (as code): each row
// is one structured-output chat call whose answer is a Ticket (JSON Schema, strict; validated on the client) and
// becomes one JSONL line. Both sides send the same system and user messages for the same row number.
import { z } from 'zod';

export const MODEL = 'gpt-4o-mini';
export const SYSTEM = 'You write realistic customer-support tickets.';
/** The user message for a row whose `n` is drawn uniformly from 1..1e9 (the spec renders the same text). */
export const userText = (n: number) => `A pro customer is annoyed about their router (#${n}). Write the ticket they send.`;

/** The JSON Schema Synth derives from the spec's Ticket (the peers send this one). */
export const SCHEMA = {
  type: 'object',
  properties: {
    subject: { type: 'string', minLength: 5, maxLength: 80 },
    body: { type: 'string', minLength: 40, maxLength: 200 },
    priority: { type: 'integer', minimum: 1, maximum: 5 },
    tier: { type: 'string', enum: ['free', 'pro', 'enterprise'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 20 }, minItems: 0, maxItems: 5 },
  },
  required: ['subject', 'body', 'priority', 'tier', 'tags'],
  additionalProperties: false,
} as const;

/** The same type for the peers that take zod (AI SDK, LangChain). */
export const Ticket = z.object({
  subject: z.string().min(5).max(80),
  body: z.string().min(40).max(200),
  priority: z.number().int().min(1).max(5),
  tier: z.enum(['free', 'pro', 'enterprise']),
  tags: z.array(z.string().max(20)).min(0).max(5),
});

/** The spec `synth run` runs: `rows` rows, `inFlight` requests in flight (the model block's `concurrency`). */
export function spec(rows: number, inFlight: number): string {
  return `goal "llm e2e bench" { seed 1 }
enum Tier { free, pro, enterprise }
struct Ticket {
  subject: string  @len(5..80)
  body: string     @len(40..200)
  priority: int    @range(1..5)
  tier: Tier
  tags: string[]   @items(0..5)
}
model writer {
  name "${MODEL}"
  base_url env("BENCH_BASE_URL")
  api_key env("BENCH_API_KEY")
  temperature 0.9
  max_tokens 600
  concurrency ${inFlight}
  retries 2
  timeout 60s
}
prompt write(n: int) -> Ticket {
  model writer
  system "${SYSTEM}"
  user "A pro customer is annoyed about their router (#{n}). Write the ticket they send."
}
dataset tickets: Ticket {
  count ${rows}
  vary n ~ randint(1, 1_000_000_000)
  row = write(n)
  output "out/tickets.jsonl"
}
`;
}
