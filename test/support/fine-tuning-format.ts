// OpenAI's chat fine-tuning format, read independently of the runtime's own check (runtime/dataset/
// chat-format.ts): what tests hold chat files to.
/**
 * OpenAI's chat fine-tuning format, read independently of the runtime's own check: the reasons a line would be
 * rejected, per https://platform.openai.com/docs/guides/fine-tuning (chat format, function/tool calling).
 */
export function fineTuningErrors(line: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const keys = Object.keys(line);
  if (keys.some((k) => k !== 'messages' && k !== 'tools')) errors.push(`unexpected keys ${keys.join(',')}`);
  const messages = line['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return [...errors, 'no messages'];
  const declared = new Set<string>();
  if (line['tools'] !== undefined) {
    if (!Array.isArray(line['tools'])) errors.push('tools is not a list');
    for (const t of (line['tools'] as Array<Record<string, any>>) ?? []) {
      if (t['type'] !== 'function' || typeof t['function']?.name !== 'string') errors.push('malformed tool');
      else declared.add(t['function'].name);
      if (t['function']?.parameters !== undefined && t['function'].parameters.type !== 'object') errors.push('tool parameters are not an object schema');
    }
  }
  const open: string[] = [];
  let assistants = 0;
  messages.forEach((m: Record<string, any>, i: number) => {
    const role = m['role'];
    if (!['system', 'user', 'assistant', 'tool'].includes(role)) errors.push(`message ${i}: role ${role}`);
    if (role === 'system' && i > 0) errors.push(`message ${i}: system not first`);
    if (role !== 'tool' && open.length) errors.push(`message ${i}: tool calls ${open.join(',')} unanswered`);
    if (role === 'assistant') {
      assistants++;
      const calls = m['tool_calls'] ?? [];
      if ((typeof m['content'] !== 'string' || !m['content']) && calls.length === 0) errors.push(`message ${i}: empty assistant message`);
      for (const c of calls) {
        if (c.type !== 'function' || typeof c.id !== 'string') errors.push(`message ${i}: malformed tool call`);
        if (!declared.has(c.function?.name)) errors.push(`message ${i}: tool ${c.function?.name} not in tools`);
        let args: unknown;
        try {
          args = JSON.parse(c.function?.arguments);
        } catch {
          errors.push(`message ${i}: arguments are not JSON`);
        }
        if (!args || typeof args !== 'object' || Array.isArray(args)) errors.push(`message ${i}: arguments are not a JSON object`);
        open.push(c.id);
      }
    } else if (role === 'tool') {
      const at = open.indexOf(m['tool_call_id']);
      if (at < 0) errors.push(`message ${i}: tool result for no open call`);
      else open.splice(at, 1);
      if (typeof m['content'] !== 'string') errors.push(`message ${i}: tool content is not text`);
    } else if (typeof m['content'] !== 'string' || !m['content']) errors.push(`message ${i}: no content`);
    for (const k of Object.keys(m)) if (!['role', 'content', 'tool_calls', 'tool_call_id', 'name', 'weight'].includes(k)) errors.push(`message ${i}: key ${k}`);
  });
  if (assistants === 0) errors.push('no assistant message');
  if (messages.at(-1)?.role !== 'assistant' || !messages.at(-1)?.content) errors.push('does not end with an assistant message with text');
  return errors;
}

