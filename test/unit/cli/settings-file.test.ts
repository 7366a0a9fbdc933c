import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../../../src/cli/args.ts';
import { readSettingsFile, applySettings } from '../../../src/core/settings-file.ts';
import { createProxy } from '../../../src/core/proxy.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import type { Logger, SecretStore } from '../../../src/core/proxy-types.ts';

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const memory = (): SecretStore => {
  const m = new Map<string, string>();
  return { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v), delete: async (k) => void m.delete(k) };
};

function tmp(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'kp-settings-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('parseCli records which keys flags and env set (nested included)', () => {
  const o = parseCli(['--cooldown', '300', '--kiro-endpoint', 'http://127.0.0.1:1'], { KIRO_PROXY_STRATEGY: 'round-robin' });
  assert.ok(o.explicit.has('cooldownSeconds'), 'a flag equal to the default still counts as explicit');
  assert.ok(o.explicit.has('endpoints'));
  assert.ok(o.explicit.has('selectionStrategy'));
  assert.ok(!o.explicit.has('truncation'));
  assert.equal(o.config.endpoints.runtime, 'http://127.0.0.1:1');
});

test('config.json settings apply under explicit flags; bad fields are reported by name and skipped', async (t) => {
  const home = tmp(t);
  writeFileSync(
    join(home, 'config.json'),
    JSON.stringify({
      accounts: {},
      settings: { cooldownSeconds: 60, selectionStrategy: 'most-quota', truncation: { autoTruncate: true }, cacheTtlSeconds: -5, host: '0.0.0.0' },
    }),
  );
  const read = await readSettingsFile(home);
  assert.equal(read.problems.length, 1);
  assert.match(read.problems[0]!, /config\.json: settings\.cacheTtlSeconds/);
  const o = parseCli(['--cooldown', '120'], {});
  const config = applySettings(o.config, read.settings, o.explicit);
  assert.equal(config.cooldownSeconds, 120, 'the flag wins');
  assert.equal(config.selectionStrategy, 'most-quota');
  assert.equal(config.truncation.autoTruncate, true);
  assert.equal(config.truncation.errorRetry, true, 'other truncation defaults stay');
  assert.equal(config.host, '127.0.0.1', 'network settings are never read from config.json');
  assert.equal(config.cacheTtlSeconds, 300);
});

test('a headless proxy saves run-time setting changes to config.json, keeping account metadata', async (t) => {
  const dir = tmp(t);
  mkdirSync(join(dir, 'sso'));
  const home = join(dir, 'home');
  const p = createProxy(defaultConfig({ port: 0, mock: true, home, ssoCache: join(dir, 'sso') }), { logger: silent, secrets: memory(), persistSettings: true });
  await p.start();
  t.after(() => p.stop());
  const [acct] = p.accounts.list();
  await p.accounts.setLabel(acct!.id, 'renamed');
  await p.applyConfig({ cooldownSeconds: 42, truncation: { ...p.getConfig().truncation, preEstimate: true } });
  const doc = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as {
    settings: { cooldownSeconds: number; truncation: { preEstimate: boolean } };
    accounts: Record<string, { label: string }>;
  };
  assert.equal(doc.settings.cooldownSeconds, 42);
  assert.equal(doc.settings.truncation.preEstimate, true);
  assert.equal(doc.accounts[acct!.id]!.label, 'renamed');
  const again = await readSettingsFile(home);
  assert.equal(again.settings.cooldownSeconds, 42);
});
