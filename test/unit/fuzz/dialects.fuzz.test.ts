// Each dialect's parseRequest on arbitrary JSON-ish bodies: a NeutralRequest or a clean
// ProxyError(invalid_request); every parsed request then normalises into a body the strict mock
// accepts, or is refused cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DialectName } from '../../../src/core/conversation/types.ts';
import { checkDialect, dialectBody, fuzzRuns, type DialectOutcome } from './properties.ts';

for (const name of ['anthropic', 'openai-chat', 'openai-responses'] as DialectName[]) {
  test(`${name}: any body parses into a valid Kiro request or a clean 400`, { timeout: 60_000 }, () => {
    const seen: Record<DialectOutcome, number> = { parsed: 0, refused: 0, 'normalise-refused': 0 };
    fc.assert(
      fc.property(dialectBody(name), (body) => {
        seen[checkDialect(name, body)]++;
      }),
      { numRuns: fuzzRuns(2000) },
    );
    // The generators must reach the normaliser often, or the property proves little.
    assert.ok(seen.parsed > 0, `no generated ${name} body parsed: ${JSON.stringify(seen)}`);
  });
}
