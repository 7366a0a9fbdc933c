// The pre-flight normaliser: turns any legal client conversation into a GenerateAssistantResponse
// body Kiro accepts. Each repair is a named rule (rules/*.ts); the order below matters and is
// explained inline. Throws ProxyError(invalid_request) only for what cannot be repaired.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../proxy-types.ts';
import type { KiroRequestBody } from '../kiro/wire.ts';
import type { NeutralRequest } from './types.ts';
import type { Draft } from './draft.ts';
import { createRuleLog, type RuleLog } from './rule-log.ts';
import type { ToolNameMap } from './tool-names.ts';
import { toDraft } from './to-draft.ts';
import { toKiro } from './to-kiro.ts';
import { stripBillingHeader } from './rules/strip-billing-header.ts';
import { toolResultImages } from './rules/tool-result-images.ts';
import { misplacedToolBlocks } from './rules/misplaced-tool-blocks.ts';
import { wrapToolInput } from './rules/wrap-tool-input.ts';
import { namelessToolUse } from './rules/nameless-tool-use.ts';
import { dropEmptyTurns } from './rules/drop-empty-turns.ts';
import { mergeSameRole } from './rules/merge-same-role.ts';
import { leadingUser } from './rules/leading-user.ts';
import { prefill } from './rules/prefill.ts';
import { noToolsDeclared } from './rules/no-tools-declared.ts';
import { dedupeToolIds } from './rules/dedupe-tool-ids.ts';
import { orphanToolResults } from './rules/orphan-tool-results.ts';
import { unansweredToolUses } from './rules/unanswered-tool-uses.ts';
import { dedupeToolDeclarations } from './rules/dedupe-tool-declarations.ts';
import { undeclaredToolPlaceholder } from './rules/undeclared-tool-placeholder.ts';
import { aliasToolNames } from './rules/alias-tool-names.ts';
import { emptyToolDescription } from './rules/empty-tool-description.ts';
import { longToolDescription } from './rules/long-tool-description.ts';
import { cleanToolSchemas } from './rules/clean-tool-schema.ts';
import { thinkingHistory } from './rules/thinking-history.ts';
import { thinkingTags } from './rules/thinking-tags.ts';
import { nativeThinkingFields } from './rules/thinking-native.ts';
import { systemPair } from './rules/system-pair.ts';
import { emptyContentPlaceholders } from './rules/empty-content-placeholders.ts';

type ThinkingMode = 'tags' | 'native' | 'off';

export interface NormaliseOptions {
  modelId: string;
  conversationId: string;
  /** How requested thinking reaches Kiro (default `tags`). */
  thinkingMode?: ThinkingMode;
  logger?: Logger;
  maxDescriptionChars?: number;
  /** Fixed continuation id (tests); a fresh UUID otherwise. */
  agentContinuationId?: string;
}

export interface NormaliseResult {
  body: KiroRequestBody;
  toolNames: ToolNameMap;
  rules: string[];
}

type Rule = (d: Draft, log: RuleLog) => Draft;

/** Structure first (roles, alternation, current message), so pairing rules see final neighbours. */
const STRUCTURE: Rule[] = [
  stripBillingHeader,
  toolResultImages,
  misplacedToolBlocks,
  wrapToolInput,
  namelessToolUse,
  dropEmptyTurns,
  mergeSameRole,
  leadingUser,
  prefill,
];

/** Tool pairing, in dependency order: text-ify when no tools, unique ids, then match uses ↔ results. */
const PAIRING: Rule[] = [noToolsDeclared, dedupeToolIds, orphanToolResults, unansweredToolUses, dedupeToolDeclarations, undeclaredToolPlaceholder];

export function normalise(req: NeutralRequest, opts: NormaliseOptions): NormaliseResult {
  const log = createRuleLog(opts.logger);
  const mode = opts.thinkingMode ?? 'tags';
  let d = toDraft(req);
  for (const rule of [...STRUCTURE, ...PAIRING]) d = rule(d, log);

  // Declarations: alias after placeholders exist (they may need aliases too) and before the
  // description move (its `## Tool:` heading must use the name the model sees).
  const aliased = aliasToolNames(d, log);
  d = aliased.draft;
  d = emptyToolDescription(d, log);
  d = longToolDescription(d, log, opts.maxDescriptionChars);
  d = cleanToolSchemas(d, log);

  // Text last: thinking, then the system pair (it carries tags and tool docs), then fillers.
  d = thinkingHistory(d, log);
  if (mode === 'tags') d = thinkingTags(d, log);
  d = systemPair(d, log);
  d = emptyContentPlaceholders(d, log);

  const body = toKiro(d, {
    modelId: opts.modelId,
    conversationId: opts.conversationId,
    agentContinuationId: opts.agentContinuationId ?? randomUUID(),
    additionalModelRequestFields: mode === 'native' && d.thinking ? nativeThinkingFields(d.thinking) : undefined,
  });
  return { body, toolNames: aliased.toolNames, rules: log.names() };
}
