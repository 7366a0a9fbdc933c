/**
 * Waits for `p`, but rejects with the signal's reason as soon as `signal` aborts, so a caller is
 * never held by work that ignores its signal (a shared refresh, a client that does not listen).
 * The work itself goes on; `onLateValue` receives its value if it still arrives, e.g. to release
 * a resource nobody will use.
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal, onLateValue?: (value: T) => void): Promise<T> {
  const abandon = () => {
    p.then(
      (v) => onLateValue?.(v),
      () => undefined,
    );
  };
  if (signal.aborted) {
    abandon();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      abandon();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
