// Reads what the server answers to synth/previewPrompt, synth/showWgsl and synth/showPlan. The contract is
// DocumentResult (lsp/protocol.ts); a plain string and a few natural alternatives are accepted too, so the client
// does not break on a server that answers `{ markdown }`, `{ messages }`, `{ modules }` or the plan object
// itself. No `vscode` import: unit-tested.
import type { DocumentResult } from '../../lsp/protocol.js';

interface Message {
  role?: unknown;
  content?: unknown;
}

export function asDocumentResult(value: unknown): DocumentResult | undefined {
  if (typeof value === 'string') return { content: value };
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const extra = (r: DocumentResult): DocumentResult => ({
    ...r,
    ...(typeof v['title'] === 'string' ? { title: v['title'] } : {}),
  });
  if (typeof v['content'] === 'string') {
    return {
      content: v['content'],
      ...(typeof v['language'] === 'string' ? { language: v['language'] } : {}),
      ...(typeof v['title'] === 'string' ? { title: v['title'] } : {}),
    };
  }
  if (typeof v['markdown'] === 'string') return extra({ content: v['markdown'], language: 'markdown' });
  if (typeof v['wgsl'] === 'string') return extra({ content: v['wgsl'], language: 'wgsl' });
  if (typeof v['text'] === 'string') return extra({ content: v['text'] });
  if (Array.isArray(v['messages'])) {
    const parts = (v['messages'] as Message[]).map((m) => `### ${String(m.role ?? 'message')}\n\n${typeof m.content === 'string' ? m.content : JSON.stringify(m.content, null, 2)}`);
    return extra({ content: parts.join('\n\n') + '\n', language: 'markdown' });
  }
  if (Array.isArray(v['modules'])) {
    const parts = (v['modules'] as Array<Record<string, unknown>>).map((m) => {
      const code = typeof m['code'] === 'string' ? m['code'] : typeof m['wgsl'] === 'string' ? m['wgsl'] : typeof m['source'] === 'string' ? m['source'] : '';
      return `// ---- ${String(m['name'] ?? m['file'] ?? 'module')}\n${code}`;
    });
    return extra({ content: parts.join('\n\n') + '\n', language: 'wgsl' });
  }
  return { content: JSON.stringify(value, null, 2), language: 'json' };
}
