// How the dashboard reaches the proxy: postMessage in a VS Code webview, HTTP in a browser.
// The UI only sees this interface.
import type { AdminMethod, AdminParams, AdminResult, HostInfo } from '../core/admin/protocol.ts';
import type { ProxyEvent } from '../core/proxy-types.ts';

export type HostCommand = 'start' | 'stop' | 'restart' | 'openSettings' | 'addAccount' | 'scanTokens' | 'configureClient';

export interface UiState {
  tab?: 'logs' | 'monitor' | 'settings';
  filter?: string;
  errorsOnly?: boolean;
}

export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

export interface Transport {
  readonly kind: 'vscode' | 'http';
  /** Handshake; resolves with what the host says about itself. */
  connect(): Promise<HostInfo>;
  call<M extends AdminMethod>(method: M, params?: AdminParams<M>): Promise<AdminResult<M>>;
  onEvent(listener: (ev: ProxyEvent) => void): void;
  onHostInfo(listener: (info: HostInfo) => void): void;
  /** Editor commands (only in VS Code). */
  readonly commands: boolean;
  command(c: HostCommand): void;
  loadState(): UiState;
  saveState(s: UiState): void;
}
