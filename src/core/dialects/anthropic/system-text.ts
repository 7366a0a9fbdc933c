// System text: Anthropic's `system` (string or text blocks) plus any `role:"system"` messages
// Claude Code puts inside messages[] — all joined, minus Claude Code's billing pseudo-header.
import * as z from 'zod';
import { fieldError, parseAt } from '../shared/validate.ts';
import { anyBlock, textBlock } from './schema.ts';
import type { FieldPath } from '../shared/field-path.ts';

const BILLING_PREFIX = 'x-anthropic-billing-header:';

/**
 * Drops Claude Code's `x-anthropic-billing-header: …` line. It is accounting metadata for
 * Anthropic's servers, not instructions, and it changes every request (defeats caching).
 */
export function stripBillingHeader(text: string): string {
  if (!text.includes(BILLING_PREFIX)) return text;
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith(BILLING_PREFIX))
    .join('\n')
    .trim();
}

/** Text of a `system` value or a system message's content; only text blocks are allowed. */
export function systemParts(value: unknown, path: FieldPath): string[] {
  if (typeof value === 'string') return [stripBillingHeader(value)].filter((t) => t.length > 0);
  const blocks = parseAt(z.array(anyBlock), value, path, 'dot');
  const out: string[] = [];
  blocks.forEach((b, i) => {
    if (b.type !== 'text') throw fieldError([...path, i, 'type'], 'dot', `only text blocks are allowed in system content, got '${b.type}'`);
    const text = stripBillingHeader(parseAt(textBlock, b, [...path, i], 'dot').text);
    if (text) out.push(text);
  });
  return out;
}
