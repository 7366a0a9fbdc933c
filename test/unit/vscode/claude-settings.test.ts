import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claudeSettingsPath, ClaudeSettingsError, withKiroEnv } from '../../../src/vscode/claude-settings.ts';

test('adds the two env keys and keeps everything else', () => {
  const current = JSON.stringify({ model: 'opus', env: { FOO: '1' }, permissions: { allow: ['Bash'] } });
  const { text, changed } = withKiroEnv(current, 'http://127.0.0.1:8080', 'kp-x');
  assert.equal(changed, true);
  assert.deepEqual(JSON.parse(text), {
    model: 'opus',
    env: { FOO: '1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:8080', ANTHROPIC_AUTH_TOKEN: 'kp-x' },
    permissions: { allow: ['Bash'] },
  });
});

test('a missing file becomes a minimal settings file', () => {
  assert.deepEqual(JSON.parse(withKiroEnv(undefined, 'http://h:1', 't').text), { env: { ANTHROPIC_BASE_URL: 'http://h:1', ANTHROPIC_AUTH_TOKEN: 't' } });
});

test('reports no change when already configured', () => {
  const first = withKiroEnv('{}', 'http://h:1', 't').text;
  assert.equal(withKiroEnv(first, 'http://h:1', 't').changed, false);
});

test('refuses to replace a file it cannot understand', () => {
  assert.throws(() => withKiroEnv('{ // comment\n}', 'u', 't'), ClaudeSettingsError);
  assert.throws(() => withKiroEnv('[1]', 'u', 't'), ClaudeSettingsError);
  assert.throws(() => withKiroEnv('{"env": "x"}', 'u', 't'), ClaudeSettingsError);
});

test('honours CLAUDE_CONFIG_DIR', () => {
  assert.equal(claudeSettingsPath({ CLAUDE_CONFIG_DIR: '/c' }), '/c/settings.json');
});
