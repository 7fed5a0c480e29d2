import type { Entity } from "./entity.js";

/**
 * Overlapping findings become one span covering them all, typed after the most confident finding
 * (the longer one on a tie). Keeping the union rather than the winner alone matters for privacy: an
 * email inside a URL must not leave the rest of the URL behind in clear text.
 */
export function resolveOverlaps(entities: Entity[]): Entity[] {
  if (entities.length < 2) return entities;
  entities.sort((a, b) => a.start - b.start || b.end - a.end);
  const resolved: Entity[] = [];
  let current = { ...entities[0]! };
  let winner = entities[0]!;
  for (let i = 1; i < entities.length; i++) {
    const next = entities[i]!;
    if (next.start < current.end) {
      current.end = Math.max(current.end, next.end);
      if (next.score > winner.score || (next.score === winner.score && next.end - next.start > winner.end - winner.start)) {
        winner = next;
        current.type = next.type;
        current.score = next.score;
      }
      continue;
    }
    resolved.push(current);
    current = { ...next };
    winner = next;
  }
  resolved.push(current);
  return resolved;
}
