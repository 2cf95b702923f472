// The chat file's lines: OpenAI's chat fine-tuning format (https://platform.openai.com/docs/guides/fine-tuning,
// "chat" and "tool calling" examples) — one JSON object per line, `messages` and, when the dataset's
// conversations call tools, `tools` — and the check every line passes before it is written:
//  - each message has a role among system, user, assistant, tool; a system message only comes first;
//  - system and user messages have non-empty text content, tool messages text; an assistant message has
//    non-empty text content, tool calls, or both;
//  - a tool call has an id, type "function", a function name OpenAI accepts, and arguments that are JSON text of
//    an object;
//  - a tool message answers a tool call of the assistant message before it (its tool_call_id), and every tool
//    call is answered before the next user or assistant message;
//  - the conversation ends with an assistant message (what the model is trained to say).
// A conversation that breaks a rule fails its row (cause `value`), so a written chat file is always accepted.
import type { Value } from '../../compiler/plan/eval.js';
import type { ChatTool } from '../../compiler/plan/schema.js';
import { TOOL_NAME } from '../../compiler/chat-types.js';

type Obj = { [k: string]: Value };

const isObj = (v: Value | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with `messages` as a fine-tuning conversation (the first rule it breaks), or undefined. */
export function chatProblem(messages: Value): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return 'the conversation has no messages';
  let pending = new Set<string>(); // tool calls of the last assistant message not answered yet
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const at = `message ${i + 1}`;
    if (!isObj(m)) return `${at} is not a message`;
    const role = m['role'];
    const content = m['content'];
    // an empty text is no content: OpenAI's format check rejects it (a model that answered nothing)
    const text = typeof content === 'string' && content !== '';
    if (role !== 'tool' && pending.size) return `${at} (${String(role)}) comes before tool call ${[...pending][0]} is answered`;
    switch (role) {
      case 'system':
        if (i !== 0) return `${at} is a system message after the first`;
        if (!text) return `${at} (system) has no text`;
        break;
      case 'user':
        if (!text) return `${at} (user) has no text`;
        break;
      case 'assistant': {
        const calls = m['tool_calls'];
        if (calls !== undefined && calls !== null && !Array.isArray(calls)) return `${at}: tool_calls is not a list`;
        const list = Array.isArray(calls) ? calls : [];
        if (!text && list.length === 0) return `${at} (assistant) has neither text nor tool calls`;
        pending = new Set();
        for (const c of list) {
          const problem = toolCallProblem(c);
          if (problem) return `${at}: ${problem}`;
          const id = (c as Obj)['id'] as string;
          if (pending.has(id)) return `${at}: two tool calls share the id ${id}`;
          pending.add(id);
        }
        break;
      }
      case 'tool': {
        const id = m['tool_call_id'];
        if (typeof id !== 'string' || !pending.has(id)) return `${at} (tool) answers no pending tool call${typeof id === 'string' ? ` (${id})` : ''}`;
        if (typeof content !== 'string') return `${at} (tool) has no text`;
        pending.delete(id);
        break;
      }
      default:
        return `${at} has role ${JSON.stringify(role)}, not system, user, assistant or tool`;
    }
  }
  if (pending.size) return `tool call ${[...pending][0]} is never answered`;
  const last = messages[messages.length - 1] as Obj;
  if (last['role'] !== 'assistant' || typeof last['content'] !== 'string' || last['content'] === '') return 'the conversation does not end with an assistant message with text';
  return undefined;
}

function toolCallProblem(c: Value): string | undefined {
  if (!isObj(c)) return 'a tool call is not an object';
  if (typeof c['id'] !== 'string' || !c['id']) return 'a tool call has no id';
  if (c['type'] !== 'function') return `tool call ${c['id']} has type ${JSON.stringify(c['type'])}, not "function"`;
  const f = c['function'];
  if (!isObj(f) || typeof f['name'] !== 'string' || !TOOL_NAME.test(f['name'])) return `tool call ${c['id']} names no valid function`;
  if (typeof f['arguments'] !== 'string') return `tool call ${c['id']} has no arguments text`;
  try {
    const args = JSON.parse(f['arguments']) as unknown;
    if (!args || typeof args !== 'object' || Array.isArray(args)) return `tool call ${c['id']}: arguments are not a JSON object`;
  } catch {
    return `tool call ${c['id']}: arguments are not JSON`;
  }
  return undefined;
}

/** The `tools` member of a chat line: each tool the dataset calls, as a function with its parameters' schema. */
export function toolsMember(tools: ChatTool[] | undefined): Value[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({ type: 'function', function: { name: t.name, parameters: t.parameters as Value } }));
}
