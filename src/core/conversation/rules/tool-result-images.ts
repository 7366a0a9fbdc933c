// Rule tool-result-images: Kiro tool results carry only text/json; images a tool returned
// (screenshots…) go on the user message that carries the result, as peers do.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export function toolResultImages(d: Draft, log: RuleLog): Draft {
  let moved = 0;
  const turns = d.turns.map((t) => {
    const images = t.toolResults.flatMap((r) => r.images);
    if (images.length === 0) return t;
    moved += images.length;
    return { ...t, images: [...t.images, ...images], toolResults: t.toolResults.map((r) => ({ ...r, images: [] })) };
  });
  if (moved === 0) return d;
  log.fire('tool-result-images', `moved ${moved} image(s) from tool results onto their user messages`);
  return { ...d, turns };
}
