import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasToolNames } from '../../../../src/core/conversation/rules/alias-tool-names.ts';
import { clientToolName } from '../../../../src/core/conversation/tool-names.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

const LONG = 'mcp__claude_ai_Atlassian_Rovo__getConfluencePageDescendantsWithExtraMetadata';

test('alias-tool-names aliases declarations and history calls and maps them back', () => {
  const log = ruleLog();
  const { draft: d, toolNames } = aliasToolNames(
    draft(
      [
        turn('assistant', {
          toolUses: [
            { id: 'a', name: LONG, input: {} },
            { id: 'b', name: 'my.tool', input: {} },
          ],
        }),
      ],
      {
        tools: [LONG, 'my.tool', 'Read'].map((name) => ({ name, description: 'd', schema: {} })),
      },
    ),
    log,
  );
  const [long, dotted, read] = d.tools.map((t) => t.name);
  assert.ok(long!.length <= 64 && /^[A-Za-z0-9_-]+$/.test(long!) && long!.startsWith('mcp__claude_ai_Atlassian'));
  assert.match(dotted!, /^my_tool_[0-9a-f]{8}$/);
  assert.equal(read, 'Read');
  assert.deepEqual(
    d.turns[0]!.toolUses.map((u) => u.name),
    [long, dotted],
  );
  assert.equal(clientToolName(toolNames, long!), LONG);
  assert.equal(clientToolName(toolNames, 'Read'), 'Read');
  assert.deepEqual(log.names(), ['alias-tool-names']);
});

test('alias-tool-names is deterministic and collision-free for names sharing a long prefix', () => {
  const a = `${'x'.repeat(70)}_alpha`;
  const b = `${'x'.repeat(70)}_beta`;
  const run = () =>
    aliasToolNames(draft([], { tools: [a, b].map((name) => ({ name, description: 'd', schema: {} })) }), ruleLog()).draft.tools.map((t) => t.name);
  const first = run();
  assert.deepEqual(run(), first);
  assert.notEqual(first[0], first[1]);
});
