/**
 * Compiling a JSON schema into a llama.cpp grammar costs milliseconds; clients send the same schema
 * on every call, so keep the compiled grammars (bounded, least recently used first out).
 */
import type { Llama, LlamaGrammar } from "node-llama-cpp";
import type { ResponseFormat } from "../../api/chat-request.js";
import { invalidRequest } from "../../errors.js";

export class GrammarCache {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(
    private readonly llama: Llama,
    private readonly capacity = 64,
  ) {}

  async forResponseFormat(format: ResponseFormat | undefined): Promise<LlamaGrammar | undefined> {
    if (!format || format.type === "text") return undefined;
    if (format.type === "json_object") return this.memo("json_object", () => this.llama.getGrammarFor("json"));
    const schema = format.json_schema.schema ?? {};
    return this.memo(JSON.stringify(schema), async () => {
      try {
        // node-llama-cpp checks the schema's shape at run time; the static type is narrower than JSON Schema.
        return await this.llama.createGrammarForJsonSchema(schema as Parameters<Llama["createGrammarForJsonSchema"]>[0]);
      } catch (error) {
        throw invalidRequest(
          `response_format.json_schema.schema cannot be enforced by the local model: ${(error as Error).message}`,
          "response_format.json_schema.schema",
          "invalid_json_schema",
        );
      }
    });
  }

  private memo(key: string, build: () => Promise<LlamaGrammar>): Promise<LlamaGrammar> {
    const hit = this.grammars.get(key);
    if (hit) {
      this.grammars.delete(key);
      this.grammars.set(key, hit);
      return hit;
    }
    const built = build();
    built.catch(() => this.grammars.delete(key));
    this.grammars.set(key, built);
    if (this.grammars.size > this.capacity) {
      const oldest = this.grammars.keys().next().value;
      if (oldest !== undefined) this.grammars.delete(oldest);
    }
    return built;
  }
}
