// The built-in conversation types and the functions that build their values. A conversation is a `message[]`
// whose values are exactly OpenAI's chat fine-tuning format (https://platform.openai.com/docs/guides/
// fine-tuning, "chat" format, with tool calls), so a row field holding one and the `format chat` file need no
// conversion:
//   message   { role: "system" | "user" | "assistant" | "tool", content?: string,
//               tool_calls?: tool_call[], tool_call_id?: string }   (absent fields are left out, not null)
//   tool_call { id: string, type: "function", function: { name: string, arguments: string } }
// `arguments` is JSON text (the format's own choice): `call_tool` writes it with JSON.stringify, so it always
// parses, and the chat file declares each tool's parameters from the type of the arguments record.
import { T, type Ty } from './types.js';

/** `tool_call.function`: the tool's name and its arguments as JSON text. */
export const TOOL_FUNCTION_TYPE: Ty = {
  k: 'record',
  name: 'tool_function',
  fields: new Map<string, Ty>([
    ['name', T.string],
    ['arguments', T.string],
  ]),
};

/** One tool call of an assistant message. */
export const TOOL_CALL_TYPE: Ty = {
  k: 'record',
  name: 'tool_call',
  fields: new Map<string, Ty>([
    ['id', T.string],
    ['type', { k: 'union', members: ['function'] }],
    ['function', TOOL_FUNCTION_TYPE],
  ]),
};

/** The roles of a chat message, in the fine-tuning format. */
export const CHAT_ROLES = ['system', 'user', 'assistant', 'tool'] as const;

/** One chat message. Its optional fields are absent when not used (see the header). */
export const MESSAGE_TYPE: Ty = {
  k: 'record',
  name: 'message',
  omittable: true,
  fields: new Map<string, Ty>([
    ['role', { k: 'union', members: [...CHAT_ROLES] }],
    ['content', { k: 'optional', inner: T.string }],
    ['tool_calls', { k: 'optional', inner: { k: 'array', elem: TOOL_CALL_TYPE } }],
    ['tool_call_id', { k: 'optional', inner: T.string }],
  ]),
};

/** Type names the language gives these records (a struct of the same name declared in a spec wins). */
export const CHAT_TYPES: Record<string, Ty> = { message: MESSAGE_TYPE, tool_call: TOOL_CALL_TYPE };

/** Tool names as OpenAI accepts them. */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
