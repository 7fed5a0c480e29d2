/**
 * The `version:` key of the policy files (routing.yaml, budgets.yaml, pii.yaml, intents.yaml): the
 * version of the file format, of which only 1 exists. Operators bumping it on each edit, as if it were
 * the policy's revision, saw only "Invalid input: expected 1".
 *
 * @example z.strictObject({ version: FormatVersionSchema, … })
 */
import { z } from "zod";

export const FormatVersionSchema = z.literal(1, {
  // A missing key (or `version:` with no value, null) is no bumped revision: say that it is required and what it is.
  error: (issue) =>
    issue.input == null
      ? "required: 1, the version of the file format"
      : "must be 1, the version of the file format (not a revision of yours: the gateway versions the policy by its content hash)",
});
