import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseDirectives } from '../../../src/core/kiro-mock/directives.ts';

describe('mock directives', () => {
  test('plain text has no step and is kept as is', () => {
    const r = parseDirectives('Hello   there');
    assert.equal(r.step, undefined);
    assert.equal(r.cleanedText, 'Hello there');
    assert.deepEqual(r.errors, []);
  });

  test('tool directive with JSON containing ]] and braces in strings', () => {
    const r = parseDirectives('Please write [[mock:tool Write {"file_path":"/tmp/x","content":"a]]b {c}"}]] now');
    assert.deepEqual(r.errors, []);
    assert.equal(r.cleanedText, 'Please write now');
    assert.deepEqual(r.step, { kind: 'stream', parts: [{ type: 'tool_use', name: 'Write', input: { file_path: '/tmp/x', content: 'a]]b {c}' } }] });
  });

  test('text, tool-dup, tool-truncated, bracket-tool keep their order and suppress the default reply', () => {
    const r = parseDirectives(
      '[[mock:text hello world]][[mock:tool-dup Read {"path":"a"}]][[mock:tool-truncated Edit {"x":1}]][[mock:bracket-tool get_weather {"city":"London"}]]',
    );
    assert.deepEqual(r.errors, []);
    assert.ok(r.step?.kind === 'stream');
    assert.deepEqual(
      r.step.parts.map((p) => p.type),
      ['text', 'tool_use', 'tool_use', 'bracket_tool'],
    );
    assert.deepEqual(r.step.parts[1], { type: 'tool_use', name: 'Read', input: { path: 'a' }, duplicate: true });
    assert.deepEqual(r.step.parts[2], { type: 'tool_use', name: 'Edit', input: { x: 1 }, truncated: true });
  });

  test('option-only directives get the default reply, before a terminal part', () => {
    const r = parseDirectives('hi [[mock:thinking-tags]] [[mock:metadata]] [[mock:delay 5]] [[mock:exception ContentLengthExceededException]]');
    assert.ok(r.step?.kind === 'stream');
    assert.deepEqual(
      r.step.parts.map((p) => p.type),
      ['thinking_tags', 'delay', 'reply', 'exception'],
    );
    assert.equal(r.step.metadata, true);
    assert.equal(r.cleanedText, 'hi');
  });

  test('status directive becomes an HTTP error with reason and retry-after', () => {
    const r = parseDirectives('[[mock:status 429 USER_REQUEST_RATE_EXCEEDED retry-after=7]]');
    assert.deepEqual(r.step, { kind: 'http_error', status: 429, reason: 'USER_REQUEST_RATE_EXCEEDED', retryAfter: '7' });
    const s = parseDirectives('[[mock:status 403 TEMPORARILY_SUSPENDED type=AccessDeniedException]]');
    assert.deepEqual(s.step, { kind: 'http_error', status: 403, reason: 'TEMPORARILY_SUSPENDED', errorType: 'AccessDeniedException' });
  });

  test('stream options', () => {
    const r = parseDirectives(
      '[[mock:first-byte-delay 20]][[mock:chunk-delay 1]][[mock:no-metering]][[mock:no-context-usage]][[mock:initial-response]][[mock:empty]]',
    );
    assert.deepEqual(r.step, {
      kind: 'stream',
      parts: [],
      firstByteDelayMs: 20,
      chunkDelayMs: 1,
      metering: false,
      contextUsage: false,
      initialResponse: true,
    });
  });

  test('bad directives are reported, not ignored', () => {
    const r = parseDirectives('[[mock:frobnicate]] [[mock:delay soon]] [[mock:tool]] [[mock:status 200]] [[mock:tool X {bad json}]]');
    assert.equal(r.errors.length, 5, r.errors.join('\n'));
  });

  test('unterminated directive is an error and stays in the text', () => {
    const r = parseDirectives('x [[mock:text oops');
    assert.deepEqual(r.errors, ['unterminated directive text']);
    assert.equal(r.step, undefined);
  });
});

test('a directive inside a JSON-quoted prompt (opencode) keeps its JSON argument', () => {
  const prompt = JSON.stringify('Write [[mock:tool write {"filePath":"/tmp/a]].txt","content":"say \\"hi\\""}]] now');
  const r = parseDirectives(prompt);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.step, { kind: 'stream', parts: [{ type: 'tool_use', name: 'write', input: { filePath: '/tmp/a]].txt', content: 'say "hi"' } }] });
});

test('an unclosed JSON argument is an error, not an empty input', () => {
  const r = parseDirectives('[[mock:tool write {"filePath":"/tmp/a"]]');
  assert.match(r.errors.join(';'), /not closed/);
});
