// The Files and Batch APIs of the fake OpenAI server: upload a JSONL of requests (`POST /v1/files`, multipart),
// create a batch over it (`POST /v1/batches`), poll it (`GET /v1/batches/{id}`: validating → in_progress →
// completed after `latencyMs`), download the output and error files (`GET /v1/files/{id}/content`).
// Each line is answered as the chat endpoint would answer the same body (so deterministic mode gives the same
// rows in batch and direct mode), with line-level faults: '500' (an error-file line), 'missing' (in neither
// file, as when a batch expires), and the content faults 'schema', 'malformed', 'truncated'.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BatchFaultKind = '500' | 'missing' | 'schema' | 'malformed' | 'truncated';
export const ALL_BATCH_FAULTS: BatchFaultKind[] = ['500', 'missing', 'schema', 'malformed', 'truncated'];

export interface BatchOptions {
  /** time from creation to `completed` (default 50 ms) */
  latencyMs?: number;
  faults?: { rate: number; kinds?: BatchFaultKind[] };
}

interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  content: Buffer;
  created_at: number;
}

interface Batch {
  id: string;
  input_file_id: string;
  endpoint: string;
  completion_window: string;
  created: number;
  done?: { output_file_id: string | null; error_file_id: string | null; total: number; completed: number; failed: number };
}

export interface BatchStats {
  files: number;
  batches: number;
  lines: number;
  lineFaults: Partial<Record<BatchFaultKind, number>>;
}

type Send = (res: ServerResponse, status: number, body: string, headers?: Record<string, string>) => void;
type SendError = (res: ServerResponse, status: number, message: string, type: string) => void;

export interface BatchApi {
  /** Handles the request if it is a files/batches route; returns false otherwise. */
  handle(req: IncomingMessage, url: string, res: ServerResponse, done: () => void): boolean;
  stats(): BatchStats;
}

/** The file part of a multipart/form-data body (enough for the openai client's uploads). */
function multipartFile(body: Buffer, contentType: string): { filename: string; purpose: string; content: Buffer } | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return undefined;
  const sep = Buffer.from('--' + (boundary[1] ?? boundary[2]!));
  let filename = 'upload.jsonl';
  let purpose = '';
  let content: Buffer | undefined;
  let at = body.indexOf(sep);
  while (at >= 0) {
    const next = body.indexOf(sep, at + sep.length);
    if (next < 0) break;
    const part = body.subarray(at + sep.length + 2, next - 2); // skip CRLF after the boundary and before the next
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const head = part.subarray(0, headEnd).toString('utf8');
      const data = part.subarray(headEnd + 4);
      const name = /name="([^"]+)"/.exec(head)?.[1];
      if (name === 'purpose') purpose = data.toString('utf8');
      if (name === 'file') {
        content = Buffer.from(data);
        filename = /filename="([^"]+)"/.exec(head)?.[1] ?? filename;
      }
    }
    at = next;
  }
  return content ? { filename, purpose, content } : undefined;
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function batchApi(
  o: BatchOptions,
  io: { send: Send; error: SendError; rng: () => number; completionFor: (body: unknown, raw: string, fault: 'schema' | 'malformed' | 'truncated' | undefined) => string },
): BatchApi {
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, Batch>();
  const stats: BatchStats = { files: 0, batches: 0, lines: 0, lineFaults: {} };
  const latency = o.latencyMs ?? 50;
  const rate = o.faults?.rate ?? 0;
  const kinds = o.faults?.kinds ?? ALL_BATCH_FAULTS;
  let ids = 0;
  const newId = (prefix: string) => `${prefix}${(++ids).toString(36).padStart(6, '0')}`;
  const now = () => Math.floor(Date.now() / 1000);

  const fileObject = (f: StoredFile) => ({ id: f.id, object: 'file', bytes: f.content.length, created_at: f.created_at, filename: f.filename, purpose: f.purpose, status: 'processed' });

  /** Answers every line of the batch's input at once (when it is first seen past its latency). */
  const run = (b: Batch): NonNullable<Batch['done']> => {
    const input = files.get(b.input_file_id)!.content.toString('utf8').split('\n').filter(Boolean);
    const out: string[] = [];
    const errors: string[] = [];
    for (const line of input) {
      stats.lines++;
      let req: { custom_id?: string; body?: unknown };
      try {
        req = JSON.parse(line) as typeof req;
      } catch {
        continue;
      }
      const fault = rate > 0 && io.rng() < rate ? kinds[Math.floor(io.rng() * kinds.length)] : undefined;
      if (fault) stats.lineFaults[fault] = (stats.lineFaults[fault] ?? 0) + 1;
      if (fault === 'missing') continue;
      const id = newId('batch_req_');
      if (fault === '500') {
        errors.push(JSON.stringify({ id, custom_id: req.custom_id, response: { status_code: 500, request_id: id, body: { error: { message: 'The server had an error processing this request.', type: 'server_error' } } }, error: null }));
        continue;
      }
      const body = io.completionFor(req.body, JSON.stringify(req.body), fault);
      out.push(JSON.stringify({ id, custom_id: req.custom_id, response: { status_code: 200, request_id: id, body: JSON.parse(body) as unknown }, error: null }));
    }
    const put = (lines: string[], name: string): string | null => {
      if (!lines.length) return null;
      const f: StoredFile = { id: newId('file-'), purpose: 'batch_output', filename: name, content: Buffer.from(lines.join('\n') + '\n'), created_at: now() };
      files.set(f.id, f);
      return f.id;
    };
    return { output_file_id: put(out, `${b.id}_output.jsonl`), error_file_id: put(errors, `${b.id}_error.jsonl`), total: input.length, completed: out.length, failed: errors.length };
  };

  const batchObject = (b: Batch) => {
    const age = Date.now() - b.created;
    if (!b.done && age >= latency) b.done = run(b);
    const status = b.done ? 'completed' : age >= latency / 2 ? 'in_progress' : 'validating';
    return {
      id: b.id,
      object: 'batch',
      endpoint: b.endpoint,
      errors: null,
      input_file_id: b.input_file_id,
      completion_window: b.completion_window,
      status,
      output_file_id: b.done?.output_file_id ?? null,
      error_file_id: b.done?.error_file_id ?? null,
      created_at: Math.floor(b.created / 1000),
      completed_at: b.done ? now() : null,
      request_counts: { total: b.done?.total ?? 0, completed: b.done?.completed ?? 0, failed: b.done?.failed ?? 0 },
      metadata: null,
    };
  };

  return {
    stats: () => ({ ...stats, lineFaults: { ...stats.lineFaults } }),
    handle(req, url, res, done) {
      const path = url.split('?')[0]!;
      if (req.method === 'POST' && path === '/v1/files') {
        readRaw(req).then(
          (raw) => {
            const part = multipartFile(raw, String(req.headers['content-type'] ?? ''));
            if (!part) io.error(res, 400, "Missing required parameter: 'file'.", 'invalid_request_error');
            else {
              const f: StoredFile = { id: newId('file-'), purpose: part.purpose || 'batch', filename: part.filename, content: part.content, created_at: now() };
              files.set(f.id, f);
              stats.files++;
              io.send(res, 200, JSON.stringify(fileObject(f)));
            }
            done();
          },
          () => done(),
        );
        return true;
      }
      const content = req.method === 'GET' ? /^\/v1\/files\/([\w-]+)\/content$/.exec(path) : null;
      if (content) {
        const f = files.get(content[1]!);
        if (!f) io.error(res, 404, `No such File object: ${content[1]}`, 'invalid_request_error');
        else io.send(res, 200, f.content.toString('utf8'), { 'content-type': 'application/octet-stream' });
        done();
        req.resume();
        return true;
      }
      if (req.method === 'POST' && path === '/v1/batches') {
        readRaw(req).then(
          (raw) => {
            let body: { input_file_id?: string; endpoint?: string; completion_window?: string };
            try {
              body = JSON.parse(raw.toString('utf8')) as typeof body;
            } catch {
              body = {};
            }
            if (!body.input_file_id || !files.has(body.input_file_id)) io.error(res, 400, `Invalid 'input_file_id': ${body.input_file_id ?? '(none)'}`, 'invalid_request_error');
            else if (body.endpoint !== '/v1/chat/completions') io.error(res, 400, `Unsupported endpoint: ${body.endpoint}`, 'invalid_request_error');
            else {
              const b: Batch = { id: newId('batch_'), input_file_id: body.input_file_id, endpoint: body.endpoint, completion_window: body.completion_window ?? '24h', created: Date.now() };
              batches.set(b.id, b);
              stats.batches++;
              io.send(res, 200, JSON.stringify(batchObject(b)));
            }
            done();
          },
          () => done(),
        );
        return true;
      }
      const get = req.method === 'GET' ? /^\/v1\/batches\/([\w-]+)$/.exec(path) : null;
      if (get) {
        const b = batches.get(get[1]!);
        if (!b) io.error(res, 404, `No such Batch object: ${get[1]}`, 'invalid_request_error');
        else io.send(res, 200, JSON.stringify(batchObject(b)));
        done();
        req.resume();
        return true;
      }
      return false;
    },
  };
}
