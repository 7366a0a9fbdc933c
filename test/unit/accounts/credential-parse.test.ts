import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCredentialDocument, normaliseAuthMethod } from '../../../src/core/accounts/credentials/credential-parse.ts';
import { parseExpiresAt } from '../../../src/core/accounts/credentials/expires-at.ts';
import { RT, AT, CLIENT_SECRET, assertNoSecrets } from './fixtures.ts';

const SRC = '/x/creds.json';
const errors = (r: ReturnType<typeof parseCredentialDocument>) => r.problems.filter((p) => p.severity === 'error');

describe('expiresAt parsing', () => {
  test('IDE form, 9 fractional digits with +00:00, offsets, epoch seconds and ms', () => {
    assert.equal(parseExpiresAt('2025-12-31T02:32:45.144Z'), Date.UTC(2025, 11, 31, 2, 32, 45, 144));
    assert.equal(parseExpiresAt('2026-01-23T15:55:14.153942900+00:00'), Date.UTC(2026, 0, 23, 15, 55, 14, 153));
    assert.equal(parseExpiresAt('2026-01-23T17:55:14+02:00'), Date.UTC(2026, 0, 23, 15, 55, 14));
    assert.equal(parseExpiresAt('2026-01-23 15:55:14.5'), Date.UTC(2026, 0, 23, 15, 55, 14, 500));
    assert.equal(parseExpiresAt(1767148365), 1767148365000);
    assert.equal(parseExpiresAt('1767148365144'), 1767148365144);
    assert.equal(parseExpiresAt('tomorrow'), undefined);
    assert.equal(parseExpiresAt(null), undefined);
  });
});

describe('authMethod spellings', () => {
  test('case and tool variants fold into our kinds', () => {
    for (const v of ['idc', 'IdC', 'IDC', 'builder-id', 'iam', 'IAM_SSO']) assert.equal(normaliseAuthMethod(v), 'idc', v);
    assert.equal(normaliseAuthMethod('Social'), 'social');
    assert.equal(normaliseAuthMethod('external_idp'), 'external_idp');
    assert.equal(normaliseAuthMethod('api_key'), 'api_key');
    assert.equal(normaliseAuthMethod('password'), undefined);
  });
});

describe('creds file: Kiro token-file form', () => {
  test('a single social object', () => {
    const r = parseCredentialDocument(
      {
        accessToken: AT,
        refreshToken: RT,
        expiresAt: '2026-01-23T15:55:14.153942900+00:00',
        authMethod: 'social',
        provider: 'Github',
        profileArn: 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK',
      },
      SRC,
    );
    assert.deepEqual(r.problems, []);
    assert.equal(r.entries.length, 1);
    assert.equal(r.entries[0]!.index, null);
    assert.deepEqual(r.entries[0]!.credential, {
      kind: 'social',
      accessToken: AT,
      refreshToken: RT,
      expiresAt: Date.UTC(2026, 0, 23, 15, 55, 14, 153),
      profileArn: 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK',
      region: 'us-east-1',
      provider: 'Github',
    });
  });

  test('IdC: region is the OIDC region, client registration kept', () => {
    const r = parseCredentialDocument(
      [{ refreshToken: RT, authMethod: 'IdC', provider: 'Enterprise', region: 'ap-southeast-2', clientId: 'cid', clientSecret: CLIENT_SECRET }],
      SRC,
    );
    assert.deepEqual(r.problems, []);
    const c = r.entries[0]!.credential;
    assert.equal(c.kind, 'idc');
    assert.equal(c.oidcRegion, 'ap-southeast-2');
    assert.equal(c.region, undefined);
    assert.equal(r.entries[0]!.index, 0);
  });

  test('ksk_ keys become api_key credentials, in any of the usual spellings', () => {
    const r = parseCredentialDocument([{ apiKey: 'ksk_abcdef123456' }, { accessToken: 'ksk_zzzzzz999999', authMethod: 'social' }, 'ksk_bare_string_key'], SRC);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.entries.map((e) => [e.credential.kind, e.credential.accessToken, e.credential.refreshToken]),
      [
        ['api_key', 'ksk_abcdef123456', undefined],
        ['api_key', 'ksk_zzzzzz999999', undefined],
        ['api_key', 'ksk_bare_string_key', undefined],
      ],
    );
  });

  test('missing authMethod is inferred from provider or client registration', () => {
    const r = parseCredentialDocument(
      [
        { refreshToken: RT, provider: 'Google' },
        { refreshToken: RT, clientId: 'c', clientSecret: CLIENT_SECRET },
      ],
      SRC,
    );
    assert.deepEqual(
      r.entries.map((e) => e.credential.kind),
      ['social', 'idc'],
    );
  });
});

describe('creds file: OAuth form', () => {
  test('snake_case object with scope', () => {
    const r = parseCredentialDocument(
      { client_id: 'my-client', client_secret: CLIENT_SECRET, token_url: 'https://auth.example.com/oauth/token', refresh_token: RT, scope: 'api.access' },
      SRC,
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.entries[0]!.credential, {
      kind: 'oauth',
      clientId: 'my-client',
      clientSecret: CLIENT_SECRET,
      tokenUrl: 'https://auth.example.com/oauth/token',
      refreshToken: RT,
      scope: 'api.access',
    });
  });

  test('mixed array of both forms keeps positions', () => {
    const r = parseCredentialDocument(
      [
        { refreshToken: RT, authMethod: 'social' },
        { client_id: 'c', client_secret: 's', token_url: 'http://127.0.0.1:1/t', refresh_token: RT },
      ],
      SRC,
    );
    assert.deepEqual(
      r.entries.map((e) => [e.index, e.credential.kind]),
      [
        [0, 'social'],
        [1, 'oauth'],
      ],
    );
  });
});

describe('broken input becomes problems that name file and field, never tokens', () => {
  test('missing and mistyped fields', () => {
    const r = parseCredentialDocument(
      [
        { refreshToken: RT, authMethod: 'social' },
        { accessToken: AT, authMethod: 'social' },
        { refreshToken: 12345, authMethod: 'IdC' },
        { client_id: 'c', refresh_token: RT },
        { client_id: 'c', token_url: 'not a url', refresh_token: RT, client_secret: CLIENT_SECRET },
        { refreshToken: RT, authMethod: 'password' },
        42,
      ],
      SRC,
    );
    assert.equal(r.entries.length, 1);
    const messages = errors(r).map((p) => p.message);
    assert.deepEqual(messages, [
      '/x/creds.json: [1].refreshToken: required',
      '/x/creds.json: [2].refreshToken: must be a string',
      '/x/creds.json: [3].token_url: required',
      '/x/creds.json: [4].token_url: must be an http(s) URL',
      '/x/creds.json: [5].authMethod: unknown value (expected social, IdC, builder-id, iam, external_idp or api_key)',
      '/x/creds.json: [6]: expected a JSON object',
    ]);
    assert.deepEqual(
      errors(r).map((p) => p.field),
      ['[1].refreshToken', '[2].refreshToken', '[3].token_url', '[4].token_url', '[5].authMethod', '[6]'],
    );
    for (const p of r.problems) {
      assert.equal(p.source, SRC);
      assertNoSecrets(p.message);
    }
  });

  test('a lone object is addressed without an index; an empty array is reported', () => {
    assert.equal(errors(parseCredentialDocument({ authMethod: 'social' }, SRC))[0]!.message, '/x/creds.json: refreshToken: required');
    assert.equal(errors(parseCredentialDocument([], SRC))[0]!.message, '/x/creds.json: contains an empty array, no credentials');
  });

  test('truncated refresh tokens load with a warning', () => {
    const r = parseCredentialDocument(
      [
        { refreshToken: 'aorShort', authMethod: 'social' },
        { refreshToken: `${RT.slice(0, 120)}...`, authMethod: 'social' },
      ],
      SRC,
    );
    assert.equal(r.entries.length, 2);
    assert.deepEqual(
      r.problems.map((p) => [p.severity, p.field]),
      [
        ['warning', '[0].refreshToken'],
        ['warning', '[1].refreshToken'],
      ],
    );
    assert.match(r.problems[0]!.message, /looks truncated \(8 characters\)/);
    assert.match(r.problems[1]!.message, /contains "\.\.\."/);
    for (const p of r.problems) assertNoSecrets(p.message, ['aorShort']);
  });

  test('IdC without client registration and an unreadable date are warnings', () => {
    const r = parseCredentialDocument({ refreshToken: RT, authMethod: 'idc', expiresAt: 'soonish' }, SRC);
    assert.equal(r.entries.length, 1);
    assert.equal(r.entries[0]!.credential.expiresAt, undefined);
    assert.deepEqual(
      r.problems.map((p) => [p.severity, p.field]),
      [
        ['warning', 'expiresAt'],
        ['warning', 'clientId'],
      ],
    );
  });
});
