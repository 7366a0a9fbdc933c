import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedModelNames, contextWindowFor, listClientModels, resolveModel } from '../../../src/core/kiro/models.ts';
import type { ModelInfo } from '../../../src/core/kiro/types.ts';

const id = (name: string, opts?: Parameters<typeof resolveModel>[1]) => resolveModel(name, opts).modelId;

describe('resolveModel: client names → Kiro ids', () => {
  const cases: [string, string, string][] = [
    // dated and dashed Anthropic names
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4.5', 'normalized'],
    ['claude-haiku-4-5-20251001', 'claude-haiku-4.5', 'normalized'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4', 'normalized'],
    ['claude-opus-4-8', 'claude-opus-4.8', 'normalized'],
    ['claude-opus-4-5-20251101', 'claude-opus-4.5', 'normalized'],
    ['claude-sonnet-4-6', 'claude-sonnet-4.6', 'normalized'],
    ['claude-sonnet-5', 'claude-sonnet-5', 'exact'],
    // decorations
    ['claude-sonnet-4-5[1m]', 'claude-sonnet-4.5', 'normalized'],
    ['claude-opus-4-8[1m]', 'claude-opus-4.8', 'normalized'],
    ['claude-sonnet-4-5-latest', 'claude-sonnet-4.5', 'normalized'],
    ['kiro-claude-sonnet-4.5', 'claude-sonnet-4.5', 'exact'],
    ['amazonq-claude-haiku-4-5', 'claude-haiku-4.5', 'normalized'],
    ['Claude-Sonnet-4-5', 'claude-sonnet-4.5', 'normalized'],
    ['anthropic/claude-sonnet-4.5', 'claude-sonnet-4.5', 'exact'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4.5', 'normalized'],
    // the seed alias table
    ['gpt-4o', 'claude-sonnet-4', 'alias'],
    ['gpt-4', 'claude-sonnet-4', 'alias'],
    ['gpt-4o-mini', 'claude-haiku-4.5', 'alias'],
    ['gpt-3.5-turbo', 'claude-haiku-4.5', 'alias'],
    ['o1', 'claude-opus-4.5', 'alias'],
    ['o1-preview', 'claude-opus-4.5', 'alias'],
    ['o3-mini', 'claude-sonnet-4', 'alias'],
    ['gemini-2.5-pro', 'claude-sonnet-4.5', 'alias'],
    ['sonnet', 'claude-sonnet-4', 'alias'],
    ['haiku', 'claude-haiku-4.5', 'alias'],
    ['opus', 'claude-opus-4.5', 'alias'],
    // Kiro ids pass through
    ['claude-sonnet-4.5', 'claude-sonnet-4.5', 'exact'],
    ['claude-opus-4.7', 'claude-opus-4.7', 'exact'],
    ['auto', 'auto', 'exact'],
    ['deepseek-3.2', 'deepseek-3.2', 'exact'],
    ['qwen3-coder-next', 'qwen3-coder-next', 'exact'],
    ['claude-sonnet-4.6-1m', 'claude-sonnet-4.6-1m', 'exact'],
    // newer than anything known → nearest of the family
    ['claude-opus-4-9', 'claude-opus-4.8', 'nearest'],
    ['claude-sonnet-6', 'claude-sonnet-5', 'nearest'],
    ['claude-haiku-5', 'claude-haiku-4.5', 'nearest'],
    ['claude-opus-5-20270101', 'claude-opus-4.8', 'nearest'],
    // older than anything offered → closest
    ['claude-3-7-sonnet-20250219', 'claude-sonnet-4', 'nearest'],
    ['claude-3-5-haiku-latest', 'claude-haiku-4.5', 'nearest'],
    ['claude-opus-4-1', 'claude-opus-4.5', 'nearest'],
    // Codex's default and OpenAI agent names
    ['gpt-6.2-sol', 'gpt-5.6-sol', 'nearest'],
    ['gpt-5.6-luna', 'gpt-5.6-luna', 'exact'],
    ['gpt-5.5', 'claude-sonnet-4.5', 'alias'],
    ['gpt-5-codex', 'claude-sonnet-4.5', 'alias'],
    ['gpt-5.1-codex-max', 'claude-sonnet-4.5', 'alias'],
    ['gpt-5.1-codex-mini', 'claude-haiku-4.5', 'alias'],
    ['gpt-5-nano', 'claude-haiku-4.5', 'alias'],
    // no family at all: the pipeline answers 404 model_not_found (unless a fallback is set)
    ['my-favourite-model', 'claude-sonnet-4.5', 'unknown'],
    ['definitely-not-a-model', 'claude-sonnet-4.5', 'unknown'],
    ['', 'claude-sonnet-4.5', 'unknown'],
  ];
  for (const [name, want, by] of cases) {
    test(`${JSON.stringify(name)} → ${want} (${by})`, () => {
      const r = resolveModel(name);
      assert.equal(r.modelId, want);
      assert.equal(r.mappedBy, by);
      assert.equal(r.thinking, false);
    });
  }

  test('-thinking suffix turns thinking on', () => {
    assert.deepEqual(resolveModel('claude-sonnet-4-5-thinking'), {
      modelId: 'claude-sonnet-4.5',
      thinking: true,
      contextWindow: 200_000,
      mappedBy: 'normalized',
    });
    assert.equal(resolveModel('claude-opus-4.8-thinking').thinking, true);
    assert.equal(resolveModel('kiro-claude-opus-4-8-thinking-latest').modelId, 'claude-opus-4.8');
  });

  test('context windows from the catalogue', () => {
    assert.equal(resolveModel('claude-opus-4-8').contextWindow, 1_000_000);
    assert.equal(resolveModel('claude-opus-4-5').contextWindow, 200_000);
    assert.equal(resolveModel('deepseek-3.2').contextWindow, 128_000);
    assert.equal(contextWindowFor('some-new-model'), 200_000);
  });
});

describe('resolveModel with an available list (ListAvailableModels)', () => {
  const available: ModelInfo[] = [
    { modelId: 'auto' },
    { modelId: 'claude-sonnet-4' },
    { modelId: 'claude-sonnet-4.5', maxInputTokens: 180_000 },
    { modelId: 'claude-haiku-4.5' },
    { modelId: 'claude-opus-4.5' },
    { modelId: 'claude-opus-4.6', maxInputTokens: 900_000 },
  ];

  test('a newer version goes to the highest available ≤ requested', () => {
    assert.deepEqual(resolveModel('claude-opus-4-9', { available }), {
      modelId: 'claude-opus-4.6',
      thinking: false,
      contextWindow: 900_000,
      mappedBy: 'nearest',
    });
    assert.equal(id('claude-opus-4-8', { available }), 'claude-opus-4.6');
    assert.equal(id('claude-sonnet-5', { available }), 'claude-sonnet-4.5');
    assert.equal(id('claude-sonnet-4.6', { available }), 'claude-sonnet-4.5');
    assert.equal(id('claude-haiku-5', { available }), 'claude-haiku-4.5');
  });

  test('an older version goes to the closest', () => {
    assert.equal(id('claude-opus-4-1', { available }), 'claude-opus-4.5');
    assert.equal(id('claude-3-5-sonnet-20241022', { available }), 'claude-sonnet-4');
  });

  test('a 1M variant that is not offered falls back to the plain id', () => {
    assert.equal(id('claude-sonnet-4.5-1m', { available }), 'claude-sonnet-4.5');
  });

  test('tokenLimits win over the catalogue', () => {
    assert.equal(resolveModel('claude-sonnet-4-5', { available }).contextWindow, 180_000);
    assert.equal(resolveModel('claude-sonnet-4', { available }).contextWindow, 200_000);
  });

  test('ids not in the list are not passed through', () => {
    assert.equal(id('deepseek-3.2', { available }), 'claude-sonnet-4.5');
    assert.equal(resolveModel('deepseek-3.2', { available }).mappedBy, 'unknown');
  });

  test('family missing entirely → default', () => {
    const onlySonnet: ModelInfo[] = [{ modelId: 'claude-sonnet-4.5' }];
    assert.deepEqual(resolveModel('claude-haiku-4-5', { available: onlySonnet }), {
      modelId: 'claude-sonnet-4.5',
      thinking: false,
      contextWindow: 200_000,
      mappedBy: 'default',
    });
  });

  test('default itself missing → nearest sonnet, then auto', () => {
    assert.equal(id('whatever', { available: [{ modelId: 'claude-sonnet-4' }, { modelId: 'auto' }] }), 'claude-sonnet-4');
    assert.equal(id('whatever', { available: [{ modelId: 'auto' }, { modelId: 'glm-5' }] }), 'auto');
  });

  test('an empty list means "unknown", not "nothing"', () => {
    assert.equal(id('claude-opus-4-8', { available: [] }), 'claude-opus-4.8');
  });
});

describe('resolveModel with a user map', () => {
  test('user map wins, keys are case-insensitive, values may be client names', () => {
    const userMap = { 'GPT-4o': 'claude-opus-4-8', 'claude-sonnet-4-5-20250929': 'claude-sonnet-4.6', 'my-model': 'claude-brand-new-9' };
    assert.deepEqual(resolveModel('gpt-4o', { userMap }), { modelId: 'claude-opus-4.8', thinking: false, contextWindow: 1_000_000, mappedBy: 'user-map' });
    assert.equal(id('claude-sonnet-4-5-20250929', { userMap }), 'claude-sonnet-4.6');
    // a target we cannot place is trusted verbatim
    assert.equal(id('my-model', { userMap }), 'claude-brand-new-9');
    assert.equal(resolveModel('my-model-thinking', { userMap }).thinking, true);
    assert.equal(id('gpt-4o-mini', { userMap }), 'claude-haiku-4.5');
  });
});

describe('listClientModels', () => {
  test('Kiro ids plus dashed aliases, each pointing at its wire id', () => {
    const list = listClientModels();
    const ids = list.map((m) => m.id);
    for (const want of ['claude-sonnet-4.5', 'claude-sonnet-4-5', 'claude-opus-4-8', 'claude-haiku-4-5', 'claude-sonnet-5', 'auto'])
      assert.ok(ids.includes(want), want);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(list.find((m) => m.id === 'claude-opus-4-8')?.modelId, 'claude-opus-4.8');
    assert.equal(list.find((m) => m.id === 'claude-opus-4-8')?.alias, true);
    // every advertised name resolves back to its own wire id
    for (const m of list) assert.equal(id(m.id), m.modelId, m.id);
  });

  test('uses the available list and its names and windows', () => {
    const list = listClientModels([{ modelId: 'claude-sonnet-4.5', modelName: 'Sonnet 4.5', maxInputTokens: 123 }]);
    assert.deepEqual(list, [
      { id: 'claude-sonnet-4.5', modelId: 'claude-sonnet-4.5', displayName: 'Sonnet 4.5', contextWindow: 123, alias: false },
      { id: 'claude-sonnet-4-5', modelId: 'claude-sonnet-4.5', displayName: 'Sonnet 4.5', contextWindow: 123, alias: true },
    ]);
  });
});

describe('resolveModel with a fallback model', () => {
  test('only names in no family go to the fallback; mapped and known names are untouched', () => {
    assert.deepEqual(resolveModel('definitely-not-a-model', { fallbackModel: 'claude-haiku-4-5' }), {
      modelId: 'claude-haiku-4.5',
      thinking: false,
      contextWindow: 200_000,
      mappedBy: 'fallback',
    });
    assert.equal(resolveModel('claude-opus-4-8', { fallbackModel: 'claude-haiku-4-5' }).mappedBy, 'normalized');
    assert.equal(resolveModel('gpt-4o', { fallbackModel: 'claude-haiku-4-5' }).modelId, 'claude-sonnet-4');
    assert.equal(resolveModel('x', { fallbackModel: 'claude-brand-new-9' }).modelId, 'claude-brand-new-9');
    assert.equal(resolveModel('x', { fallbackModel: '  ' }).mappedBy, 'unknown');
    assert.equal(resolveModel('x', { userMap: { x: 'claude-opus-4.5' }, fallbackModel: 'claude-haiku-4.5' }).modelId, 'claude-opus-4.5');
  });

  test('the accepted names are what GET /v1/models lists', () => {
    const names = acceptedModelNames([{ modelId: 'claude-sonnet-4.5' }, { modelId: 'auto' }]);
    assert.deepEqual(names, ['claude-sonnet-4.5', 'claude-sonnet-4-5', 'auto']);
  });
});
