// The words the controller and the windows share about the proxy port: who serves it as this
// window sees it (ServeState), what every window's user must be told (Announcement), and the one
// error that names the port as taken by another program. Kept apart so the views, the controller
// and the cross-window rules (serving-windows.ts) depend on these, not on each other.

export type ServeState =
  | { kind: 'stopped'; note?: string }
  | { kind: 'starting' }
  | { kind: 'running'; url: string; port: number }
  | { kind: 'other-window'; url: string; port: number }
  | { kind: 'error'; message: string };

/** Something every window's user should be told (the host shows it as a notification). */
export interface Announcement {
  level: 'info' | 'warning';
  message: string;
}

/** Why this window's server stops: the user here, a restart, or a Stop chosen in another window. */
export type StopReason = 'user' | 'restart' | 'other-window';

export class PortInUseError extends Error {
  constructor(host: string, port: number, detail?: string) {
    super(
      `Port ${port} on ${host} is used by another program${detail ? ` (${detail})` : ''}, so Kiro Proxy cannot listen there. ` +
        `Stop that program or choose another port in the setting "kiroProxy.port" (the proxy never moves to another port by itself).`,
    );
    this.name = 'PortInUseError';
  }
}
