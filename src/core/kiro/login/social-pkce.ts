// Kiro social login (Google / GitHub) with PKCE and a loopback redirect (kiro-protocol.md §3.1):
// browser → {auth}/login → 302 to 127.0.0.1 with ?code&state → POST {auth}/oauth/token.
import * as z from 'zod';
import type { KiroCredential } from '../../accounts/credentials/credential.ts';
import { regionFromProfileArn } from '../request-headers.ts';
import { baseUrl, describeFailure, LoginError, postJson } from './login-http.ts';
import { startLoopbackCallback } from './loopback-callback.ts';
import { createPkcePair, createState } from './pkce.ts';

type SocialProvider = 'Google' | 'Github';

export interface SocialLoginOptions {
  provider: SocialProvider;
  /** Social auth base (config.endpoints.auth). */
  authEndpoint: string;
  /** Opens the login page in the user's browser (vscode.env.openExternal, `open`, a test fetch). */
  openUrl: (url: string) => Promise<void> | void;
  signal: AbortSignal;
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  /** How long the user has to finish in the browser. Default 10 min. */
  timeoutMs?: number;
  now?: () => number;
}

const TokenAnswer = z.looseObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  profileArn: z.string().optional(),
  expiresIn: z.number().positive().optional(),
});

/** Runs the whole flow; resolves with a social credential ready for the pool. */
export async function loginWithSocial(options: SocialLoginOptions): Promise<KiroCredential> {
  const { signal } = options;
  signal.throwIfAborted();
  const pkce = createPkcePair();
  const state = createState();
  const callback = await startLoopbackCallback({ expectedState: state, ...(options.port !== undefined ? { port: options.port } : {}) });
  let stopWaiting = () => undefined as void;
  try {
    const auth = baseUrl(options.authEndpoint, 'us-east-1');
    const q = new URLSearchParams({
      idp: options.provider,
      redirect_uri: callback.redirectUri,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      state,
    });
    await options.openUrl(`${auth}/login?${q.toString()}`);

    const params = await Promise.race([
      callback.result,
      new Promise<never>((_, reject) => {
        const onAbort = () => reject(signal.reason);
        const timer = setTimeout(() => reject(new LoginError('timeout', 'the browser login was not completed in time')), options.timeoutMs ?? 10 * 60_000);
        stopWaiting = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    stopWaiting();
    const error = params.get('error');
    if (error) throw new LoginError('denied', `the ${options.provider} sign-in was not completed (${params.get('error_description') ?? error})`);
    const code = params.get('code');
    if (!code) throw new LoginError('invalid_response', 'the login callback carried no authorization code');

    const answer = await postJson(`${auth}/oauth/token`, { code, code_verifier: pkce.verifier, redirect_uri: callback.redirectUri }, signal);
    if (answer.status !== 200) throw new LoginError('exchange_failed', `Kiro refused the login code (${describeFailure(answer)})`);
    const parsed = TokenAnswer.safeParse(answer.json);
    if (!parsed.success) throw new LoginError('invalid_response', 'Kiro answered the login with an unexpected body');
    const t = parsed.data;
    const now = (options.now ?? Date.now)();
    const credential: KiroCredential = {
      kind: 'social',
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresAt: now + (t.expiresIn ?? 3600) * 1000,
      provider: options.provider,
    };
    // The API region follows the profile (§4.5); the auth service itself is always us-east-1.
    if (t.profileArn) {
      credential.profileArn = t.profileArn;
      const region = regionFromProfileArn(t.profileArn);
      if (region) credential.region = region;
    }
    return credential;
  } finally {
    stopWaiting();
    await callback.close();
  }
}
