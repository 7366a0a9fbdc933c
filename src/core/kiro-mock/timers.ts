// Every pause the mock takes goes through one owner so close() can cancel them all; a pending
// sleep resolves (never hangs) when cancelled, and callers then see the closed socket.

export class TimerSet {
  private readonly pending = new Map<ReturnType<typeof setTimeout>, () => void>();

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.pending.delete(t);
        resolve();
      }, ms);
      this.pending.set(t, resolve);
    });
  }

  clearAll(): void {
    for (const [t, resolve] of this.pending) {
      clearTimeout(t);
      resolve();
    }
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
