import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../proxy-types.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface ListeningServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

/** Listen limits against slow or abusive clients (node's own guards). */
const HEADERS_TIMEOUT_MS = 30_000;
const MAX_HEADER_BYTES = 64 * 1024;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Starts node:http on host:port. Never picks another port on EADDRINUSE: the caller decides
 * (design: the port is never silently changed). close() ends every connection, including
 * idle keep-alive ones, open streams and event streams (/api/events), and resolves only when
 * the listening socket and every connection are gone, so a restart can bind the port at once.
 */
export function listen(handler: RequestHandler, port: number, host: string, logger: Logger): Promise<ListeningServer> {
  const server: Server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      // Whole-request time is bounded by the body reader; streams may legitimately be long.
      requestTimeout: 0,
      maxHeaderSize: MAX_HEADER_BYTES,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      noDelay: true,
      // A request without Host reaches the guard, which refuses it in the caller's dialect
      // (400, code missing_host) instead of node's bare 400.
      requireHostHeader: false,
    },
    (req, res) => {
      handler(req, res).catch((err: unknown) => {
        logger.error(`unhandled error in request handler: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'internal proxy error', type: 'server_error' } }));
        } else {
          res.destroy();
        }
      });
    },
  );
  // Every socket, also the ones node:http does not count as HTTP connections yet (accepted, no
  // request line read): close() destroys them all, nothing keeps the old server half alive.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      server.on('error', (err) => logger.error(`server error: ${err.message}`));
      const addr = server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      resolve({
        port: actualPort,
        host,
        close: () =>
          new Promise<void>((done) => {
            // The callback runs once the listener is closed and the last connection is gone
            // (with an error only if it was already closed: done either way).
            server.close(() => done());
            server.closeAllConnections();
            for (const socket of sockets) socket.destroy();
          }),
      });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
