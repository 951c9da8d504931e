/**
 * Deterministic "generation": the reply echoes the words of the last user message,
 * one word per token, so tests can predict text, token counts and `max_tokens` cuts.
 */
import { z } from "zod";

const ContentPart = z.object({ type: z.string(), text: z.string().optional() }).loose();
export const ChatMessage = z
  .object({
    role: z.string(),
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  })
  .loose();
export type ChatMessage = z.infer<typeof ChatMessage>;

export const MAX_REPLY_WORDS = 256;

export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => p.text ?? "").join(" ");
  return "";
}

export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

export interface Reply {
  /** One entry per token; joined with "" they make the text. */
  tokens: string[];
  finishReason: "stop" | "length";
  promptTokens: number;
}

export function planReply(prompts: string[], lastPrompt: string, maxTokens: number | undefined): Reply {
  const echoed = words(lastPrompt);
  const all = echoed.length > 0 ? echoed : ["ok"];
  const limit = Math.min(maxTokens ?? MAX_REPLY_WORDS, MAX_REPLY_WORDS);
  const kept = all.slice(0, Math.max(limit, 0));
  return {
    tokens: kept.map((w, i) => (i === 0 ? w : ` ${w}`)),
    finishReason: kept.length < all.length ? "length" : "stop",
    promptTokens: prompts.reduce((n, p) => n + words(p).length, 0),
  };
}

/** Reply for a chat request: echo the last user message. */
export function planChatReply(messages: ChatMessage[], maxTokens: number | undefined): Reply {
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  return planReply(
    messages.map(messageText),
    lastUser === undefined ? "" : messageText(lastUser),
    maxTokens,
  );
}

export function usage(reply: Reply): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return {
    prompt_tokens: reply.promptTokens,
    completion_tokens: reply.tokens.length,
    total_tokens: reply.promptTokens + reply.tokens.length,
  };
}

export function tokenDelayMs(tokensPerSecond: number): number {
  return 1000 / tokensPerSecond;
}
