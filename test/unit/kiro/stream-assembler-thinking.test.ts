import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, run, textEv } from './stream-assembler-helpers.ts';

const RAW = '<thinking>\nI should say hi. Note the tag `</thinking>` in code.</thinking>\n\nHello there!';

test('<thinking> at the start becomes thinking deltas; text after the real close tag is text', () => {
  const f = fold(run([textEv(RAW)], { thinkingTags: true }));
  assert.equal(f.thinking, 'I should say hi. Note the tag `</thinking>` in code.');
  assert.equal(f.text, 'Hello there!');
});

test('thinking tags split across deltas at every position parse the same', () => {
  for (let i = 1; i < RAW.length; i++) {
    for (const j of [i + 1, i + 3, RAW.length]) {
      const parts = [RAW.slice(0, i), RAW.slice(i, j), RAW.slice(j)].filter((p) => p !== '');
      const f = fold(run(parts.map(textEv), { thinkingTags: true }));
      assert.equal(f.thinking, 'I should say hi. Note the tag `</thinking>` in code.', `split at ${i}/${j}`);
      assert.equal(f.text, 'Hello there!', `split at ${i}/${j}`);
    }
  }
});

test('one char at a time', () => {
  const f = fold(run([...RAW].map(textEv), { thinkingTags: true }));
  assert.equal(f.text, 'Hello there!');
});

test('a close tag not followed by a blank line stays inside the thinking', () => {
  const f = fold(run([textEv('<thinking>the "</thinking>" tag and </thinking> inline</thinking>\n\nDone')], { thinkingTags: true }));
  assert.equal(f.thinking, 'the "</thinking>" tag and </thinking> inline');
  assert.equal(f.text, 'Done');
});

test('a close tag at the very end of the stream closes the thinking', () => {
  const f = fold(run([textEv('<thinking>only thoughts</thinking>')], { thinkingTags: true }));
  assert.equal(f.thinking, 'only thoughts');
  assert.equal(f.text, '');
});

test('thinking tags later in the text, or with tag parsing off, are plain text', () => {
  const later = 'Sure. <thinking>not at start</thinking>\n\nok';
  assert.equal(fold(run([textEv(later)], { thinkingTags: true })).text, later);
  assert.equal(fold(run([textEv(RAW)], { thinkingTags: false })).text, RAW);
});

test('text that merely starts like the tag is released once it diverges', () => {
  const events = run([textEv('<thi'), textEv('s is html>')], { thinkingTags: true });
  assert.equal(fold(events).text, '<this is html>');
  assert.equal(fold(run([textEv('  \n')], { thinkingTags: true })).text, '  \n');
});

test('thinking still open when a tool call starts is closed by it', () => {
  const f = fold(
    run([textEv('<thinking>plan'), { type: 'toolUse', toolUseId: 't', name: 'Read', input: '{}', stop: true }, textEv('after')], { thinkingTags: true }),
  );
  assert.equal(f.thinking, 'plan');
  assert.equal(f.text, 'after');
  assert.equal(f.calls.length, 1);
});
