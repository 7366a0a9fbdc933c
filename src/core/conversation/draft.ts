// The normaliser's working copy of a conversation. Rules rewrite it step by step; only the last
// step (to-kiro.ts) produces wire shapes, so every rule reasons about one simple structure.
import type { ImageFormat, Thinking } from './types.ts';

export interface DraftImage {
  format: ImageFormat;
  /** Canonical, padded base64. */
  bytes: string;
}

export interface DraftToolUse {
  id: string;
  name: string;
  /** Whatever the client sent; `wrap-tool-input` makes it an object. */
  input: unknown;
}

export interface DraftToolResult {
  toolUseId: string;
  text: string;
  isError: boolean;
  images: DraftImage[];
}

export interface DraftTurn {
  role: 'user' | 'assistant';
  text: string;
  /** Prior reasoning (assistant turns). */
  thinking: string;
  toolUses: DraftToolUse[];
  toolResults: DraftToolResult[];
  images: DraftImage[];
}

export interface DraftTool {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

export interface Draft {
  system: string;
  turns: DraftTurn[];
  tools: DraftTool[];
  thinking: Thinking | undefined;
}

export function turn(role: DraftTurn['role'], fields: Partial<Omit<DraftTurn, 'role'>> = {}): DraftTurn {
  return { role, text: '', thinking: '', toolUses: [], toolResults: [], images: [], ...fields };
}

/** Joins non-blank parts with a blank line, the separator peers use when merging turns. */
export function joinText(...parts: string[]): string {
  return parts.filter((p) => p.trim() !== '').join('\n\n');
}

export function isBlank(s: string): boolean {
  return s.trim() === '';
}
