// `synth init [DIR]`: scaffolds a commented starter spec that checks clean and runs without an API key.
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../../base/diagnostics.js';
import { requireFolder, requireWritableFolder } from '../paths.js';

/** The starter spec `synth init` writes: commented, checks clean, runs without an API key. */
export const STARTER = `// A starter Synth spec. Check it with \`synth check\`, run it with \`synth run\`.
// Reference: docs/language.md in the Synth repository.

// What the data is for, and the seed every random draw derives from.
goal "Describe what this dataset is for" {
  seed 1
  split { train: 0.9, test: 0.1 }
}

// Closed sets of names: usable as field types, in templates and as sampler domains.
enum Channel { email, chat, phone }

// The record each dataset row holds. Constraints become the JSON Schema an LLM must follow.
struct Request {
  channel: Channel
  minutes: int  @range(1..120)
  urgent: bool
  note: string  @len(1..200)
}

// Rows drawn from samplers; no LLM needed. Every draw is a pure function of (seed, dataset, row, variable).
dataset requests: Request {
  count 100
  vary channel ~ weighted { email: 0.5, chat: 0.3, phone: 0.2 }
  vary minutes ~ randint(1, 120)
  vary urgent ~ bernoulli(0.1)
  row = { channel: channel, minutes: minutes, urgent: urgent, note: "via " + str(channel) }
  check row.minutes >= 1
  expect share(urgent) in 0.05..0.15
  output "out/requests.jsonl"
}

// To generate text with an LLM, declare a model and a typed prompt, then call it in \`row = ...\`:
//
// model writer {
//   name "gpt-4o-mini"
//   base_url env("OPENAI_BASE_URL", "https://api.openai.com/v1")
//   api_key env("OPENAI_API_KEY")
//   price { input: 0.15, output: 0.60 }
// }
//
// prompt describe(channel: Channel, minutes: int) -> string {
//   model writer
//   user "Write a one-line support request sent by {channel} after {minutes} minutes of waiting."
// }
`;

/**
 * Writes `dir/NAME.synth` (NAME from `opts.name`, default `spec`) with the starter spec, creating `dir`.
 * Returns 0. Throws SYN4108 (touching nothing) when the file exists already, SYN4107 when `dir` is a file, SYN4112
 * when it cannot be written,
 * SYN4101 for a `--name` with a folder in it.
 */
export function runInit(dir: string | undefined, opts: { name?: string }): number {
  const target = path.resolve(dir ?? '.');
  requireFolder(dir ?? '.', "synth init's folder");
  const name = opts.name ?? 'spec';
  if (!name || name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.includes('\0')) {
    throw synthError('SYN4101', { option: '--name', expected: 'a file name without folders or .synth', value: name });
  }
  const file = path.join(target, `${name}.synth`);
  if (existsSync(file)) throw synthError('SYN4108', { path: path.relative(process.cwd(), file) || file });
  requireWritableFolder(dir ?? '.', "synth init's folder"); // creates it, or SYN4112
  writeFileSync(file, STARTER);
  process.stderr.write(`created ${path.relative(process.cwd(), file) || file}\nnext: synth check ${path.relative(process.cwd(), file)} && synth run ${path.relative(process.cwd(), file)}\n`);
  return 0;
}
