// `mode batch`: a model block's chat calls go through the provider's Batch API instead of one HTTP request each —
// a JSONL of requests is uploaded (`/v1/files`), a batch is created over it (`/v1/batches`), polled, and its
// output and error files are downloaded. Providers bill batches at a discount (`price { batch_discount }`).
//
// The runner has the same contract as LlmClient.call — one logical call for one row, a validated value or
// SYN5002 — and shares the client's cache (same key, so a row finished in batch mode is a hit in direct mode and
// the other way round), request bodies (the same bytes a direct call sends) and answer checks. What differs:
//   - calls are collected while the dataset executor hands them in, and sent together once every row in
//     production waits on a held call (row-activity.ts: quiescence, not an idle timer, so a busy machine does
//     not split a round of calls), in batches of at most `maxLines` requests; a timer is only the backstop
//     (and the rule for callers that pass no row ticket);
//   - each submitted batch is recorded under `.synth/batches/` before anything waits on it, so a run that exits
//     after submitting (`--no-wait`), is killed, or is interrupted picks the same batch up next time instead of
//     paying for the requests again;
//   - a line that fails (an error-file line, a line missing from both files, an answer that is not valid) is
//     retried in the next batch, with the validation errors fed back as in direct mode, within `retries`;
//   - once every answer of a batch is cached, its record is deleted.
import OpenAI, { toFile } from 'openai';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { DeferredCall } from '../deferred.js';
import { hostOf } from '../cause.js';
import type { LlmClient } from './client.js';
import { AttemptError, callFailed, transportError, type TransportContext } from './faults.js';
import type { ChatMessage, ChatRequest, ChatResult, FailureKind, Usage } from './types.js';
import type { RowTicket } from '../row-activity.js';

/** Thrown to callers when batches were submitted and the run does not wait for them (`--no-wait`). */
export class BatchPending extends DeferredCall {
  constructor(readonly batches: string[]) {
    super(`batch ${batches.join(', ')} submitted; run the same command again to collect the results`);
  }
}

export interface BatchRunnerOptions {
  apiKey: string;
  /** the project's `.synth` folder: batch records go to its `batches/` subfolder */
  stateDir: string;
  /** wait for submitted batches (default) or throw BatchPending once they are submitted */
  wait: boolean;
  /** between status checks (default 30 s; SYNTH_BATCH_POLL_MS overrides it in the CLI) */
  pollMs?: number;
  /** requests per batch (OpenAI's limit is 50,000) */
  maxLines?: number;
  /** calls without a row ticket: how long the runner waits for more before sending what it has (default
   *  200 ms); calls with one are sent when every row in production waits (see the header), or after
   *  `backstopMs` without a new call (default 30 s) should that never happen */
  gatherMs?: number;
  backstopMs?: number;
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

interface Pending {
  key: string;
  req: ChatRequest;
  validate: ((value: unknown) => string[]) | undefined;
  messages: ChatMessage[];
  /** attempts made so far (lines sent) */
  attempts: number;
  usage: Usage;
  last?: AttemptError;
  resolve: (r: ChatResult) => void;
  reject: (e: unknown) => void;
  /** the row's ticket, and the release of its hold while the call waits in the queue */
  row: RowTicket | undefined;
  release?: () => void;
}

/** What is kept on disk per submitted batch: enough to find it again and to know which calls it answers. */
interface BatchRecord {
  id: string;
  model: string;
  endpoint: string;
  /** custom_id → cache key */
  requests: Record<string, string>;
  created: string;
}

export interface BatchRunnerStats {
  batches: number;
  lines: number;
  lineFailures: Partial<Record<FailureKind | 'missing', number>>;
  /** batches found on disk from an earlier run and collected by this one */
  resumed: number;
}

export class BatchRunner {
  private readonly openai: OpenAI;
  private readonly dir: string;
  /** how a failed upload, poll or download is classified (the client's scheduler and scrubbing, this signal) */
  private readonly faults: TransportContext;
  private queue: Pending[] = [];
  /** queued calls that came without a row ticket (they are gathered by the idle timer) */
  private untracked = 0;
  private gatherTimer: NodeJS.Timeout | undefined;
  /** cache key → the batch (from an earlier run or this one) that will answer it */
  private readonly inBatch = new Map<string, string>();
  private readonly records = new Map<string, BatchRecord>();
  /** batch id → its waiting calls, and the poll in progress */
  private readonly waiting = new Map<string, Map<string, Pending>>();
  private readonly polls = new Map<string, Promise<void>>();
  readonly stats: BatchRunnerStats = { batches: 0, lines: 0, lineFailures: {}, resumed: 0 };

  constructor(
    readonly client: LlmClient,
    private readonly o: BatchRunnerOptions,
  ) {
    this.faults = { host: hostOf(client.profile.baseUrl), scheduler: client.scheduler, timeoutMs: client.profile.timeoutMs, apiKeyEnv: client.profile.apiKeyEnv, signal: o.signal, scrub: client.scrub };
    // A handful of requests per batch, and uploads are multipart (FormData): Node's own fetch, not the client's
    // JSON-only keep-alive pool.
    this.openai = new OpenAI({ apiKey: o.apiKey || 'none', baseURL: client.profile.baseUrl, maxRetries: 0, timeout: client.profile.timeoutMs, fetch: o.fetch ?? globalThis.fetch, logLevel: 'off' });
    // One folder per (model block, endpoint, model name): another endpoint's batch ids mean nothing here.
    const scope = createHash('sha256').update(`${client.profile.baseUrl}\u0000${client.profile.model}`).digest('hex').slice(0, 12);
    this.dir = path.join(o.stateDir, 'batches', `${client.profile.id}-${scope}`);
    this.loadRecords();
  }

  async close(): Promise<void> {
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
  }

  /** One logical call, answered through a batch (or the cache). `row`: the calling row's ticket (see the header). */
  async call(req: ChatRequest, validate?: (value: unknown) => string[], row?: RowTicket): Promise<ChatResult> {
    const key = this.client.cacheKeyOf(req);
    const hit = await this.client.fromCache(key, req.rowKey);
    if (hit) return hit;
    return new Promise<ChatResult>((resolve, reject) => {
      const p: Pending = { key, req, validate, messages: req.messages, attempts: 0, usage: { prompt: 0, completion: 0 }, resolve, reject, row };
      const batch = this.inBatch.get(key);
      if (batch) {
        // submitted by an earlier run: wait for that batch rather than sending the request again
        this.waiterMap(batch).set(key, p);
        this.hold(p);
        this.ensurePoll(batch);
      } else this.enqueue(p);
    });
  }

  private waiterMap(batch: string): Map<string, Pending> {
    let m = this.waiting.get(batch);
    if (!m) this.waiting.set(batch, (m = new Map()));
    return m;
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (!p.row) this.untracked++;
    if (this.queue.length >= (this.o.maxLines ?? 50_000)) {
      void this.flush();
      return;
    }
    // Calls arrive while the executor's rows run up to their prompt calls; send once every row waits (the row
    // activity tells `onQuiet`) — or, for calls of no row, once they stop arriving.
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    const gather = this.o.gatherMs ?? 200;
    this.gatherTimer = setTimeout(() => void this.flush(), this.untracked > 0 ? gather : Math.max(gather, this.o.backstopMs ?? 30_000));
    this.hold(p);
  }

  private readonly onQuiet = () => void this.flush();

  /** The call's row waits on this runner from the moment its call is queued until the batch that carries it
   *  is read (or it fails): queued or submitted, it cannot make a new call meanwhile. */
  private hold(p: Pending): void {
    if (p.row && !p.release) p.release = p.row.hold(this.onQuiet);
  }

  /** Lets go of the calls' rows, all at once, before any of them is answered: an answered row goes on to its
   *  next call while the rest of the batch is still being read, and must not find the others still waiting
   *  (that would be a quiet moment, and a batch of one). */
  private letGo(ps: Iterable<Pending>): void {
    for (const p of ps) {
      p.release?.();
      p.release = undefined;
    }
  }

  private async flush(): Promise<void> {
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    const take = this.queue.splice(0, this.o.maxLines ?? 50_000);
    if (!take.length) return;
    for (const p of take) if (!p.row) this.untracked--;
    if (this.queue.length) void this.flush();
    let id: string;
    try {
      id = await this.submit(take);
    } catch (e) {
      // The upload or the batch creation failed: those are transport faults of the calls themselves.
      const err = e instanceof AttemptError ? e : transportError(e, this.faults);
      this.letGo(take);
      for (const p of take) this.failed(p, err);
      return;
    }
    if (!this.o.wait) {
      this.letGo(take);
      for (const p of take) p.reject(new BatchPending([id]));
      return;
    }
    const m = this.waiterMap(id);
    for (const p of take) m.set(p.key, p);
    this.ensurePoll(id);
  }

  /** Uploads the requests and creates the batch; the record is on disk before anyone waits on it. */
  private async submit(take: Pending[]): Promise<string> {
    const requests: Record<string, string> = {};
    const lines = take.map((p) => {
      const customId = `${p.key}~${p.attempts}`;
      requests[customId] = p.key;
      p.attempts++;
      this.stats.lines++;
      return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: this.client.requestBody(p.req, p.messages) });
    });
    const file = await this.openai.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'synth-batch.jsonl'), purpose: 'batch' }, this.o.signal ? { signal: this.o.signal } : {});
    const batch = await this.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }, this.o.signal ? { signal: this.o.signal } : {});
    const record: BatchRecord = { id: batch.id, model: this.client.profile.model, endpoint: '/v1/chat/completions', requests, created: new Date().toISOString() };
    this.saveRecord(record);
    for (const key of Object.values(requests)) this.inBatch.set(key, batch.id);
    this.stats.batches++;
    return batch.id;
  }

  private ensurePoll(id: string): void {
    if (this.polls.has(id)) return;
    const p = this.poll(id).finally(() => this.polls.delete(id));
    this.polls.set(id, p);
  }

  private async poll(id: string): Promise<void> {
    for (;;) {
      let batch: OpenAI.Batches.Batch;
      try {
        batch = await this.openai.batches.retrieve(id, this.o.signal ? { signal: this.o.signal } : {});
      } catch (e) {
        const err = transportError(e, this.faults);
        if (err.kind === 'client') {
          // the endpoint does not know this batch (deleted, another account): send its calls again
          this.settleBatch(id, () => err);
          return;
        }
        await sleep(this.o.pollMs ?? 30_000, undefined, this.o.signal ? { signal: this.o.signal } : undefined);
        continue;
      }
      if (batch.status === 'completed') return this.collect(batch);
      if (batch.status === 'failed' || batch.status === 'expired' || batch.status === 'cancelled') {
        // expired batches may still carry partial output
        if (batch.output_file_id || batch.error_file_id) return this.collect(batch);
        this.settleBatch(id, () => new AttemptError('server', `batch ${id} ${batch.status}`));
        return;
      }
      if (!this.o.wait) {
        const waiters = this.waiting.get(id);
        this.waiting.delete(id);
        this.letGo(waiters?.values() ?? []);
        for (const p of waiters?.values() ?? []) p.reject(new BatchPending([id]));
        return;
      }
      await sleep(this.o.pollMs ?? 30_000, undefined, this.o.signal ? { signal: this.o.signal } : undefined);
    }
  }

  private async download(fileId: string | null | undefined): Promise<string[]> {
    if (!fileId) return [];
    const r = await this.openai.files.content(fileId, this.o.signal ? { signal: this.o.signal } : {});
    return (await r.text()).split('\n').filter(Boolean);
  }

  /** Reads a finished batch: valid answers are cached and returned, everything else goes to the next batch. */
  private async collect(batch: OpenAI.Batches.Batch): Promise<void> {
    let lines: string[];
    try {
      lines = [...(await this.download(batch.output_file_id)), ...(await this.download(batch.error_file_id))];
    } catch (e) {
      const err = transportError(e, this.faults);
      this.settleBatch(batch.id, () => err);
      return;
    }
    const record = this.records.get(batch.id);
    const waiters = this.waiting.get(batch.id) ?? new Map<string, Pending>();
    this.letGo(waiters.values());
    const answered = new Map<string, AttemptError | null>();
    for (const line of lines) {
      let item: { custom_id?: string; response?: { status_code?: number; body?: unknown } | null; error?: { message?: string } | null };
      try {
        item = JSON.parse(line) as typeof item;
      } catch {
        continue; // a torn line: its call counts as missing
      }
      const key = item.custom_id ? (record?.requests[item.custom_id] ?? item.custom_id.replace(/~\d+$/, '')) : undefined;
      if (!key || answered.has(key)) continue;
      const p = waiters.get(key);
      if (!p) continue; // not needed by this run (e.g. a smaller --limit): a later run sends it again
      const status = item.response?.status_code ?? 0;
      if (status !== 200) {
        const message = this.client.scrub(String(item.error?.message ?? (item.response?.body as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${status}`)).slice(0, 300);
        answered.set(key, new AttemptError(status === 429 ? 'rate_limit' : status >= 500 || status === 0 ? 'server' : 'client', `batch line failed (HTTP ${status}): ${message}`));
        continue;
      }
      try {
        const r = this.client.interpret(item.response!.body, p.req, p.validate);
        p.usage.prompt += r.usage.prompt;
        p.usage.completion += r.usage.completion;
        p.resolve(await this.client.settle(p.key, r.value, p.usage, r.model, p.attempts));
        answered.set(key, null);
      } catch (e) {
        if (!(e instanceof AttemptError)) throw e;
        if (e.usage) {
          p.usage.prompt += e.usage.prompt;
          p.usage.completion += e.usage.completion;
        }
        answered.set(key, e);
      }
    }
    this.settleBatch(batch.id, (key) => (answered.has(key) ? (answered.get(key) ?? undefined) : new AttemptError('network', `batch ${batch.id} returned no line for this call`)), answered);
  }

  /** Ends a batch: calls without a good answer are retried in a new batch (or fail); the record goes. */
  private settleBatch(id: string, outcome: (key: string) => AttemptError | undefined, answered?: Map<string, AttemptError | null>): void {
    const waiters = this.waiting.get(id);
    this.waiting.delete(id);
    this.letGo(waiters?.values() ?? []);
    for (const [key, p] of waiters ?? []) {
      if (answered?.get(key) === null) continue; // resolved
      const err = outcome(key);
      if (err) this.failed(p, err);
    }
    const record = this.records.get(id);
    if (record) for (const key of Object.values(record.requests)) if (this.inBatch.get(key) === id) this.inBatch.delete(key);
    this.deleteRecord(id);
  }

  private failed(p: Pending, err: AttemptError): void {
    const kind = (err.message.includes('returned no line') ? 'missing' : err.kind) as FailureKind | 'missing';
    this.stats.lineFailures[kind] = (this.stats.lineFailures[kind] ?? 0) + 1;
    p.last = err;
    if (err.feedback) p.messages = [...p.messages, ...err.feedback];
    if (err.kind !== 'client' && p.attempts <= this.client.profile.retries) {
      this.enqueue(p);
      return;
    }
    const e = callFailed(this.client.profile, 'batch call', p.req.rowKey, p.attempts, this.client.scrub(err.message));
    // the row is reported with the cause the answer was classified with (cause.ts)
    this.letGo([p]);
    p.reject(err.failure ? Object.assign(e, { failure: err.failure }) : e);
  }

  private loadRecords(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return;
    }
    for (const f of names) {
      try {
        const r = JSON.parse(readFileSync(path.join(this.dir, f), 'utf8')) as BatchRecord;
        this.records.set(r.id, r);
        for (const key of Object.values(r.requests)) this.inBatch.set(key, r.id);
        this.stats.resumed++;
      } catch {
        // a torn record (killed while writing): its batch is lost to us, its calls are sent again
      }
    }
  }

  private saveRecord(r: BatchRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${r.id}.json`);
    writeFileSync(file + '.tmp', JSON.stringify(r));
    renameSync(file + '.tmp', file);
    this.records.set(r.id, r);
  }

  private deleteRecord(id: string): void {
    this.records.delete(id);
    rmSync(path.join(this.dir, `${id}.json`), { force: true });
  }
}
