// Runs the fake OpenAI server as its own process (for the LLM bench, so client and server CPU are measured
// apart, and for demos):
//   node dist/test/support/fake-openai-main.js --port 8787 --latency 200 [--fault-rate 0.2] [--kinds 429,500]
//        [--jitter MS] [--seed 1] [--deterministic] [--api-key KEY] [--stats]
// Prints `listening <url>` on stdout once ready; SIGTERM/SIGINT close it. Requests are not recorded. --stats:
// counters and CPU on stderr every second and once more on exit (the run's first request and last answer times).
import { startFakeOpenAI, type FaultKind } from './fake-openai.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const server = await startFakeOpenAI({
  port: Number(arg('port') ?? 0),
  latencyMs: Number(arg('latency') ?? 0),
  latencyJitterMs: Number(arg('jitter') ?? 0),
  seed: Number(arg('seed') ?? 1),
  deterministic: process.argv.includes('--deterministic'),
  apiKey: arg('api-key') ?? process.env['FAKE_OPENAI_API_KEY'],
  faults: arg('fault-rate') ? { rate: Number(arg('fault-rate')), ...(arg('kinds') ? { kinds: arg('kinds')!.split(',') as FaultKind[] } : {}) } : undefined,
  record: false,
});
process.stdout.write(`listening ${server.url}\n`);
if (process.argv.includes('--stats')) {
  setInterval(() => {
    const cpu = process.cpuUsage();
    process.stderr.write(JSON.stringify({ ...server.stats(), cpuMs: Math.round((cpu.user + cpu.system) / 1000) }) + '\n');
  }, 1000).unref();
}
const stop = () => {
  // --stats: the last line on stderr is the whole run's (benchmarks read firstRequestAt / lastAnswerAt from it)
  if (process.argv.includes('--stats')) {
    const cpu = process.cpuUsage();
    process.stderr.write(JSON.stringify({ ...server.stats(), cpuMs: Math.round((cpu.user + cpu.system) / 1000) }) + '\n');
  }
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
