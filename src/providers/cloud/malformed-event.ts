/** An upstream event that is no chat completion chunk: its framing, its JSON or its shape is wrong. */
export class MalformedEventError extends Error {
  constructor(detail: string) {
    super(`The upstream sent a malformed event: ${detail}`);
    this.name = "MalformedEventError";
  }
}
