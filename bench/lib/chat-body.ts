/**
 * The request every overhead measurement sends: a realistic support-style conversation whose JSON
 * body is about 1 KB, identical for every target except the `model` each one routes by.
 */
const messages = [
  {
    role: "system",
    content:
      "You are a concise assistant for an online hardware store. Answer in at most three sentences, cite the order number when the customer gives one, and never invent stock levels or delivery dates. If you are unsure, say so and offer to open a support ticket.",
  },
  { role: "user", content: "Hi, I ordered a 27-inch monitor last Tuesday (order 48213) and the tracking page still says 'label created'. Is that normal?" },
  {
    role: "assistant",
    content:
      "Thanks for the order number. A 'label created' status usually means the parcel is packed and waiting for the carrier's first scan, which can take one to two working days after dispatch.",
  },
  {
    role: "user",
    content:
      "It has been four working days now. I need the monitor for a new job starting on Monday. Can you check whether it actually left the warehouse, and if not, could you switch it to express shipping at no extra cost? Thanks!",
  },
];

export function chatBody(model: string, stream: boolean): Buffer {
  return Buffer.from(JSON.stringify({ model, messages, temperature: 0.2, max_tokens: 200, stream }));
}
