/**
 * Files holding more than one YAML document. kustomize and helm end their output with `---`, an empty
 * second document the yaml library refuses as "Source contains multiple documents; please use
 * YAML.parseAllDocuments()", advice for developers, not ops. Empty documents after the first are
 * accepted; a second one with content is refused at its start, since only the first would be read.
 */
import { isScalar, parseAllDocuments } from "yaml";

export const ONE_DOCUMENT_MESSAGE = "only one YAML document per file: another starts here; move it to a file of its own or remove it";

/**
 * Whether every document after the first is empty (`---` alone, or only comments). Parses the file
 * again, so only for a file the yaml library already found several documents in.
 *
 * @example
 * onlyEmptyAfterFirst("version: 1\n---\n"); // true
 */
export function onlyEmptyAfterFirst(text: string): boolean {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, stringKeys: true });
  if (!Array.isArray(docs)) return true;
  return docs.slice(1).every((doc) => doc.errors.length === 0 && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !doc.contents.tag)));
}
