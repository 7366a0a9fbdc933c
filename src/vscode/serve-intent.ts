// What the windows of one machine agree on about the proxy port, kept in one small file in the
// state home they share: who serves (and which server instance), that a user pressed Stop, or
// that the serving window is only restarting. A window that sees the server go away reads it to
// tell "stopped on purpose" (stay stopped) from "its window closed or crashed" (take over).
import { mkdir, readFile } from 'node:fs/promises';
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/fs/atomic-write.ts';
import { toDisposable, type IDisposable } from './lifecycle.ts';

const INTENT_FILE = 'vscode-serving.json';

const base = { port: z.number().int(), at: z.number(), pid: z.number().int(), window: z.string() };
const intentSchema = z.discriminatedUnion('state', [
  z.looseObject({ state: z.literal('serving'), ...base, instance: z.string(), url: z.string() }),
  z.looseObject({ state: z.literal('restarting'), ...base, instance: z.string().optional() }),
  z.looseObject({ state: z.literal('stopped'), ...base }),
  z.looseObject({ state: z.literal('restart-requested'), ...base }),
]);
export type ServeIntent = z.infer<typeof intentSchema>;

/** A restart that has not finished within this is over (the window died mid-way). */
export const RESTART_GRACE_MS = 15_000;

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type OwnerGoneDecision = 'stay-stopped' | 'wait' | 'take-over';

/**
 * The server this window followed is gone. `followingSince`: when it began following; a Stop
 * older than that was answered already (someone started again since).
 */
export function decideOwnerGone(
  intent: ServeIntent | undefined,
  ctx: { port: number; now: number; followingSince: number; alive(pid: number): boolean },
): OwnerGoneDecision {
  if (!intent) return 'take-over';
  // A restart may be a move to another port (the settings of every window change with it).
  if (intent.state === 'restarting' && ctx.now - intent.at < RESTART_GRACE_MS && ctx.alive(intent.pid)) return 'wait';
  if (intent.port !== ctx.port) return 'take-over';
  if (intent.state === 'stopped' && intent.at >= ctx.followingSince - 1000) return 'stay-stopped';
  return 'take-over';
}

/** AutoStart in a new window honours a Stop made in this editor session (its window still runs). */
export function stopStillInForce(intent: ServeIntent | undefined, port: number, alive: (pid: number) => boolean): boolean {
  return intent?.state === 'stopped' && intent.port === port && alive(intent.pid);
}

export class ServeIntentFile {
  readonly path: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.path = join(dir, INTENT_FILE);
  }

  async read(): Promise<ServeIntent | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = intentSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async write(intent: ServeIntent): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.path, `${JSON.stringify(intent)}\n`, { mode: 0o600 });
  }

  /**
   * Calls `onChange` when the file may have changed (debounced). fs.watch on the folder sees the
   * atomic rename; where watching is not possible, a slow stat-free poll of the content stands in.
   */
  watch(onChange: () => void, pollMs = 2000): IDisposable {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fire = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        onChange();
      }, 50);
    };
    let watcher: FSWatcher | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    try {
      // A fresh install has no state folder yet; the folder, not the file, is watched.
      mkdirSync(this.dir, { recursive: true });
      watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (!name || name === INTENT_FILE) fire();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
        poll ??= setInterval(fire, pollMs);
      });
    } catch {
      poll = setInterval(fire, pollMs);
    }
    return toDisposable(() => {
      watcher?.close();
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
    });
  }
}
