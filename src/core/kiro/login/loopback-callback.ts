// The loopback redirect target of a browser login: a one-shot HTTP server on 127.0.0.1 that
// waits for `?code&state`. Only a callback carrying our `state` counts, so another local page
// cannot inject its own authorization code.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackCallback {
  redirectUri: string;
  /** Query of the first callback whose state matches (may carry `error` instead of `code`). */
  result: Promise<URLSearchParams>;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  expectedState: string;
  /** 0 = any free port. */
  port?: number;
  path?: string;
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

export async function startLoopbackCallback(options: LoopbackOptions): Promise<LoopbackCallback> {
  const path = options.path ?? '/oauth/callback';
  let settle: (q: URLSearchParams) => void = () => undefined;
  const result = new Promise<URLSearchParams>((resolve) => (settle = resolve));
  let done = false;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end(page(title, text));
    };
    if (req.method !== 'GET' || url.pathname !== path) return send(404, 'Not found', 'This is the Kiro Proxy login callback.');
    if (done) return send(410, 'Already done', 'This login has already completed. You can close this tab.');
    if (url.searchParams.get('state') !== options.expectedState) {
      return send(400, 'Login link mismatch', 'This callback does not belong to the login in progress. Start the login again from Kiro Proxy.');
    }
    done = true;
    if (url.searchParams.has('error')) send(200, 'Login cancelled', 'The sign-in was not completed. You can close this tab.');
    else send(200, 'Kiro login complete', 'You can close this tab and return to your editor.');
    settle(url.searchParams);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    redirectUri: `http://127.0.0.1:${port}${path}`,
    result,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
