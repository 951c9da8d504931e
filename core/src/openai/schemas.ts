/**
 * Request bodies of the OpenAI surface the gateway serves. Unknown fields pass
 * through untouched (upstreams may understand them); the fields the gateway
 * relies on, or that could make an upstream misbehave, are bounded here.
 */
import { z } from "zod";

/** Model aliases are short printable strings; anything else is a client bug. */
const ModelId = z.string().min(1, "model must not be empty").max(256);

/** Several knobs are sent as null by some clients to mean "default". */
const optionalInt = (min: number, max: number) => z.number().int().min(min).max(max).nullable().optional();
const optionalNum = (min: number, max: number) => z.number().min(min).max(max).nullable().optional();

const ChatMessage = z.looseObject({
  role: z.string().min(1).max(64),
  content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional(),
});

const StreamOptions = z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional();

/** Knobs shared by chat and legacy completions. */
const samplingFields = {
  stream: z.boolean().nullable().optional(),
  stream_options: StreamOptions,
  n: optionalInt(1, 8),
  max_tokens: optionalInt(1, 1_000_000),
  temperature: optionalNum(0, 2),
  top_p: optionalNum(0, 1),
  presence_penalty: optionalNum(-2, 2),
  frequency_penalty: optionalNum(-2, 2),
};

export const ChatCompletionRequest = z.looseObject({
  model: ModelId,
  messages: z.array(ChatMessage).min(1, "messages must not be empty").max(10_000),
  max_completion_tokens: optionalInt(1, 1_000_000),
  ...samplingFields,
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** A prompt: text, texts, token ids, or lists of token ids; never empty. */
const PromptLike = z.union([
  z.string(),
  z.array(z.string()).min(1),
  z.array(z.number().int().min(0)).min(1),
  z.array(z.array(z.number().int().min(0)).min(1)).min(1),
]);

export const CompletionRequest = z.looseObject({
  model: ModelId,
  prompt: PromptLike,
  ...samplingFields,
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

export const EmbeddingRequest = z.looseObject({
  model: ModelId,
  input: PromptLike,
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).max(65_536).optional(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

/** The three endpoints the gateway proxies, with the upstream path for each. */
export const ENDPOINTS = {
  chat: { path: "/v1/chat/completions", schema: ChatCompletionRequest },
  completions: { path: "/v1/completions", schema: CompletionRequest },
  embeddings: { path: "/v1/embeddings", schema: EmbeddingRequest },
} as const;
export type EndpointKind = keyof typeof ENDPOINTS;

/** Usage as upstreams report it (all fields optional: Exo's legacy API sends none). */
export const Usage = z.looseObject({
  prompt_tokens: z.number().int().min(0).optional(),
  completion_tokens: z.number().int().min(0).optional(),
  total_tokens: z.number().int().min(0).optional(),
});
export type Usage = z.infer<typeof Usage>;

/** A non-streamed chat/legacy completion: what must be present before we answer 200. */
export const CompletionResponse = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  object: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z.array(z.looseObject({ index: z.number().int().optional() })).min(1),
  usage: Usage.nullable().optional(),
});
export type CompletionResponse = z.infer<typeof CompletionResponse>;

export const EmbeddingResponse = z.looseObject({
  object: z.string().optional(),
  model: z.string().optional(),
  data: z.array(z.looseObject({ embedding: z.union([z.array(z.number()), z.string()]) })).min(1),
  usage: Usage.nullable().optional(),
});
export type EmbeddingResponse = z.infer<typeof EmbeddingResponse>;
