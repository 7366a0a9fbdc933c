import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseUsageLimits } from '../../../src/core/kiro/usage-limits.ts';
import { parseListModelsPage } from '../../../src/core/kiro/list-models.ts';

// The §9.1 sample of kiro-protocol.md (shape from CDL types/usage_limits.go, KRS usage_limits.rs).
const SAMPLE = {
  daysUntilReset: 0,
  limits: [],
  nextDateReset: 1.7699e9,
  overageConfiguration: { overageStatus: 'DISABLED' },
  subscriptionInfo: {
    subscriptionTitle: 'KIRO FREE',
    type: 'Q_DEVELOPER_STANDALONE_FREE',
    overageCapability: 'OVERAGE_INCAPABLE',
    upgradeCapability: 'UPGRADE_CAPABLE',
    subscriptionManagementTarget: 'PURCHASE',
  },
  usageBreakdownList: [
    {
      resourceType: 'CREDIT',
      unit: 'INVOCATIONS',
      currency: 'USD',
      displayName: 'Credit',
      displayNamePlural: 'Credits',
      currentUsage: 50,
      currentUsageWithPrecision: 50.0,
      usageLimit: 50,
      usageLimitWithPrecision: 50.0,
      currentOverages: 0,
      currentOveragesWithPrecision: 0.0,
      overageCap: 10000,
      overageCapWithPrecision: 10000.0,
      overageCharges: 0.0,
      overageRate: 0.04,
      nextDateReset: 1.7699e9,
      bonuses: [{ currentUsage: 0.0, usageLimit: 100.0, status: 'ACTIVE' }],
      freeTrialInfo: {
        freeTrialStatus: 'ACTIVE',
        freeTrialExpiry: 1.7698e9,
        currentUsage: 500,
        currentUsageWithPrecision: 500.0,
        usageLimit: 500,
        usageLimitWithPrecision: 500.0,
      },
    },
  ],
  userInfo: { email: 'user@example.com', userId: 'd-9067c98495.14783408-x' },
};

describe('parseUsageLimits', () => {
  test('the §9.1 sample: totals include the active trial and bonuses; seconds → ms', () => {
    assert.deepEqual(parseUsageLimits(SAMPLE, 42), {
      plan: 'KIRO FREE',
      planType: 'Q_DEVELOPER_STANDALONE_FREE',
      used: 50 + 500 + 0,
      limit: 50 + 500 + 100,
      bonusUsed: 0,
      bonusLimit: 100,
      freeTrialUsed: 500,
      freeTrialLimit: 500,
      freeTrialExpiry: 1_769_800_000_000,
      nextResetAt: 1_769_900_000_000,
      daysUntilReset: 0,
      email: 'user@example.com',
      userId: 'd-9067c98495.14783408-x',
      overageStatus: 'DISABLED',
      overageEnabled: false,
      overageUsed: 0,
      overageCap: 10000,
      overageCharges: 0,
      currency: 'USD',
      fetchedAt: 42,
    });
  });

  test('overage: status, credits used past the limit, cap and charges (precision fields first)', () => {
    const b = SAMPLE.usageBreakdownList[0]!;
    const body = {
      ...SAMPLE,
      overageConfiguration: { overageStatus: 'ENABLED' },
      usageBreakdownList: [
        {
          ...b,
          freeTrialInfo: undefined,
          bonuses: [],
          currentUsageWithPrecision: 1012.5,
          usageLimitWithPrecision: 1000,
          currentOverages: 12,
          currentOveragesWithPrecision: 12.5,
          overageCap: 2000,
          overageCapWithPrecision: 2000,
          overageCharges: 0.5,
        },
      ],
    };
    const r = parseUsageLimits(body, 0)!;
    assert.equal(r.used, 1012.5);
    assert.equal(r.limit, 1000);
    assert.equal(r.overageEnabled, true);
    assert.equal(r.overageStatus, 'ENABLED');
    assert.equal(r.overageUsed, 12.5);
    assert.equal(r.overageCap, 2000);
    assert.equal(r.overageCharges, 0.5);
    // Absent configuration: unknown, not "disabled".
    const none = parseUsageLimits({ usageBreakdownList: [{ usageLimit: 5, currentUsage: 5 }] }, 0)!;
    assert.equal(none.overageEnabled, undefined);
    assert.equal(parseUsageLimits({ overageConfiguration: { overageStatus: 7 } }, 0)!.overageEnabled, undefined, 'a wrongly typed status is dropped');
  });

  test('expired trial and inactive bonuses do not count', () => {
    const b = SAMPLE.usageBreakdownList[0]!;
    const body = {
      ...SAMPLE,
      usageBreakdownList: [
        { ...b, freeTrialInfo: { ...b.freeTrialInfo, freeTrialStatus: 'EXPIRED' }, bonuses: [{ currentUsage: 5, usageLimit: 100, status: 'EXPIRED' }] },
      ],
    };
    const r = parseUsageLimits(body, 0)!;
    assert.equal(r.limit, 50);
    assert.equal(r.used, 50);
    assert.equal(r.freeTrialLimit, 0);
    assert.equal(r.bonusLimit, 0);
    // the expiry is still worth showing
    assert.equal(r.freeTrialExpiry, 1_769_800_000_000);
  });

  test('the CREDIT breakdown is preferred over the first one', () => {
    const r = parseUsageLimits(
      {
        usageBreakdownList: [
          { resourceType: 'SPEC', usageLimit: 7 },
          { resourceType: 'CREDIT', usageLimitWithPrecision: 1000, currentUsage: 3.5 },
        ],
      },
      0,
    )!;
    assert.equal(r.limit, 1000);
    assert.equal(r.used, 3.5);
  });

  test('tolerates missing and wrongly typed fields', () => {
    assert.deepEqual(parseUsageLimits({}, 1), { used: 0, limit: 0, bonusUsed: 0, bonusLimit: 0, freeTrialUsed: 0, freeTrialLimit: 0, fetchedAt: 1 });
    const r = parseUsageLimits(
      { subscriptionInfo: 'weird', usageBreakdownList: [{ usageLimit: '50', currentUsage: 2, bonuses: 'x' }], userInfo: { email: 3 }, daysUntilReset: 'soon' },
      1,
    )!;
    assert.equal(r.used, 2);
    assert.equal(r.limit, 0);
    assert.equal(r.plan, undefined);
    assert.equal(r.email, undefined);
    assert.equal(r.daysUntilReset, undefined);
  });

  test('ISO reset dates (portal variant) are accepted', () => {
    const r = parseUsageLimits({ nextDateReset: '2026-06-01T00:00:00Z' }, 0)!;
    assert.equal(r.nextResetAt, Date.parse('2026-06-01T00:00:00Z'));
  });

  test('not an object → undefined', () => {
    assert.equal(parseUsageLimits('nope', 0), undefined);
    assert.equal(parseUsageLimits(null, 0), undefined);
    assert.equal(parseUsageLimits([1], 0), undefined);
  });
});

describe('parseListModelsPage', () => {
  test('the §6.3 shape', () => {
    const page = parseListModelsPage({
      defaultModel: { modelId: 'auto' },
      models: [
        {
          modelId: 'claude-sonnet-4.5',
          modelName: 'Claude Sonnet 4.5',
          description: 'balanced',
          supportedInputTypes: ['TEXT', 'IMAGE'],
          tokenLimits: { maxInputTokens: 200000, maxOutputTokens: 64000 },
          promptCaching: { supportsPromptCaching: true },
          rateMultiplier: 1.3,
          rateUnit: 'Credit',
        },
        { modelId: 'deepseek-3.2', supportedInputTypes: ['TEXT'] },
        { modelName: 'no id: dropped' },
        'garbage',
      ],
      nextToken: 'page-2',
    });
    assert.deepEqual(page, {
      defaultModelId: 'auto',
      nextToken: 'page-2',
      models: [
        {
          modelId: 'claude-sonnet-4.5',
          modelName: 'Claude Sonnet 4.5',
          description: 'balanced',
          maxInputTokens: 200000,
          maxOutputTokens: 64000,
          supportsImages: true,
          rateMultiplier: 1.3,
        },
        { modelId: 'deepseek-3.2', supportsImages: false },
      ],
    });
  });

  test('empty and odd bodies', () => {
    assert.deepEqual(parseListModelsPage({}), { models: [] });
    assert.equal(parseListModelsPage(7), undefined);
  });
});
