import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  GENERATE_TARGET,
  generateAssistantResponseHeaders,
  isValidProfileArn,
  machineIdFor,
  normalizeMachineId,
  regionFromProfileArn,
  runtimeQueryHeaders,
} from '../../../src/core/kiro/request-headers.ts';
import type { KiroAccountContext } from '../../../src/core/kiro/types.ts';

const TOKEN = 'aoa' + 'AAAAAGkSecretAccessTokenValue0123456789abcdefghijklmnop';
const ARN = 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK';
const account = (over: Partial<KiroAccountContext> = {}): KiroAccountContext => ({
  accessToken: TOKEN,
  profileArn: ARN,
  machineId: machineIdFor('refresh-token-of-account-a'),
  region: 'us-east-1',
  ...over,
});
const identity = { kiroVersion: '0.11.107', sdkVersion: '1.0.34', nodeVersion: '22.22.0', os: 'linux#6.1.0' };

describe('generateAssistantResponse headers', () => {
  test('REST (IDE) style', () => {
    const acc = account();
    const h = generateAssistantResponseHeaders(acc, { style: 'rest', identity, invocationId: 'fixed-id' });
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['x-amz-target'], undefined);
    assert.equal(h['authorization'], `Bearer ${TOKEN}`);
    assert.equal(h['x-amzn-codewhisperer-optout'], 'true');
    assert.equal(h['x-amzn-kiro-agent-mode'], 'vibe');
    assert.equal(h['x-amz-user-agent'], `aws-sdk-js/1.0.34 KiroIDE-0.11.107-${acc.machineId}`);
    assert.equal(
      h['user-agent'],
      `aws-sdk-js/1.0.34 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.22.0 api/codewhispererstreaming#1.0.34 m/E KiroIDE-0.11.107-${acc.machineId}`,
    );
    assert.equal(h['amz-sdk-invocation-id'], 'fixed-id');
    assert.equal(h['amz-sdk-request'], 'attempt=1; max=3');
    assert.equal(h['tokentype'], undefined);
  });

  test('awsJson (CLI) style adds the target and its content type', () => {
    const h = generateAssistantResponseHeaders(account(), { style: 'awsjson', identity, attempt: 2, maxAttempts: 4 });
    assert.equal(h['content-type'], 'application/x-amz-json-1.0');
    assert.equal(h['x-amz-target'], GENERATE_TARGET);
    assert.equal(GENERATE_TARGET, 'AmazonCodeWhispererStreamingService.GenerateAssistantResponse');
    assert.equal(h['amz-sdk-request'], 'attempt=2; max=4');
  });

  test('a fresh invocation id per call', () => {
    const a = generateAssistantResponseHeaders(account(), { style: 'rest' })['amz-sdk-invocation-id'];
    const b = generateAssistantResponseHeaders(account(), { style: 'rest' })['amz-sdk-invocation-id'];
    assert.match(a!, /^[0-9a-f-]{36}$/);
    assert.notEqual(a, b);
  });

  test('ksk_ API keys send tokentype API_KEY even when the account does not say so', () => {
    const h = generateAssistantResponseHeaders(account({ accessToken: 'ksk_abcdefghijklmnopqrstuvwxyz' }), { style: 'rest' });
    assert.equal(h['tokentype'], 'API_KEY');
    assert.equal(h['authorization'], 'Bearer ksk_abcdefghijklmnopqrstuvwxyz');
  });

  test('external IdP tokens send TokenType EXTERNAL_IDP', () => {
    const h = generateAssistantResponseHeaders(account({ tokenType: 'EXTERNAL_IDP' }), { style: 'rest' });
    assert.equal(h['tokentype'], 'EXTERNAL_IDP');
  });

  test('the token appears only in authorization', () => {
    for (const h of [
      generateAssistantResponseHeaders(account(), { style: 'rest' }),
      generateAssistantResponseHeaders(account(), { style: 'awsjson' }),
      runtimeQueryHeaders(account(), { profileArnHeader: true }),
    ]) {
      const leaking = Object.entries(h).filter(([k, v]) => k !== 'authorization' && v.includes(TOKEN.slice(0, 20)));
      assert.deepEqual(leaking, []);
    }
  });

  test('query headers (getUsageLimits / ListAvailableModels)', () => {
    const h = runtimeQueryHeaders(account(), { identity, profileArnHeader: true });
    assert.equal(h['accept'], 'application/json');
    assert.equal(h['x-amzn-kiro-profile-arn'], ARN);
    assert.equal(h['amz-sdk-request'], 'attempt=1; max=1');
    assert.match(h['user-agent']!, /api\/codewhispererruntime#1\.0\.34 m\/N,E KiroIDE-/);
    assert.equal(runtimeQueryHeaders(account())['x-amzn-kiro-profile-arn'], undefined);
  });
});

describe('machine id', () => {
  test('64 lowercase hex, stable per seed, different across seeds', () => {
    const a = machineIdFor('seed-a');
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(machineIdFor('seed-a'), a);
    assert.notEqual(machineIdFor('seed-b'), a);
  });

  test('is namespaced: not the plain sha256 of the seed', async () => {
    const { createHash } = await import('node:crypto');
    assert.notEqual(machineIdFor('seed-a'), createHash('sha256').update('seed-a').digest('hex'));
  });

  test('normalizes configured values', () => {
    const hex = 'A'.repeat(64);
    assert.equal(normalizeMachineId(hex), 'a'.repeat(64));
    assert.equal(normalizeMachineId('2582956e-cc88-4669-b546-07adbffcb894'), '2582956ecc884669b54607adbffcb894'.repeat(2));
    assert.equal(normalizeMachineId('whatever'), machineIdFor('whatever'));
  });

  test('a malformed account machine id still yields a 64-hex user agent suffix', () => {
    const h = generateAssistantResponseHeaders(account({ machineId: 'not-hex' }), { style: 'rest' });
    assert.match(h['x-amz-user-agent']!, /KiroIDE-[\d.]+-[0-9a-f]{64}$/);
  });
});

describe('profile ARN helpers', () => {
  test('region is the 4th segment', () => {
    assert.equal(regionFromProfileArn(ARN), 'us-east-1');
    assert.equal(regionFromProfileArn('arn:aws:codewhisperer:eu-central-1:610548660232:profile/VNECVYCYYAWN'), 'eu-central-1');
    assert.equal(regionFromProfileArn('not an arn'), undefined);
    assert.equal(regionFromProfileArn('arn:aws:codewhisperer::1:profile/x'), undefined);
  });

  test('syntax check', () => {
    assert.equal(isValidProfileArn(ARN), true);
    assert.equal(isValidProfileArn('arn:aws:codewhisperer:us-east-1:638616132270:profile/AAAACCCCXXXX'), true);
    assert.equal(isValidProfileArn('arn:aws:codewhisperer:us-east-1:000000000000:profile/default'), false);
    assert.equal(isValidProfileArn('arn:aws:codewhisperer:us-east-1:...'), false);
    assert.equal(isValidProfileArn('arn:aws:s3:us-east-1:699475941385:profile/EHGA3GRVQMUK'), false);
    assert.equal(isValidProfileArn(''), false);
  });
});
