// A strict fake of Kiro's token endpoint for the refresh tests: it rotates the refresh token on
// every refresh and rejects any other (a reused, rotated-away token) with `invalid_grant`, counting
// both. `hold()` parks arriving requests unprocessed until `release()`, so a test can kill the
// caller mid-refresh; a parked request whose client went away is dropped, never processed (it
// models a refresh that did not reach Kiro). `delayAfterRotate` answers late AFTER rotating (a
// refresh Kiro processed whose answer is slow).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTokenServer {
  readonly url: string;
  /** Successful rotations. */
  readonly rotations: number;
  /** Refresh attempts with a token that was not the live one. */
  readonly rejected: number;
  /** The live refresh token. */
  readonly live: string;
  /** Requests that arrived (parked or not). */
  readonly arrived: number;
  /** Parked requests whose client went away (the server saw the connection close). */
  readonly abandoned: number;
  hold(): void;
  release(): void;
  delayAfterRotate(ms: number): void;
  close(): Promise<void>;
}

export async function startFakeTokenServer(initialRefreshToken: string): Promise<FakeTokenServer> {
  let live = initialRefreshToken;
  let rotations = 0;
  let rejected = 0;
  let arrived = 0;
  let abandoned = 0;
  let holding = false;
  let delayMs = 0;
  const parked: (() => void)[] = [];

  const process = (body: string, res: ServerResponse) => {
    let rt: unknown;
    try {
      rt = (JSON.parse(body) as { refreshToken?: unknown }).refreshToken;
    } catch {
      rt = undefined;
    }
    if (typeof rt !== 'string' || rt !== live) {
      rejected++;
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', message: 'Invalid refresh token' }));
      return;
    }
    rotations++;
    live = `rt-${rotations}-${Math.random().toString(36).slice(2, 10)}`;
    const answer = JSON.stringify({ accessToken: `at-${rotations}-${Math.random().toString(36).slice(2, 10)}`, refreshToken: live, expiresIn: 3600 });
    const send = () => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      arrived++;
      if (!holding) return process(body, res);
      let gone = false;
      let taken = false;
      res.on('close', () => {
        // Closed while still parked: the client went away before an answer was started.
        if (!taken) abandoned++;
        gone = true;
      });
      parked.push(() => {
        taken = true;
        if (!gone && !res.destroyed) process(body, res);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/refresh`,
    get rotations() {
      return rotations;
    },
    get rejected() {
      return rejected;
    },
    get live() {
      return live;
    },
    get arrived() {
      return arrived;
    },
    get abandoned() {
      return abandoned;
    },
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const p of parked.splice(0)) p();
    },
    delayAfterRotate: (ms) => void (delayMs = ms),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A Refresher that calls the fake: `invalid_grant` becomes an error with that code. */
export function httpRefresher(url: string) {
  return async (current: { refreshToken?: string; profileArn?: string }, signal: AbortSignal) => {
    const res = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ refreshToken: current.refreshToken }),
      headers: { 'content-type': 'application/json' },
      signal,
    });
    const json = (await res.json()) as { accessToken?: string; refreshToken?: string; expiresIn?: number; error?: string };
    if (!res.ok) throw Object.assign(new Error(`refresh failed: ${json.error ?? res.status}`), { code: json.error ?? 'http_error' });
    return { accessToken: json.accessToken!, refreshToken: json.refreshToken!, expiresAt: Date.now() + (json.expiresIn ?? 3600) * 1000 };
  };
}
