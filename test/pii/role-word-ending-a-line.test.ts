// What a user noticed: a capitalised word opening the line after one that ended in a role noun ("…for that
// user", "Ask the customer") was masked as a person, so "Thanks", "Please Note" and "Welcome Screen" reached
// the cloud as <PERSON_1> and the model answered about a person. A role noun introduces a name only on its
// own line, or alone on the line above it as a form's label; a label or "my name is" still may stand on the line above.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const people = (text: string) => valuesOf(engine, "PERSON", text);

describe("a role noun ending its line introduces no name on the next", () => {
  it.each([
    "Please reset the password for that user\nThanks",
    "Ask the customer\nPlease Note the change in the refund policy.",
    "Log in as the admin user\nWelcome Screen shows an error.",
    "Escalate to the tenant\nBilling Portal is down.",
  ])("%s", (text) => {
    expect(people(text)).toEqual([]);
  });
});

// A heading or list item that is a role noun labels a value alone on its line, not the sentence under it
// (second review of the Markdown forms: a README's "## Contact" section masked its first word).
describe("a sentence under a role noun's heading is no name", () => {
  it.each([
    "## Contact\n\nFeel free to open an issue.",
    "## User\n\nReturns the current user.",
    "roles:\n- admin\n- user\nTimeout: 30",
    "# Tenant\nEach tenant has a namespace.",
    "## Contact\n\nYour Name - email@example.com",
    "## Client\n\nInstall Client Dependencies",
    // Headings in title case (third review).
    "## Contact\n\nFeel Free To Open An Issue",
    "### Tenant\n\nTenant Isolation",
    "## User\n\nUser Guide",
    "## Contact\n\nSupport Team <support@example.com>",
    "## Client\n\nRedis Cluster handles retries for you.",
  ])("%s", (text) => {
    expect(people(text)).toEqual([]);
  });
});

describe("an introduction still reaches the name", () => {
  it.each([
    ["Customer Kwame Brandt asked for a refund.", ["Kwame Brandt"]],
    ["Name:\nKwame Brandt", ["Kwame Brandt"]],
    ["My name is\nKwame Brandt", ["Kwame Brandt"]],
    ["Please reset the password for that user\nThanks, Frank Miller", ["Frank Miller"]],
    // A role noun alone on its line is a form's label (review of the first version, which let these through).
    ["Client\nThandiwe Mokoena\nMatter\nLease dispute", ["Thandiwe Mokoena"]],
    ["User\nXiomara Etxeberria\nRole\nAdmin", ["Xiomara Etxeberria"]],
    ["Attn\nThandiwe Mokoena\nAcme Ltd\n12 High Street", ["Thandiwe Mokoena"]],
    ["Ticket 4471\n  Client  \nThandiwe Mokoena", ["Thandiwe Mokoena"]],
    // Under a blank line, a Markdown heading or a list item (review of the second version).
    ["Client\n\nThandiwe Mokoena", ["Thandiwe Mokoena"]],
    ["## Client\nThandiwe Mokoena", ["Thandiwe Mokoena"]],
    ["- Client\nThandiwe Mokoena", ["Thandiwe Mokoena"]],
    ["## Contact\n\nThandiwe Mokoena <tm@example.com>", ["Thandiwe Mokoena"]],
    ["Patient\nThandiwe Mokoena, 42", ["Thandiwe Mokoena"]],
    // Whatever follows a name of two words or more on its line (third review: the first fix asked for a line end).
    ["Client\nKwame Brandt.", ["Kwame Brandt"]],
    ["Client\nKwame Brandt - 555-0132", ["Kwame Brandt"]],
    ["Client\nKwame Brandt / Acme Corp", ["Kwame Brandt"]],
    ["Client\nKwame Brandt 45M", ["Kwame Brandt"]],
    ["Client\nKwame Brandt called about the invoice.", ["Kwame Brandt"]],
    // A surname that is also a common word (fourth review: a rule against title-case headings missed these).
    ["Patient\nKwame Brown\nDOB 1984-03-02", ["Kwame Brown"]],
    ["Tenant\nJiwoo Park, Unit 4B", ["Jiwoo Park"]],
  ])("%s", (text, names) => {
    expect(people(text)).toEqual(names);
  });
});
