// Ownership of disposables: whoever creates a listener, timer or registration disposes it.
import type * as vscode from 'vscode';

export interface IDisposable {
  dispose(): unknown;
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Base class: `_register` what you own; `dispose` releases it all in reverse order, once. */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: IDisposable[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  protected _register<T extends IDisposable>(d: T): T {
    if (this.disposed) {
      d.dispose();
    } else {
      this.owned.push(d);
    }
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // one failing disposer must not keep the others alive
      }
    }
  }
}

/** An interval owned through a disposable; cleared on dispose. */
export function interval(fn: () => void, ms: number): IDisposable {
  const handle = setInterval(fn, ms);
  return toDisposable(() => clearInterval(handle));
}
