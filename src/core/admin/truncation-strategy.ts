// One user-facing choice ("truncation strategy") for the four truncation switches of the core.
// Settings UIs (VS Code setting, quick pick, dashboard) show the name; the core sees the switches.
import type { TruncationConfig } from '../proxy-types.ts';

export const TRUNCATION_STRATEGIES = ['off', 'on-error', 'auto', 'pre-estimate', 'summarise'] as const;
export type TruncationStrategy = (typeof TRUNCATION_STRATEGIES)[number];

export const TRUNCATION_STRATEGY_INFO: Record<TruncationStrategy, { label: string; detail: string }> = {
  off: { label: 'Off', detail: 'Send requests as they are; Kiro may reject long conversations.' },
  'on-error': { label: 'Retry on error (default)', detail: 'When Kiro says the content is too long, drop the oldest turns and retry.' },
  auto: { label: 'Automatic', detail: 'Keep requests under the size limit before sending, and retry on error.' },
  'pre-estimate': { label: 'Pre-estimate tokens', detail: 'Also estimate tokens and truncate above the model context window.' },
  summarise: { label: 'Summarise dropped turns', detail: 'Like pre-estimate, and replace dropped turns by a short summary.' },
};

type Switches = Pick<TruncationConfig, 'errorRetry' | 'autoTruncate' | 'preEstimate' | 'summarise'>;

const SWITCHES: Record<TruncationStrategy, Switches> = {
  off: { errorRetry: false, autoTruncate: false, preEstimate: false, summarise: false },
  'on-error': { errorRetry: true, autoTruncate: false, preEstimate: false, summarise: false },
  auto: { errorRetry: true, autoTruncate: true, preEstimate: false, summarise: false },
  'pre-estimate': { errorRetry: true, autoTruncate: true, preEstimate: true, summarise: false },
  summarise: { errorRetry: true, autoTruncate: true, preEstimate: true, summarise: true },
};

export function truncationSwitches(strategy: TruncationStrategy): Switches {
  return { ...SWITCHES[strategy] };
}

/** The strategy whose switches are closest to `t` (the most capable one that is fully on). */
export function truncationStrategyOf(t: Switches): TruncationStrategy {
  if (t.summarise) return 'summarise';
  if (t.preEstimate) return 'pre-estimate';
  if (t.autoTruncate) return 'auto';
  if (t.errorRetry) return 'on-error';
  return 'off';
}
