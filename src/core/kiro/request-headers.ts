// Request headers Kiro's runtime expects (kiro-protocol.md §4.2, §4.3, §9.1). The user agents
// mimic the Kiro IDE (aws-sdk-js + `KiroIDE-<version>-<machineId>`) because that is what every
// peer sends and the service has only ever been seen to accept. The bearer token appears in
// `authorization` and nowhere else.
import { createHash, randomUUID } from 'node:crypto';
import { release } from 'node:os';
import type { EndpointStyle, KiroAccountContext } from './types.ts';

export const GENERATE_TARGET = 'AmazonCodeWhispererStreamingService.GenerateAssistantResponse';
const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** What we claim to be. Versions are recent values seen in peers (§4.2); override per config. */
export interface ClientIdentity {
  kiroVersion: string;
  sdkVersion: string;
  /** `md/nodejs#<nodeVersion>` */
  nodeVersion: string;
  /** `os/<os>`, e.g. `darwin#24.6.0`, `win32#10.0.22631` */
  os: string;
}

const DEFAULT_IDENTITY: ClientIdentity = {
  kiroVersion: '0.11.107',
  sdkVersion: '1.0.34',
  nodeVersion: '22.22.0',
  // The IDE reports the host it runs on; so do we.
  os: `${process.platform}#${release()}`,
};

export interface GenerateHeaderOptions {
  style: EndpointStyle;
  identity?: Partial<ClientIdentity>;
  /** 1-based attempt number for `amz-sdk-request`. */
  attempt?: number;
  maxAttempts?: number;
  /** Fresh UUID per attempt unless given (tests). */
  invocationId?: string;
  /** `x-amzn-kiro-agent-mode`; peers agree on `vibe`. */
  agentMode?: string;
}

export interface QueryHeaderOptions {
  identity?: Partial<ClientIdentity>;
  invocationId?: string;
  /** ListAvailableModels also carries the ARN as a header (§6.3). */
  profileArnHeader?: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A stable 64-hex machine id for an account. The namespace keeps the id from being a plain
 * sha256 of the seed (a refresh token or account id), so the header never reveals a hash that
 * could be matched against the raw secret elsewhere.
 */
export function machineIdFor(seed: string): string {
  return createHash('sha256').update(`kiro-proxy/machine-id/v1/${seed}`).digest('hex');
}

/** Accepts a 64-hex id (any case) or a UUID (KRS: dashes removed, repeated twice); else derives one. */
export function normalizeMachineId(value: string): string {
  const v = value.trim().toLowerCase();
  if (HEX64.test(v)) return v;
  if (UUID.test(v)) {
    const hex = v.replaceAll('-', '');
    return hex + hex;
  }
  return machineIdFor(value);
}

const PROFILE_ARN = /^arn:aws(?:-[a-z]+)*:codewhisperer:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):profile\/([A-Za-z0-9]+)$/;

/**
 * Syntax check for a CodeWhisperer profile ARN. A malformed one makes Kiro answer the opaque
 * `Improperly formed request` (§4.5), so callers should refuse it early. All-zero account ids
 * are placeholders some tools write and are rejected the same way upstream.
 */
export function isValidProfileArn(arn: string): boolean {
  const m = PROFILE_ARN.exec(arn);
  return m !== null && m[2] !== '000000000000';
}

/** API region = 4th ARN segment (`arn:aws:codewhisperer:<region>:…`); undefined when malformed. */
export function regionFromProfileArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const region = parts[3];
  return region && /^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region) ? region : undefined;
}

/** `ksk_` bearer tokens are Kiro API keys even when the account record does not say so. */
function tokenTypeFor(account: Pick<KiroAccountContext, 'accessToken' | 'tokenType'>): KiroAccountContext['tokenType'] {
  if (account.tokenType) return account.tokenType;
  return account.accessToken.startsWith('ksk_') ? 'API_KEY' : undefined;
}

function identityOf(partial: Partial<ClientIdentity> | undefined): ClientIdentity {
  return { ...DEFAULT_IDENTITY, ...partial };
}

function commonHeaders(account: KiroAccountContext, id: ClientIdentity, api: string, mode: string, invocationId: string, request: string) {
  const kiro = `KiroIDE-${id.kiroVersion}-${normalizeMachineId(account.machineId)}`;
  const headers: Record<string, string> = {
    authorization: `Bearer ${account.accessToken}`,
    'x-amz-user-agent': `aws-sdk-js/${id.sdkVersion} ${kiro}`,
    'user-agent': `aws-sdk-js/${id.sdkVersion} ua/2.1 os/${id.os} lang/js md/nodejs#${id.nodeVersion} api/${api}#${id.sdkVersion} m/${mode} ${kiro}`,
    'amz-sdk-invocation-id': invocationId,
    'amz-sdk-request': request,
  };
  const tokenType = tokenTypeFor(account);
  // Header names are case-insensitive; lowercase keeps one spelling per name in the record.
  if (tokenType) headers['tokentype'] = tokenType;
  return headers;
}

/** Headers for generateAssistantResponse, REST (`application/json`) or awsJson 1.0 style. */
export function generateAssistantResponseHeaders(account: KiroAccountContext, options: GenerateHeaderOptions): Record<string, string> {
  const id = identityOf(options.identity);
  const attempt = options.attempt ?? 1;
  const max = options.maxAttempts ?? 3;
  const headers: Record<string, string> = {
    'content-type': options.style === 'awsjson' ? AWS_JSON_CONTENT_TYPE : 'application/json',
    accept: '*/*',
    // Opt out of AWS using the conversation for service improvement: the user did not consent
    // to that through us, whatever the CLI's default is.
    'x-amzn-codewhisperer-optout': 'true',
    'x-amzn-kiro-agent-mode': options.agentMode ?? 'vibe',
    ...commonHeaders(account, id, 'codewhispererstreaming', 'E', options.invocationId ?? randomUUID(), `attempt=${attempt}; max=${max}`),
  };
  if (options.style === 'awsjson') headers['x-amz-target'] = GENERATE_TARGET;
  return headers;
}

/** Headers for the runtime's GET operations (getUsageLimits, ListAvailableModels). */
export function runtimeQueryHeaders(account: KiroAccountContext, options: QueryHeaderOptions = {}): Record<string, string> {
  const id = identityOf(options.identity);
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...commonHeaders(account, id, 'codewhispererruntime', 'N,E', options.invocationId ?? randomUUID(), 'attempt=1; max=1'),
  };
  if (options.profileArnHeader && account.profileArn) headers['x-amzn-kiro-profile-arn'] = account.profileArn;
  return headers;
}
