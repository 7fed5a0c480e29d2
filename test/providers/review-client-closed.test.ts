/** One definition of the 499 client_closed_request error, whichever module a caller imports it from. */
import { APIUserAbortError } from "openai";
import { describe, expect, it } from "vitest";
import * as errors from "../../src/errors.js";
import * as upstream from "../../src/providers/cloud/upstream-errors.js";

describe("review: client_closed_request", () => {
  it("has one source of truth", () => {
    expect(upstream.clientClosed).toBe(errors.clientClosed);
    expect("CLIENT_CLOSED_STATUS" in upstream).toBe(false);
    expect(upstream.mapUpstreamError(new APIUserAbortError(), "p").toJSON()).toEqual(errors.clientClosed().toJSON());
  });
});
