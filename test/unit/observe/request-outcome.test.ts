// One classification of request outcomes for every view: a client that leaves is its own
// outcome (499), never an error; 4xx and 5xx are errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLIENT_CLOSED_STATUS,
  ClientClosedError,
  emptyTally,
  isClientClosed,
  isErrorStatus,
  markClientClosed,
  outcomeOf,
  tallyStatus,
} from '../../../src/core/observe/request-outcome.ts';
import { monitorSeries } from '../../../src/core/admin/monitor-series.ts';
import type { RequestLogEntry } from '../../../src/core/proxy-types.ts';

test('outcomes by status: 2xx ok, 499 client closed, other 4xx client error, 5xx and 0 error', () => {
  assert.equal(outcomeOf(200), 'ok');
  assert.equal(outcomeOf(CLIENT_CLOSED_STATUS), 'client_closed');
  assert.equal(outcomeOf(400), 'client_error');
  assert.equal(outcomeOf(429), 'client_error');
  assert.equal(outcomeOf(502), 'error');
  assert.equal(outcomeOf(0), 'error');
  assert.equal(isErrorStatus(499), false);
  assert.equal(isErrorStatus(404), true);
  assert.equal(isErrorStatus(503), true);
});

test('a tally counts aborts apart from errors', () => {
  const t = emptyTally();
  for (const s of [200, 499, 499, 400, 502, 200]) tallyStatus(t, s);
  assert.deepEqual(t, { requests: 6, errors: 2, aborted: 2 });
});

test('markClientClosed keeps the account and says 499 with a readable reason', () => {
  const log: RequestLogEntry = { id: 'r', time: 0, method: 'POST', route: '/v1/messages', status: 200, durationMs: 1, stream: true, accountId: 'acct' };
  markClientClosed(log);
  assert.equal(log.status, 499);
  assert.equal(log.errorClass, 'client_closed_request');
  assert.match(log.errorMessage ?? '', /client closed/);
  assert.equal(log.accountId, 'acct');
});

test('ClientClosedError is recognised and is not an AbortError or a ProxyError', () => {
  const e = new ClientClosedError();
  assert.ok(isClientClosed(e));
  assert.equal(isClientClosed(new Error('client disconnected')), false);
  assert.notEqual(e.name, 'AbortError');
});

test('the Monitor series counts aborted requests apart from errors', () => {
  const now = 1_800_000_030_000; // mid-bucket
  const entry = (status: number): RequestLogEntry => ({
    id: String(Math.random()),
    time: now - 1000,
    method: 'POST',
    route: '/v1/messages',
    status,
    durationMs: 10,
    stream: true,
  });
  const s = monitorSeries([entry(200), entry(499), entry(500), entry(400)], now);
  assert.deepEqual({ requests: s.totals.requests, errors: s.totals.errors, aborted: s.totals.aborted }, { requests: 4, errors: 2, aborted: 1 });
  const last = s.buckets[s.buckets.length - 1]!;
  assert.deepEqual({ errors: last.errors, aborted: last.aborted }, { errors: 2, aborted: 1 });
});
