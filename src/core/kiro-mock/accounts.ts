// The mock's accounts and the tokens it has issued. Access tokens stay valid until their own
// expiry even after a refresh (as with the real service); a rotated-away refresh token is dead.
import { randomBytes } from 'node:crypto';

type MockAuthMethod = 'social' | 'idc' | 'oauth';

export interface AddAccountOptions {
  id?: string;
  authMethod?: MockAuthMethod;
  /** Google / Github for social, BuilderId / Enterprise for idc. */
  provider?: string;
  refreshToken?: string;
  accessToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** null = no profile (Builder ID); default: a fixed valid ARN for social, none for idc. */
  profileArn?: string | null;
  accessTokenTtlSeconds?: number;
  /** Start with an access token that is already expired (forces a refresh). */
  accessTokenExpired?: boolean;
  /** Issue a new refresh token on every refresh, invalidating the old one. */
  rotateRefreshToken?: boolean;
  /** Chat requests allowed before 402 MONTHLY_REQUEST_COUNT (the included credits). */
  usageLimit?: number;
  /** Credits already used this period (default 0); may be above usageLimit with overage on. */
  usage?: number;
  /** Overage: past usageLimit, Kiro keeps serving (billed) while overage is on, up to `cap` more. */
  overage?: { enabled: boolean; cap?: number };
  email?: string;
  subscriptionTitle?: string;
}

export interface MockAccount {
  readonly id: string;
  readonly authMethod: MockAuthMethod;
  readonly provider: string;
  refreshToken: string;
  accessToken: string;
  /** epoch ms */
  accessTokenExpiresAt: number;
  profileArn: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  accessTokenTtlSeconds: number;
  rotateRefreshToken: boolean;
  /** Successful token refreshes (social, OIDC or OAuth). */
  refreshCount: number;
  /** Chat requests served (each increments by one). */
  usage: number;
  /** Chat responses being written now, and the most there ever were at once (concurrency caps across instances). */
  inFlight: number;
  peakInFlight: number;
  usageLimit: number;
  overageEnabled: boolean;
  /** Overage credits allowed past usageLimit (reported even when overage is off, as Kiro does). */
  overageCap: number;
  email: string;
  subscriptionTitle: string;
}

/** The profile ARN social accounts share in the wild (kiro-protocol.md §1.1). */
const SOCIAL_PROFILE_ARN = 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK';

const token = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString('base64url')}`;
/** Real refresh tokens are >100 chars and contain a colon; KRS rejects shorter ones as truncated. */
const newRefreshToken = () => `${token('aorAAAAAG', 90)}:${randomBytes(30).toString('base64url')}`;
const newAccessToken = () => token('aoaAAAAAG', 90);

interface IssuedAccessToken {
  accountId: string;
  expiresAt: number;
}

export type BearerCheck = { ok: true; account: MockAccount } | { ok: false; why: 'missing' | 'unknown' | 'expired' };

export class MockAccountStore {
  private readonly accounts = new Map<string, MockAccount>();
  private readonly accessTokens = new Map<string, IssuedAccessToken>();
  private readonly refreshTokens = new Map<string, string>();
  private nextId = 1;
  private readonly now: () => number;
  private readonly defaultUsageLimit: number;

  constructor(now: () => number, defaultUsageLimit: number) {
    this.now = now;
    this.defaultUsageLimit = defaultUsageLimit;
  }

  add(opts: AddAccountOptions = {}): MockAccount {
    const authMethod = opts.authMethod ?? 'social';
    const id = opts.id ?? `acct-${this.nextId++}`;
    if (this.accounts.has(id)) throw new Error(`mock account ${id} already exists`);
    const ttl = opts.accessTokenTtlSeconds ?? 3600;
    const needsClient = authMethod !== 'social';
    const account: MockAccount = {
      id,
      authMethod,
      provider: opts.provider ?? (authMethod === 'social' ? 'Google' : authMethod === 'idc' ? 'BuilderId' : 'OAuth'),
      refreshToken: opts.refreshToken ?? newRefreshToken(),
      accessToken: opts.accessToken ?? newAccessToken(),
      accessTokenExpiresAt: opts.accessTokenExpired ? this.now() - 1000 : this.now() + ttl * 1000,
      profileArn: opts.profileArn === null ? undefined : (opts.profileArn ?? (authMethod === 'social' ? SOCIAL_PROFILE_ARN : undefined)),
      clientId: opts.clientId ?? (needsClient ? token('mockclient-', 12) : undefined),
      clientSecret: opts.clientSecret ?? (needsClient ? token('eyJraWQiOiJtb2NrIn0.', 48) : undefined),
      accessTokenTtlSeconds: ttl,
      rotateRefreshToken: opts.rotateRefreshToken ?? false,
      refreshCount: 0,
      usage: opts.usage ?? 0,
      inFlight: 0,
      peakInFlight: 0,
      usageLimit: opts.usageLimit ?? this.defaultUsageLimit,
      overageEnabled: opts.overage?.enabled ?? false,
      overageCap: opts.overage?.cap ?? 10_000,
      email: opts.email ?? `${id}@example.com`,
      subscriptionTitle: opts.subscriptionTitle ?? 'KIRO FREE',
    };
    this.accounts.set(id, account);
    this.accessTokens.set(account.accessToken, { accountId: id, expiresAt: account.accessTokenExpiresAt });
    this.refreshTokens.set(account.refreshToken, id);
    return account;
  }

  list(): MockAccount[] {
    return [...this.accounts.values()];
  }

  /** By id or by (current) refresh token. */
  find(idOrRefreshToken: string): MockAccount | undefined {
    const byId = this.accounts.get(idOrRefreshToken);
    if (byId) return byId;
    const id = this.refreshTokens.get(idOrRefreshToken);
    return id !== undefined ? this.accounts.get(id) : undefined;
  }

  byRefreshToken(refreshToken: string): MockAccount | undefined {
    const id = this.refreshTokens.get(refreshToken);
    return id !== undefined ? this.accounts.get(id) : undefined;
  }

  checkBearer(authorization: string | undefined): BearerCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { ok: false, why: 'missing' };
    const issued = this.accessTokens.get(m[1]!);
    if (!issued) return { ok: false, why: 'unknown' };
    const account = this.accounts.get(issued.accountId);
    if (!account) return { ok: false, why: 'unknown' };
    if (issued.expiresAt <= this.now()) return { ok: false, why: 'expired' };
    return { ok: true, account };
  }

  /** A successful refresh: new access token, maybe a rotated refresh token. */
  refresh(account: MockAccount): { accessToken: string; refreshToken: string; expiresIn: number } {
    account.refreshCount++;
    account.accessToken = newAccessToken();
    account.accessTokenExpiresAt = this.now() + account.accessTokenTtlSeconds * 1000;
    this.accessTokens.set(account.accessToken, { accountId: account.id, expiresAt: account.accessTokenExpiresAt });
    if (account.rotateRefreshToken) {
      this.refreshTokens.delete(account.refreshToken);
      account.refreshToken = newRefreshToken();
      this.refreshTokens.set(account.refreshToken, account.id);
    }
    return { accessToken: account.accessToken, refreshToken: account.refreshToken, expiresIn: account.accessTokenTtlSeconds };
  }

  /** Makes every access token of the account expired (the next call gets 403). */
  expireAccessTokens(account: MockAccount): void {
    for (const issued of this.accessTokens.values()) {
      if (issued.accountId === account.id) issued.expiresAt = this.now() - 1;
    }
    account.accessTokenExpiresAt = this.now() - 1;
  }

  /** Kills the refresh token (next refresh gets invalid_grant). */
  revokeRefreshToken(account: MockAccount): void {
    this.refreshTokens.delete(account.refreshToken);
  }

  /** Kiro's verdict: no credits left, and no overage (off, or its cap reached). */
  overQuota(account: MockAccount): boolean {
    if (account.usage < account.usageLimit) return false;
    return !account.overageEnabled || account.usage - account.usageLimit >= account.overageCap;
  }

  resetCounters(): void {
    for (const a of this.accounts.values()) {
      a.usage = 0;
      a.refreshCount = 0;
    }
  }
}
