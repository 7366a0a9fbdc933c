// Reasoning effort words differ per API; the neutral scale is low | medium | high | max.
import type { Thinking } from '../../conversation/types.ts';

type Effort = Extract<Thinking, { type: 'adaptive' }>['effort'];

/**
 * Maps a client effort word. `minimal` rounds up to low (Kiro has nothing lower); `xhigh`
 * (above high, below max in the newest APIs) rounds up to max; `none` means no thinking.
 */
export function toEffort(word: string | null | undefined): Effort | 'none' | undefined {
  switch (word) {
    case 'none':
      return 'none';
    case 'minimal':
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
      return 'high';
    case 'xhigh':
    case 'max':
      return 'max';
    default:
      return undefined;
  }
}
