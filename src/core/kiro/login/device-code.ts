// AWS Builder ID and IAM Identity Center login by device code (RFC 8628 over SSO OIDC,
// kiro-protocol.md §3.2): register a public client, get a user code for the caller to show,
// then poll /token until the user approved, honouring authorization_pending / slow_down /
// expired_token / access_denied.
import * as z from 'zod';
import type { KiroCredential } from '../../accounts/credentials/credential.ts';
import { sleep } from '../../accounts/pool/backoff.ts';
import type { Clock } from '../../proxy-types.ts';
import { baseUrl, describeFailure, LoginError, postJson, type JsonAnswer } from './login-http.ts';

export const BUILDER_ID_START_URL = 'https://view.awsapps.com/start';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** AWSQ's three plus the two KP/SUN add; Kiro needs the conversations scope at least. */
const KIRO_SCOPES = [
  'codewhisperer:completions',
  'codewhisperer:analysis',
  'codewhisperer:conversations',
  'codewhisperer:transformations',
  'codewhisperer:taskassist',
];

/** RFC 8628 §3.5: slow_down adds 5 s to the interval. */
const SLOW_DOWN_STEP_MS = 5_000;
const MAX_INTERVAL_MS = 60_000;

export interface DeviceLoginOptions {
  /** SSO OIDC base (config.endpoints.oidc), `{region}` substituted. */
  oidcEndpoint: string;
  /** OIDC region: us-east-1 for Builder ID, the organisation's for IAM Identity Center. */
  region?: string;
  /** Builder ID by default; the organisation's `https://<org>.awsapps.com/start` for Identity Center. */
  startUrl?: string;
  signal: AbortSignal;
  clientName?: string;
  scopes?: string[];
  clock?: Pick<Clock, 'now' | 'setTimeout'>;
}

export interface DeviceAuthorization {
  userCode: string;
  verificationUri: string;
  /** Opens the approval page with the code filled in. */
  verificationUriComplete: string | undefined;
  /** Epoch ms after which the code is dead. */
  expiresAt: number;
  /** Polls until the user approved (or refused, or the code expired). */
  complete(): Promise<KiroCredential>;
}

const Registration = z.looseObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  clientSecretExpiresAt: z.number().optional(),
});

const Authorization = z.looseObject({
  deviceCode: z.string().min(1),
  userCode: z.string().min(1),
  verificationUri: z.string().min(1),
  verificationUriComplete: z.string().optional(),
  expiresIn: z.number().positive().optional(),
  interval: z.number().nonnegative().optional(),
});

const Tokens = z.looseObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresIn: z.number().positive().optional(),
});

const realClock: Pick<Clock, 'now' | 'setTimeout'> = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const h = setTimeout(fn, ms);
    return { clear: () => clearTimeout(h) };
  },
};

export async function startDeviceLogin(options: DeviceLoginOptions): Promise<DeviceAuthorization> {
  const { signal } = options;
  const clock = options.clock ?? realClock;
  const region = options.region ?? 'us-east-1';
  const startUrl = options.startUrl ?? BUILDER_ID_START_URL;
  const oidc = baseUrl(options.oidcEndpoint, region);

  const reg = await postJson(
    `${oidc}/client/register`,
    {
      clientName: options.clientName ?? 'Kiro Proxy',
      clientType: 'public',
      scopes: options.scopes ?? KIRO_SCOPES,
      grantTypes: [DEVICE_GRANT, 'refresh_token'],
      issuerUrl: startUrl,
    },
    signal,
  );
  const client = reg.status === 200 ? Registration.safeParse(reg.json) : undefined;
  if (!client?.success) throw new LoginError('registration_failed', `AWS SSO did not register the login client (${describeFailure(reg)})`);

  const auth = await postJson(`${oidc}/device_authorization`, { clientId: client.data.clientId, clientSecret: client.data.clientSecret, startUrl }, signal);
  const device = auth.status === 200 ? Authorization.safeParse(auth.json) : undefined;
  if (!device?.success) throw new LoginError('registration_failed', `AWS SSO did not start the device login (${describeFailure(auth)})`);
  const d = device.data;
  const expiresAt = clock.now() + (d.expiresIn ?? 600) * 1000;

  const complete = async (): Promise<KiroCredential> => {
    let intervalMs = Math.max(1, d.interval ?? 5) * 1000;
    for (;;) {
      await sleep(intervalMs, clock, signal);
      if (clock.now() >= expiresAt) throw new LoginError('expired', 'the device code expired before it was approved; start the login again');
      let answer: JsonAnswer;
      try {
        answer = await postJson(
          `${oidc}/token`,
          { clientId: client.data.clientId, clientSecret: client.data.clientSecret, grantType: DEVICE_GRANT, deviceCode: d.deviceCode },
          signal,
        );
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        // RFC 8628 §3.5: back off on connection trouble and keep polling.
        intervalMs = Math.min(MAX_INTERVAL_MS, intervalMs * 2);
        continue;
      }
      if (answer.status === 200) {
        const t = Tokens.safeParse(answer.json);
        if (!t.success) throw new LoginError('invalid_response', 'AWS SSO answered the device login with an unexpected body');
        return credentialOf(t.data, client.data, startUrl, region, clock.now());
      }
      if (answer.status >= 500) {
        intervalMs = Math.min(MAX_INTERVAL_MS, intervalMs * 2);
        continue;
      }
      const error = typeof answer.json?.['error'] === 'string' ? answer.json['error'] : undefined;
      switch (error) {
        case 'authorization_pending':
          continue;
        case 'slow_down':
          intervalMs = Math.min(MAX_INTERVAL_MS, intervalMs + SLOW_DOWN_STEP_MS);
          continue;
        case 'expired_token':
          throw new LoginError('expired', 'the device code expired before it was approved; start the login again');
        case 'access_denied':
          throw new LoginError('denied', 'the login was refused in the browser');
        default:
          throw new LoginError('exchange_failed', `AWS SSO refused the device login (${describeFailure(answer)})`);
      }
    }
  };

  return { userCode: d.userCode, verificationUri: d.verificationUri, verificationUriComplete: d.verificationUriComplete, expiresAt, complete };
}

function credentialOf(t: z.infer<typeof Tokens>, client: z.infer<typeof Registration>, startUrl: string, oidcRegion: string, now: number): KiroCredential {
  const credential: KiroCredential = {
    kind: 'idc',
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    expiresAt: now + (t.expiresIn ?? 3600) * 1000,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    oidcRegion,
    startUrl,
    provider: startUrl === BUILDER_ID_START_URL ? 'BuilderId' : 'Enterprise',
  };
  if (client.clientSecretExpiresAt !== undefined) credential.registrationExpiresAt = client.clientSecretExpiresAt * 1000;
  return credential;
}
