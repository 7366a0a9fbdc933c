// The normaliser on generated NeutralRequests: every output passes the strict mock's
// validateGenerateRequest, or the request is refused with a clean ProxyError.
import { test } from 'node:test';
import fc from 'fast-check';
import { checkNormalise, fuzzRuns, neutralRequest } from './properties.ts';

test('normaliser: any neutral request becomes a body Kiro accepts, or a clean refusal', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(neutralRequest, (req) => {
      checkNormalise(req);
    }),
    { numRuns: fuzzRuns(2000) },
  );
});
