/**
 * `parseDocument` with a guard on how deep the file nests, checked while the library builds its
 * concrete syntax tree and before it composes a document from it. Composing recurses once per level:
 * a file 100,000 levels deep (`[[[…`, `- - - …`, `a: :` on every line) took the library 1–3 s on the
 * thread that serves requests, and a second such parse in one process aborted Node ("RegExpCompiler
 * Allocation failed"). An earlier scan of the text that mirrored the library's lexer and parser by
 * hand drifted from them (a quote, a comment, a lenient reading of a broken line), and each drift let a
 * deep file through whole. Here the library's own `Parser` is fed the library's own tokens, one at a
 * time, and its stack of open collections is what is counted: the nesting the composer would walk.
 *
 * That stack is not the composed tree level for level: an implicit pair in a flow list (`[a: b]`) is a
 * mapping in the tree with no token of its own, as is the mapping a flow collection becomes the key
 * of once it has closed (`[[a]]: b`), so the tree can be twice as deep and one; and a few broken or
 * odd constructs (`? x` then `-`) open a collection the composer drops. So the guard refuses at twice
 * `MAX_NESTING_DEPTH` open collections — the composer then recurses at most some 260 levels, a few
 * milliseconds — and `tooDeep` refuses at the limit itself on the composed tree; a file refused here
 * is reported where its collection one past the limit starts, which is where `tooDeep` reports it
 * but for those constructs.
 */
import { Composer, CST, Lexer, LineCounter, Parser, YAMLParseError, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";
import { MAX_NESTING_DEPTH, NESTING_MESSAGE } from "./nesting-depth.js";

/** A file nesting deeper than `MAX_NESTING_DEPTH`, refused before its tree was composed. */
export class NestedTooDeep extends Error {
  constructor(
    /** Where the first collection too deep starts (as `tooDeep` reports it on a composed tree). */
    readonly offset: number,
  ) {
    super(NESTING_MESSAGE);
    this.name = "NestedTooDeep";
  }
}

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** Open collections past which the parse stops (see above). */
export const GUARD_DEPTH = 2 * MAX_NESTING_DEPTH;

/**
 * The first document of `text`, as `parseDocument(text, { ...options, lineCounter: counter, prettyErrors: false })`
 * gives it (a second document is a MULTIPLE_DOCS error). Throws `NestedTooDeep` once the collections
 * open at one point of the text are more than `limit`, at the collection one past `MAX_NESTING_DEPTH`
 * (or past `limit`, if lower); the text after that point is not read.
 *
 * @example
 * parseWithinDepth("a: [1, 2]\n", new LineCounter(), {}); // the Document
 * parseWithinDepth(`a: ${"[".repeat(100_000)}`, new LineCounter(), {}); // throws NestedTooDeep (offset 67)
 */
export function parseWithinDepth(text: string, counter: LineCounter, options: Options, limit = GUARD_DEPTH): Document.Parsed {
  const parser = new Parser(counter.addNewLine);
  const composer = new Composer(options);
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(guardedTokens(text, parser, counter, limit), true, text.length)) {
    if (!doc) {
      doc = next;
      continue;
    }
    doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
    break;
  }
  // compose(…, forceDoc = true) always ends with a document, an empty one for an empty text.
  return doc!;
}

/** The parser's top-level tokens of `text` (Parser.parse's loop), checking its open collections after each lexical token. */
function* guardedTokens(text: string, parser: Parser, counter: LineCounter, limit: number): Generator<CST.Token> {
  counter.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    // Besides collections the stack holds the document and a scalar or two: most tokens cost one
    // comparison, and only a file within a few levels of the limit has its stack walked per token.
    if (parser.stack.length > limit && collectionBeyond(parser.stack, limit)) {
      throw new NestedTooDeep(collectionBeyond(parser.stack, Math.min(limit, MAX_NESTING_DEPTH))!.offset);
    }
  }
  yield* parser.end();
}

/** The first collection on `stack` with `limit` others below it, if any. */
function collectionBeyond(stack: readonly CST.Token[], limit: number): CST.Token | undefined {
  let collections = 0;
  for (const token of stack) {
    if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      collections++;
      if (collections > limit) return token;
    }
  }
  return undefined;
}
