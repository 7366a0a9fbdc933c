// The editor's face of the schema: every `kiroProxy.*` setting of package.json's
// contributes.configuration, with its value schema (type, bounds, choices, default). Fields of the
// proxy reuse the schema's own (schema.ts); a few settings are views of a field (truncationStrategy,
// importSsoCache, '' for "none") or the editor's alone (autoStart, requireApiKey).
// test/unit/config/package-json.test.ts checks package.json against this table; src/vscode reads it
// (settings-to-config.ts, settings-writer.ts). Pure data: no `vscode`, no node imports.
import * as z from 'zod/mini';
import { configShape, truncationShape, unwrap, type ConfigKey } from './schema.ts';
import { TRUNCATION_STRATEGIES } from '../admin/truncation-strategy.ts';
import type { ConfigPatch } from '../admin/protocol.ts';

const IMPORT_SSO_CACHE_MODES = ['ask', 'always', 'never'] as const;

export interface VscodeSetting {
  /** The value as stored, with its default (what package.json declares). */
  schema: z.ZodMiniType;
  /** The config field the setting decides (settings-to-config.ts maps it); none: editor-only. */
  key?: ConfigKey;
  /** The dashboard's admin-patch key written back to this setting (settings-writer.ts). */
  patch?: keyof ConfigPatch;
}

const flag = (value: boolean) => z._default(z.boolean(), value);
const blank = z._default(z.string(), '');

export const VSCODE_SETTINGS = {
  port: { schema: configShape.port, key: 'port' },
  host: { schema: configShape.host, key: 'host' },
  autoStart: { schema: flag(false) },
  requireApiKey: { schema: flag(true), key: 'apiKey' },
  truncationStrategy: { schema: z._default(z.enum(TRUNCATION_STRATEGIES), 'on-error'), key: 'truncation', patch: 'truncationStrategy' },
  /** Unset (null in settings.json): the schema's default budget. */
  maxRequestBytes: { schema: z.optional(unwrap(truncationShape.maxRequestBytes)), key: 'truncation', patch: 'maxRequestBytes' },
  modelMapping: { schema: configShape.modelMap, key: 'modelMap', patch: 'modelMap' },
  /** '' = none. */
  fallbackModel: { schema: z._default(unwrap(configShape.fallbackModel), ''), key: 'fallbackModel', patch: 'fallbackModel' },
  selectionStrategy: { schema: configShape.selectionStrategy, key: 'selectionStrategy', patch: 'selectionStrategy' },
  cooldownSeconds: { schema: configShape.cooldownSeconds, key: 'cooldownSeconds', patch: 'cooldownSeconds' },
  logBodies: { schema: configShape.logBodies, key: 'logBodies', patch: 'logBodies' },
  mockMode: { schema: configShape.mock, key: 'mock' },
  /** '' = KIRO_SSO_CACHE or ~/.aws/sso/cache. */
  ssoCachePath: { schema: blank, key: 'ssoCache' },
  importSsoCache: { schema: z._default(z.enum(IMPORT_SSO_CACHE_MODES), 'ask'), key: 'importSsoCacheOnStart' },
  /** Team mode's Redis ('' = KIRO_PROXY_REDIS_URL, or no team; a value that is not redis:// or rediss:// is ignored). */
  redisUrl: { schema: z._default(z.union([z.literal(''), unwrap(configShape.redisUrl)]), ''), key: 'redisUrl' },
} as const satisfies Record<string, VscodeSetting>;

export type VscodeSettingName = keyof typeof VSCODE_SETTINGS;

/** The settings as the extension reads them: one typed value per setting. */
export type KiroSettings = { -readonly [K in VscodeSettingName]: z.output<(typeof VSCODE_SETTINGS)[K]['schema']> };
