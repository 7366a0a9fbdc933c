// This window's link to the proxy another window serves: its live events (/api/events) and a
// slow liveness poll. It only notices; the controller decides what a drop means (serving-rules in
// serve-intent.ts).
import type { ProxyEvent, Logger } from '../core/proxy-types.ts';
import { interval, type IDisposable } from './lifecycle.ts';
import { followRemoteEvents, type RemoteEndpoint } from './remote-admin.ts';

const LIVENESS_POLL_MS = 2500;

export interface FollowedOwnerOptions {
  endpoint: RemoteEndpoint;
  host: string;
  port: number;
  /** The owner's server instance (from /health), when it said. */
  instance: string | undefined;
  now: number;
  logger: Logger;
  onEvent: (ev: ProxyEvent) => void;
  /** The event stream dropped or the poll is due: check whether the owner is still there. */
  check: () => void;
}

export class FollowedOwner implements IDisposable {
  readonly endpoint: RemoteEndpoint;
  readonly host: string;
  readonly port: number;
  readonly since: number;
  instance: string | undefined;
  private readonly events: IDisposable;
  private readonly poll: IDisposable;

  constructor(o: FollowedOwnerOptions) {
    this.endpoint = o.endpoint;
    this.host = o.host;
    this.port = o.port;
    this.instance = o.instance;
    this.since = o.now;
    this.events = followRemoteEvents(o.endpoint, o.onEvent, o.logger, o.check);
    this.poll = interval(o.check, LIVENESS_POLL_MS);
  }

  get url(): string {
    return this.endpoint.url;
  }

  dispose(): void {
    this.events.dispose();
    this.poll.dispose();
  }
}
