/**
 * Compiling a JSON schema into a llama.cpp grammar costs milliseconds; clients send the same schema
 * on every call, so keep the compiled grammars (bounded, least recently used first out).
 */
import type { Llama, LlamaGrammar } from "node-llama-cpp";
import type { ResponseFormat } from "../../api/chat-request.js";
import { withCalendarRules } from "./calendar-grammar.js";
import { withIntegerRule } from "./integer-grammar.js";
import { schemaRefusalError, SchemaRefusal, toGrammarSchema } from "./grammar-schema.js";

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
    // The walk runs here, inside the memo: once per distinct schema, like the compilation.
    return this.memo(JSON.stringify(schema), async () => {
      try {
        // The method's generic infers a literal type from its argument; any GbnfJsonSchema is accepted.
        const json = await this.llama.createGrammarForJsonSchema(toGrammarSchema(schema) as Parameters<Llama["createGrammarForJsonSchema"]>[0]);
        const strict = withIntegerRule(withCalendarRules(json.grammar));
        if (strict === json.grammar) return json;
        return await this.llama.createGrammar({ grammar: strict, stopGenerationTriggers: json.stopGenerationTriggers, trimWhitespaceSuffix: json.trimWhitespaceSuffix });
      } catch (error) {
        throw schemaRefusalError(error instanceof SchemaRefusal ? error.message : `node-llama-cpp: ${(error as Error).message}`);
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
