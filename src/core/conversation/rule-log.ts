// Records which normaliser rules fired (for the request log) and says why at debug level.
import type { Logger } from '../proxy-types.ts';

export interface RuleLog {
  fire(rule: string, what: string): void;
  /** Names of the rules that fired, each once, in first-fired order. */
  names(): string[];
}

export function createRuleLog(logger?: Logger): RuleLog {
  const fired: string[] = [];
  return {
    fire(rule, what) {
      if (!fired.includes(rule)) fired.push(rule);
      logger?.debug(`normaliser rule ${rule}: ${what}`);
    },
    names: () => [...fired],
  };
}
