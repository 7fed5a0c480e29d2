/**
 * What the grammar writes for `type: "integer"`. node-llama-cpp's rule allows an exponent
 * (`-5e-2`, `15e-1`), so a fraction could pass for an integer; this one writes digits only — the
 * same sign and digit count, without the exponent.
 */
const INTEGER = `"-"? ( "0" | [1-9] [0-9]{0,15} )`;

/**
 * A JSON-schema grammar's GBNF with node-llama-cpp's integer rule replaced by this one.
 *
 * @example llama.createGrammar({ grammar: withIntegerRule(jsonGrammar.grammar) });
 */
export function withIntegerRule(gbnf: string): string {
  return gbnf.replace(/^integer-number-rule ::= .*$/m, `integer-number-rule ::= ${INTEGER}`);
}
