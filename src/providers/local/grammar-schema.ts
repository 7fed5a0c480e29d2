/**
 * Turns a client's JSON schema into one that node-llama-cpp's grammar enforces exactly, or refuses it.
 *
 * `createGrammarForJsonSchema` never fails on what it does not know: it drops `pattern`, `minimum` and
 * friends, turns `anyOf` (or any schema without a `type` it knows) into `null`, and a `$ref` outside
 * `#/$defs/` into any JSON. The answer then breaks the schema the client sent, with a 200. So every
 * node is rewritten into the subset the grammar implements (the `GbnfJsonSchema` type) such that
 * every value the grammar can produce satisfies the original schema; what cannot be is a 400
 * `invalid_json_schema` that names the keyword and where it is.
 *
 * @example
 * toGrammarSchema({ anyOf: [{ type: "string" }, { type: "null" }] });
 * // → { oneOf: [{ type: "string" }, { type: "null" }] }
 * toGrammarSchema({ type: "string", pattern: "^[A-Z]{3}$" }); // throws: `pattern` at #/pattern
 */
import type { GbnfJsonSchema } from "node-llama-cpp";
import { invalidRequest } from "../../errors.js";
import { ENFORCED_PATTERNS, isCalendarFormat } from "./calendar-grammar.js";

type Schema = Record<string, unknown>;
type Out = Record<string, unknown>;

/** Deeper than any real response schema; keeps a hostile one from exhausting the stack. */
const MAX_DEPTH = 64;
/** How many alternative comparisons one schema may cost (a 100-way oneOf of literals takes ~5,000). */
const MAX_COMPARISONS = 20_000;
/*
 * node-llama-cpp compiles a grammar, and llama.cpp samples with it, on the gateway's event loop, in
 * time that grows faster than the schema (an enum of 10,000 strings blocked every tenant for ~0.5 s,
 * of 100,000 for over a minute). These keep one schema's grammar to ~50 ms of blocking on a 2-core
 * machine; a larger schema is refused, and routing sends it to a model behind an API. A structural
 * node (an object, array, property…) costs the compiler several times what a literal value does.
 */
/** Values in one `enum`. */
export const MAX_ENUM_VALUES = 1_000;
/** `enum` and `const` values across the schema. */
export const MAX_LITERALS = 1_500;
/** Nodes other than `enum`/`const` ones across the schema (a `$ref` target counts once). */
export const MAX_NODES = 500;
/** The schema as JSON, in characters: bounds what the counts do not (long names and strings). */
export const MAX_SCHEMA_CHARS = 64 * 1024;
/**
 * The schema's size with every `$ref` inlined (`compileCost`). A small schema whose definitions reach
 * one definition by two paths at every level doubles node-llama-cpp's compile time per level, though
 * the grammar it writes stays small: 24 levels of `anyOf: [$ref X, {anyOf: [$ref X, …]}]`, 2 KB of
 * schema, took 1 s; 30, a minute.
 */
export const MAX_COMPILE_COST = 20_000;

/** Keywords that describe a value without constraining it. */
const ANNOTATIONS = new Set(["description", "title", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly"]);
/** Containers for `$ref` targets: read through pointers, never generated themselves. */
const DEF_CONTAINERS = new Set(["$defs", "definitions"]);
const FORMATS = new Set(["date", "time", "date-time"]);
const TYPES = ["string", "number", "integer", "boolean", "null", "object", "array"] as const;
type TypeName = (typeof TYPES)[number];

/** The keywords each type may carry, beyond `type` and the annotations. */
const KEYWORDS: Record<TypeName, ReadonlySet<string>> = {
  // `pattern` only as zod writes it beside a date format (stringNode); refused anywhere else.
  string: new Set(["minLength", "maxLength", "format", "pattern"]),
  number: new Set(),
  integer: new Set(),
  boolean: new Set(),
  null: new Set(),
  object: new Set(["properties", "required", "additionalProperties", "minProperties", "maxProperties"]),
  array: new Set(["items", "prefixItems", "minItems", "maxItems"]),
};

/** Any JSON value, in terms the grammar knows (a schema with no `type` would be `null` only). */
const ANY: Out = {
  oneOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "object", additionalProperties: true }, { type: "array" }],
};

export class SchemaRefusal extends Error {}

/**
 * `nodes` without repeats, first occurrences kept. A repeat is the same output schema with the same
 * marks at every level (`open`, `required`, which the output does not carry): merging two nodes that
 * differ in them would lose what one of them accepts.
 */
function distinctNodes(nodes: readonly Out[], marks: { open: WeakSet<Out>; required: WeakMap<Out, readonly string[]> }): Out[] {
  const marked = (_key: string, value: unknown) =>
    isSchema(value) && (marks.open.has(value as Out) || marks.required.has(value as Out))
      ? { ...value, "\u0000open": marks.open.has(value as Out), "\u0000required": marks.required.get(value as Out) ?? null }
      : value;
  const kept = new Map<string, Out>();
  for (const node of nodes) {
    const key = JSON.stringify(node, marked);
    if (!kept.has(key)) kept.set(key, node);
  }
  return [...kept.values()];
}

export function toGrammarSchema(schema: unknown): GbnfJsonSchema {
  // Checked before the walk, whose own work grows with the schema.
  if (jsonLengthAbove(schema, MAX_SCHEMA_CHARS)) refuse(`the schema is longer than ${MAX_SCHEMA_CHARS} characters of JSON, the most the local model takes`, "#");
  const walk = new Walk(schema);
  let out = walk.node(schema, "#", 0);
  if (walk.defs.size > 0) {
    const $defs = Object.fromEntries([...walk.defs.values()].map((d) => [d.name, d.schema]));
    // node-llama-cpp reads `$defs` from a `$ref`, `oneOf`, object or array node; wrapping covers the rest.
    const holds = "$ref" in out || "oneOf" in out || out.type === "object" || out.type === "array";
    out = holds ? { ...out, $defs } : { oneOf: [out], $defs };
  }
  if (compileCost(out, walk.defs) > MAX_COMPILE_COST) {
    refuse(`its references reach the same definitions through too many paths (more than ${MAX_COMPILE_COST} nodes with every \`$ref\` written out), too many for the local model's grammar compiler`, "#");
  }
  // The walk only ever builds nodes of the GbnfJsonSchema shapes.
  return out as GbnfJsonSchema;
}

/**
 * An upper estimate of the grammar compiler's work for the walked schema: its nodes and literal values
 * with every `$ref` counting its definition again wherever it is reached (a definition it is already
 * inside counts 1: recursion is one rule). Stops counting past the limit.
 */
function compileCost(root: Out, defs: Walk["defs"]): number {
  const byName = new Map([...defs.values()].map((d) => [`#/$defs/${d.name}`, d.schema]));
  const inside = new Set<string>();
  const memo = new Map<string, number>();
  const cost = (node: unknown): number => {
    if (!isSchema(node)) return 1;
    const n = node as Out;
    if (typeof n.$ref === "string") {
      const ref = n.$ref;
      if (inside.has(ref)) return 1;
      const known = memo.get(ref);
      if (known !== undefined) return known;
      inside.add(ref);
      const total = Math.min(cost(byName.get(ref)), MAX_COMPILE_COST + 1);
      inside.delete(ref);
      memo.set(ref, total);
      return total;
    }
    let total = 1 + (Array.isArray(n.enum) ? n.enum.length : 0);
    const add = (child: unknown) => {
      if (total <= MAX_COMPILE_COST) total += cost(child);
    };
    if (Array.isArray(n.oneOf)) for (const child of n.oneOf) add(child);
    if (isSchema(n.properties)) for (const child of Object.values(n.properties as Out)) add(child);
    if (isSchema(n.additionalProperties)) add(n.additionalProperties);
    if (n.items !== undefined) add(n.items);
    if (Array.isArray(n.prefixItems)) for (const child of n.prefixItems) add(child);
    return Math.min(total, MAX_COMPILE_COST + 1);
  };
  return cost(root);
}

/**
 * Why `toGrammarSchema` refuses a schema, or undefined when it takes it. Routing asks this to send a
 * schema the local grammar cannot enforce to a model that can.
 */
export function grammarRefusal(schema: unknown): string | undefined {
  try {
    toGrammarSchema(schema);
    return undefined;
  } catch (error) {
    if (error instanceof SchemaRefusal) return error.message;
    throw error;
  }
}

/** The 400 a client gets for a schema the local model cannot enforce. */
export function schemaRefusalError(reason: string) {
  return invalidRequest(`response_format.json_schema.schema cannot be enforced by the local model: ${reason}`, "response_format", "invalid_json_schema");
}

class Walk {
  /** Each `$ref` target by its pointer, lifted to a root `$defs` entry (named before walked, so cycles end). */
  readonly defs = new Map<string, { name: string; schema: Out | undefined; level: number; original: unknown }>();
  /** Objects and arrays entered so far on the walk's current branch. */
  private level = 0;
  /** Steps spent telling `oneOf` alternatives apart (`overlap` calls). */
  private comparisons = 0;
  /** Nodes walked so far, against MAX_NODES. */
  private nodes = 0;
  /** `enum`/`const` values met so far, against MAX_LITERALS. */
  private literals = 0;
  /** Output nodes whose schema accepts more types than the node writes (their type was inferred). */
  private readonly open = new WeakSet<Out>();
  /** The `required` list of each output object node, which the grammar itself ignores. */
  private readonly required = new WeakMap<Out, readonly string[]>();

  constructor(private readonly root: unknown) {}

  node(schema: unknown, path: string, depth: number): Out {
    if (depth > MAX_DEPTH) refuse(`it nests deeper than ${MAX_DEPTH} levels`, path);
    // Counted before its children are walked, so the walk stops within the limit. Literal nodes count by their values.
    const literal = isSchema(schema) && ("const" in schema || "enum" in schema);
    if (!literal && ++this.nodes > MAX_NODES) refuse(`the schema has more than ${MAX_NODES} nodes besides \`enum\`/\`const\` ones, the most the local model takes`, path);
    if (schema === true) return ANY;
    if (schema === false) refuse("the schema `false` matches no value", path);
    if (!isSchema(schema)) refuse("a schema must be an object or a boolean", path);
    const s = schema as Schema;
    for (const key of ["$id", "$schema"]) if (key in s && path !== "#") refuse(`\`${key}\` is only understood at the root`, `${path}/${key}`);

    if ("$ref" in s) return this.ref(s, path, depth);
    if ("allOf" in s) {
      const all = s.allOf;
      if (!Array.isArray(all) || all.length !== 1) refuse("`allOf` is supported with exactly one schema", `${path}/allOf`);
      onlyAnnotations(s, "allOf", path);
      return this.node(all[0], `${path}/allOf/0`, depth + 1);
    }
    for (const key of ["anyOf", "oneOf"] as const) {
      if (!(key in s)) continue;
      const options = s[key];
      if (!Array.isArray(options) || options.length === 0) refuse(`\`${key}\` must be a non-empty array`, `${path}/${key}`);
      onlyAnnotations(s, key, path);
      // The grammar produces a value of one alternative: that satisfies anyOf, and oneOf too when no
      // other alternative also accepts it.
      const walked = options.map((o, i) => this.node(o, `${path}/${key}/${i}`, depth + 1));
      if (key === "oneOf") this.assertExclusive(walked, path);
      // The same alternative twice changes no value an anyOf accepts, but node-llama-cpp resolves each
      // alternative again through the ones below it: a chain of `anyOf: [$ref X, $ref X, …]` 30
      // definitions deep took 38 s to compile, blocking every request.
      const branches = key === "anyOf" ? distinctNodes(walked, { open: this.open, required: this.required }) : walked;
      return branches.length === 1 ? branches[0]! : { oneOf: branches };
    }
    if ("const" in s || "enum" in s) {
      const out = literals(s, path);
      this.literals += Array.isArray(out.enum) ? out.enum.length : 1;
      if (this.literals > MAX_LITERALS) refuse(`the schema has more than ${MAX_LITERALS} \`enum\`/\`const\` values, the most the local model takes`, path);
      return out;
    }

    const types = typesOf(s, path);
    if (types === undefined) return ANY;
    // Inferred from keywords: the grammar writes that type only, but the schema accepts every other.
    const open = !("type" in s);
    for (const key of Object.keys(s)) {
      if (key === "type" || ANNOTATIONS.has(key) || DEF_CONTAINERS.has(key) || key === "$id" || key === "$schema") continue;
      if (safeIntegerBound(key, s[key]) && types.some((t) => t === "integer" || t === "number")) continue;
      if (!types.some((t) => KEYWORDS[t].has(key))) refuse(`\`${key}\` is not supported`, `${path}/${key}`);
    }
    // `number` already admits every integer.
    const distinct = types.includes("number") ? types.filter((t) => t !== "integer") : types;
    const branches = distinct.map((t) => this.typed(t, s, path, depth));
    if (open) for (const b of branches) this.open.add(b);
    return branches.length === 1 ? branches[0]! : { oneOf: branches };
  }

  /**
   * Refuses a `oneOf` unless no value the grammar writes for one alternative is accepted by another
   * (the value would match two, which oneOf forbids). Conservative: what it cannot tell apart
   * (arrays, maps, strings of different lengths) counts as overlapping.
   */
  private assertExclusive(branches: Out[], path: string): void {
    const overlapping = (i: number, j: number) =>
      refuse(`\`oneOf\` alternatives ${i} and ${j} may both match one value; use \`anyOf\` if that is allowed`, `${path}/oneOf`);
    // Two shapes cost one pass instead of every pair: literals (a value in two alternatives) and
    // objects told apart by a discriminator (a property every one of them sets to its own literals).
    const owner = new Map<string, number>();
    branches.forEach((b, i) => {
      for (const v of literalValues(b) ?? []) {
        const j = owner.get(literalKey(v));
        if (j !== undefined && j !== i) overlapping(j, i);
        owner.set(literalKey(v), i);
      }
    });
    const tagged = discriminated(branches.filter((b) => b.type === "object" && !this.open.has(b)));
    // Two literal alternatives were compared above: a literal is paired with the others only, so a
    // 1,500-way oneOf of constants costs no million pairs.
    const literal = branches.map((b) => literalValues(b) !== undefined);
    const others = branches.flatMap((_, i) => (literal[i] ? [] : [i]));
    for (let i = 0; i < branches.length; i++) {
      const after = literal[i] ? others.filter((j) => j > i) : branches.map((_, j) => j).slice(i + 1);
      for (const j of after) {
        const [a, b] = [branches[i]!, branches[j]!];
        if (tagged.has(a) && tagged.has(b)) continue;
        if (this.overlap(a, b, 0)) overlapping(i, j);
      }
    }
  }

  /** Whether a value the grammar writes for `a` may be accepted by `b`'s schema, or the reverse. */
  private overlap(a: Out, b: Out, depth: number): boolean {
    // Bounded work whatever the schema's shape: past the budget, assume the worst.
    if (++this.comparisons > MAX_COMPARISONS || depth > 8 || a === b || a === ANY || b === ANY || this.open.has(a) || this.open.has(b)) return true;
    if ("$ref" in a || "$ref" in b) {
      const target = (n: Out) => ("$ref" in n ? this.defTarget(n.$ref) : n);
      const [ta, tb] = [target(a), target(b)];
      return ta === undefined || tb === undefined || this.overlap(ta, tb, depth + 1);
    }
    if (Array.isArray(a.oneOf)) return (a.oneOf as Out[]).some((x) => this.overlap(x, b, depth + 1));
    if (Array.isArray(b.oneOf)) return (b.oneOf as Out[]).some((y) => this.overlap(a, y, depth + 1));
    const [va, vb] = [literalValues(a), literalValues(b)];
    if (va && vb) return va.some((v) => vb.includes(v));
    if (va) return va.some((v) => admits(b, v));
    if (vb) return vb.some((v) => admits(a, v));
    if (a.type !== b.type) return (a.type === "number" && b.type === "integer") || (a.type === "integer" && b.type === "number");
    if (a.type !== "object") return true;
    return this.objectsOverlap(a, b, depth) || this.objectsOverlap(b, a, depth);
  }

  /**
   * A `$ref`'s output node; for one still being walked (a recursive reference), a node of the single
   * type its schema declares, which is enough to tell it from another type.
   */
  private defTarget(ref: unknown): Out | undefined {
    const def = [...this.defs.values()].find((d) => `#/$defs/${d.name}` === ref);
    if (def?.schema) return def.schema;
    const declared = isSchema(def?.original) ? def.original.type : undefined;
    const plain = isSchema(def?.original) && !["$ref", "allOf", "anyOf", "oneOf", "const", "enum"].some((k) => k in (def.original as Schema));
    return plain && typeof declared === "string" && (TYPES as readonly string[]).includes(declared) ? { type: declared } : undefined;
  }

  /** Whether the object the grammar writes for `a` (every property of it, no other) may satisfy `b`. */
  private objectsOverlap(a: Out, b: Out, depth: number): boolean {
    const pa = (a.properties ?? {}) as Record<string, Out>;
    const pb = (b.properties ?? {}) as Record<string, Out>;
    if (Object.keys(pa).length === 0 || Object.keys(pb).length === 0) return true;
    if ((this.required.get(b) ?? []).some((name) => !(name in pa))) return false;
    return Object.keys(pa).every((name) => !(name in pb) || this.overlap(pa[name]!, pb[name]!, depth + 1));
  }
  private typed(type: TypeName, s: Schema, path: string, depth: number): Out {
    switch (type) {
      case "string":
        return stringNode(s, path);
      case "object":
        return this.object(s, path, depth);
      case "array":
        return this.array(s, path, depth);
      default:
        return { type };
    }
  }

  private object(s: Schema, path: string, depth: number): Out {
    const properties = s.properties ?? {};
    if (!isSchema(properties)) refuse("`properties` must be an object", `${path}/properties`);
    const names = Object.keys(properties);
    if (names.some((name) => name.includes(NUL))) refuse(`${NUL_REFUSAL} in a property name`, `${path}/properties`);
    const required = s.required ?? [];
    if (!Array.isArray(required)) refuse("`required` must be an array", `${path}/required`);
    for (const name of required) {
      // The grammar writes exactly the listed properties, so a required one must be among them.
      if (typeof name !== "string" || !names.includes(name)) refuse(`required property ${JSON.stringify(name)} is not in \`properties\``, `${path}/required`);
    }
    const min = count(s, "minProperties", path) ?? 0;
    const max = count(s, "maxProperties", path);
    // Every property is always written (node-llama-cpp ignores `required`), and generated extra keys
    // could repeat a name, so the number of keys is exactly the number of properties.
    if (min > names.length) refuse(`\`minProperties\` above the number of \`properties\` (${names.length}) is not supported`, `${path}/minProperties`);
    if (max !== undefined && max < names.length) refuse(`\`maxProperties\` below the number of \`properties\` (${names.length}) is not supported`, `${path}/maxProperties`);

    const out: Out = { type: "object" };
    this.required.set(out, required as string[]);
    this.level++;
    out.properties = Object.fromEntries(names.map((n) => [n, this.node(properties[n], `${path}/properties/${escape(n)}`, depth + 1)]));
    const extra = s.additionalProperties;
    if (names.length === 0 && extra !== undefined && extra !== false) {
      // A map with no fixed keys: its generated keys cannot collide with a property.
      out.additionalProperties = extra === true ? true : this.node(extra, `${path}/additionalProperties`, depth + 1);
      if (max !== undefined) out.maxProperties = max;
    } else {
      // Extra keys are optional; writing none satisfies `additionalProperties` whatever it says.
      out.additionalProperties = false;
    }
    this.level--;
    return out;
  }

  private array(s: Schema, path: string, depth: number): Out {
    const out: Out = { type: "array" };
    this.level++;
    const prefix = s.prefixItems;
    if (prefix !== undefined && !Array.isArray(prefix)) refuse("`prefixItems` must be an array", `${path}/prefixItems`);
    const prefixLength = prefix?.length ?? 0;
    if (prefix) out.prefixItems = prefix.map((p, i) => this.node(p, `${path}/prefixItems/${i}`, depth + 1));
    const min = count(s, "minItems", path);
    let max = count(s, "maxItems", path);
    if (Array.isArray(s.items)) refuse("`items` as an array is not supported; use `prefixItems`", `${path}/items`);
    if (s.items === false) max = Math.min(max ?? prefixLength, prefixLength);
    else if (s.items !== undefined && s.items !== true) out.items = this.node(s.items, `${path}/items`, depth + 1);
    // The grammar always writes every prefix item.
    if (max !== undefined && max < prefixLength) refuse(`\`maxItems\` below the number of \`prefixItems\` (${prefixLength}) is not supported`, `${path}/maxItems`);
    if (min !== undefined && max !== undefined && min > max) refuse("`minItems` is above `maxItems`: no array satisfies it", `${path}/minItems`);
    if (min !== undefined) out.minItems = min;
    if (max !== undefined) out.maxItems = max;
    this.level--;
    return out;
  }

  private ref(s: Schema, path: string, depth: number): Out {
    onlyAnnotations(s, "$ref", path);
    const ref = s.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#")) refuse(`only local references (starting with "#") are supported, not ${JSON.stringify(ref)}`, `${path}/$ref`);
    let def = this.defs.get(ref);
    if (!def) {
      const target = resolvePointer(this.root, ref);
      if (target === undefined) refuse(`${JSON.stringify(ref)} points to nothing in the schema`, `${path}/$ref`);
      def = { name: `d${this.defs.size}`, schema: undefined, level: this.level, original: target };
      this.defs.set(ref, def);
      def.schema = this.node(target, ref, depth + 1);
    } else if (def.schema === undefined && def.level === this.level) {
      // Reached again inside itself through references and alternatives only: a value that is itself.
      refuse(`${JSON.stringify(ref)} refers to itself without an object or array in between`, `${path}/$ref`);
    }
    return { $ref: `#/$defs/${def.name}` };
  }
}

function literals(s: Schema, path: string): Out {
  const values: unknown[] = "const" in s ? [s.const] : Array.isArray(s.enum) ? s.enum : refuse("`enum` must be an array", `${path}/enum`);
  const keyword = "const" in s ? "const" : "enum";
  // Before the values are read: their count bounds the work on them.
  if (values.length > MAX_ENUM_VALUES) refuse(`\`enum\` has ${values.length} values, more than the ${MAX_ENUM_VALUES} the local model takes`, `${path}/enum`);
  for (const key of Object.keys(s)) {
    if (key !== keyword && key !== "type" && !ANNOTATIONS.has(key)) refuse(`\`${key}\` next to \`${keyword}\` is not supported`, `${path}/${key}`);
  }
  for (const v of values) {
    if (v !== null && typeof v === "object") refuse(`\`${keyword}\` values must be strings, numbers, booleans or null`, `${path}/${keyword}`);
    if (typeof v === "string" && v.includes(NUL)) refuse(`${NUL_REFUSAL} in a \`${keyword}\` value`, `${path}/${keyword}`);
  }
  const types = "type" in s ? typesOf(s, path) : undefined;
  const allowed = types ? values.filter((v) => types.some((t) => hasType(v, t))) : values;
  if (allowed.length === 0) refuse(`no \`${keyword}\` value has the schema's \`type\``, `${path}/${keyword}`);
  return allowed.length === 1 ? { const: allowed[0] } : { enum: allowed };
}

function stringNode(s: Schema, path: string): Out {
  const min = count(s, "minLength", path);
  const max = count(s, "maxLength", path);
  if (s.pattern !== undefined && !(isCalendarFormat(s.format) && typeof s.pattern === "string" && ENFORCED_PATTERNS[s.format].has(s.pattern))) {
    refuse("`pattern` is not supported", `${path}/pattern`);
  }
  if (s.format !== undefined) {
    if (typeof s.format !== "string" || !FORMATS.has(s.format)) {
      refuse(`\`format\` ${JSON.stringify(s.format)} is not supported (only ${[...FORMATS].join(", ")})`, `${path}/format`);
    }
    // node-llama-cpp ignores lengths on a formatted string.
    if (min !== undefined || max !== undefined) refuse("`minLength`/`maxLength` with `format` is not supported", `${path}/format`);
    return { type: "string", format: s.format };
  }
  if (min !== undefined && max !== undefined && min > max) refuse("`minLength` is above `maxLength`: no string satisfies it", `${path}/minLength`);
  const out: Out = { type: "string" };
  if (min !== undefined) out.minLength = min;
  if (max !== undefined) out.maxLength = max;
  return out;
}

/**
 * The types a node admits: its `type`, or, without one, the single type its keywords constrain
 * (`{ properties: … }` is an object; producing only objects satisfies it). Undefined: any value.
 */
function typesOf(s: Schema, path: string): TypeName[] | undefined {
  if ("type" in s) {
    const list = Array.isArray(s.type) ? s.type : [s.type];
    if (list.length === 0) refuse("`type` must not be an empty array", `${path}/type`);
    for (const t of list) {
      if (!(TYPES as readonly unknown[]).includes(t)) refuse(`unknown type ${JSON.stringify(t)}`, `${path}/type`);
    }
    return [...new Set(list as TypeName[])];
  }
  const keywords = Object.keys(s).filter((k) => !ANNOTATIONS.has(k) && !DEF_CONTAINERS.has(k) && k !== "$id" && k !== "$schema");
  if (keywords.length === 0) return undefined;
  const owner = TYPES.find((t) => keywords.every((k) => KEYWORDS[t].has(k)));
  if (owner === undefined) {
    const unknown = keywords.find((k) => !TYPES.some((t) => KEYWORDS[t].has(k)));
    refuse(unknown ? `\`${unknown}\` is not supported` : "a schema without `type` must use one type's keywords only", `${path}/${unknown ?? ""}`);
  }
  return [owner];
}

/** The values a `const`/`enum` output node allows, or undefined for any other node. */
function literalValues(node: Out): readonly unknown[] | undefined {
  return "const" in node ? [node.const] : Array.isArray(node.enum) ? node.enum : undefined;
}

/** Tells literals apart the way JSON does (`1` from `"1"`). */
function literalKey(value: unknown): string {
  return `${typeof value}:${String(value)}`;
}

/**
 * The object nodes among `objects` kept apart by one property that each of them writes with its own
 * literal values (`kind: "dog"` / `kind: "cat"`): all of them, or none when there is no such property.
 */
function discriminated(objects: Out[]): Set<Out> {
  const first = objects[0]?.properties as Record<string, Out> | undefined;
  for (const name of Object.keys(first ?? {})) {
    const seen = new Set<string>();
    const apart = objects.every((o) => {
      const tag = (o.properties as Record<string, Out>)[name];
      const values = tag && literalValues(tag);
      if (!values) return false;
      const keys = new Set(values.map(literalKey));
      for (const k of keys) if (seen.has(k)) return false;
      for (const k of keys) seen.add(k);
      return true;
    });
    if (apart) return new Set(objects);
  }
  return new Set();
}

/** Whether a typed output node (`{ type }`, a string with lengths or a format, …) accepts `value`. */
function admits(node: Out, value: unknown): boolean {
  if (!hasType(value, node.type as TypeName)) return false;
  if (node.type !== "string" || typeof value !== "string") return true;
  // A string's lengths and format: count a literal out only when its length is certainly outside.
  const length = [...value].length;
  if (typeof node.minLength === "number" && length < node.minLength) return false;
  if (typeof node.maxLength === "number" && length > node.maxLength) return false;
  return true;
}

function hasType(value: unknown, type: TypeName): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "string":
    case "boolean":
      return typeof value === type;
    default:
      return false;
  }
}

/**
 * The bounds zod writes for every `.int()`: ±Number.MAX_SAFE_INTEGER. Taken as no bound: the
 * grammar's numbers have at most 16 digits, so only a 16-digit value above 2^53 − 1 or an exponent
 * (`1e20`) could cross them — which a model asked for an integer does not write in practice, while
 * refusing them would refuse every zod schema with an integer.
 */
function safeIntegerBound(key: string, value: unknown): boolean {
  if (typeof value !== "number") return false;
  return (key === "minimum" && value <= -Number.MAX_SAFE_INTEGER) || (key === "maximum" && value >= Number.MAX_SAFE_INTEGER);
}

/** A non-negative integer keyword (`minLength`, `maxItems`, …), or undefined when absent. */
function count(s: Schema, key: string, path: string): number | undefined {
  const value = s[key];
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 0) refuse(`\`${key}\` must be a non-negative integer`, `${path}/${key}`);
  return value as number;
}

function onlyAnnotations(s: Schema, keyword: string, path: string): void {
  for (const key of Object.keys(s)) {
    if (key !== keyword && !ANNOTATIONS.has(key) && !DEF_CONTAINERS.has(key) && key !== "$id" && key !== "$schema") {
      refuse(`\`${key}\` next to \`${keyword}\` is not supported`, `${path}/${key}`);
    }
  }
}

/** Resolves a local reference (`#`, `#/$defs/Node`, `#/properties/a`) against the root schema. */
function resolvePointer(root: unknown, ref: string): unknown {
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (fragment === "") return root;
  if (!fragment.startsWith("/")) return undefined;
  let at: unknown = root;
  for (const raw of fragment.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * Whether `value` written as JSON is longer than `limit` characters. Stops as soon as it is, so the
 * cost is bounded by the limit rather than by the value (a 4 MiB body is not serialized to learn it).
 */
function jsonLengthAbove(value: unknown, limit: number): boolean {
  let length = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === "string") length += v.length > limit ? v.length : JSON.stringify(v).length;
    else if (Array.isArray(v)) length += 1 + Math.max(v.length, 1); // brackets and commas
    else if (v !== null && typeof v === "object") length += Math.max(1 + 2 * Object.keys(v).length, 2); // braces, commas, colons
    else length += String(JSON.stringify(v)).length;
    // Checked before a container's items are queued: a huge one is over at once.
    if (length > limit) return true;
    if (Array.isArray(v)) for (const item of v) pending.push(item);
    else if (v !== null && typeof v === "object") for (const [key, item] of Object.entries(v)) pending.push(key, item);
  }
  return false;
}

function escape(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A NUL in a literal (a `const`/`enum` string, a property name) makes the grammar node-llama-cpp
 * writes fail to compile ("Failed to parse grammar"; other control characters compile). Refused here,
 * routing sends such a schema to a model that can take it instead of failing the request.
 */
const NUL = "\u0000";
const NUL_REFUSAL = "a NUL character (U+0000) is not supported";

function refuse(reason: string, path: string): never {
  throw new SchemaRefusal(`${reason} (at ${path})`);
}
