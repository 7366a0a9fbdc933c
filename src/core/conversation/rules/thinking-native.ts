// Native reasoning (protocol §5.9.2): newer Claude models take `additionalModelRequestFields`.
// Budgets have no native equivalent, so "enabled" maps to adaptive thinking without an effort;
// `output_config` is only sent with adaptive thinking (KRS2 found it rejected otherwise).
import type { Thinking } from '../types.ts';

export function nativeThinkingFields(thinking: Thinking): Record<string, unknown> {
  return thinking.type === 'adaptive'
    ? { thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: thinking.effort } }
    : { thinking: { type: 'adaptive', display: 'summarized' } };
}
