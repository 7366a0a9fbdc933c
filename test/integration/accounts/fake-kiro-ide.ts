// Acts as the Kiro IDE on an SSO token file, in its own process: every INTERVAL ms it refreshes
// the token it finds in the file at the social auth endpoint and rewrites the file in place,
// taking no lock (as the IDE does). A rejected token is re-read and retried once.
// Usage: node fake-kiro-ide.ts FILE AUTH_BASE INTERVAL_MS   — SIGTERM prints {"refreshes","rejected"}.
import { readFileSync, writeFileSync } from 'node:fs';

const [file, auth, every] = process.argv.slice(2) as [string, string, string];
let refreshes = 0;
let rejected = 0;
let stop = false;

async function refreshOnce(): Promise<boolean> {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const res = await fetch(`${auth}/refreshToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'fake-kiro-ide' },
    body: JSON.stringify({ refreshToken: doc['refreshToken'] }),
  });
  const body = (await res.json()) as { accessToken?: string; refreshToken?: string; expiresIn?: number };
  if (res.status !== 200) return false;
  doc['accessToken'] = body.accessToken;
  doc['refreshToken'] = body.refreshToken;
  doc['expiresAt'] = new Date(Date.now() + (body.expiresIn ?? 3600) * 1000).toISOString();
  writeFileSync(file, JSON.stringify(doc, null, 2));
  refreshes++;
  return true;
}

process.on('SIGTERM', () => {
  stop = true;
});

while (!stop) {
  await new Promise((r) => setTimeout(r, Number(every)));
  if (stop) break;
  try {
    if (!(await refreshOnce())) {
      rejected++;
      await new Promise((r) => setTimeout(r, 50));
      await refreshOnce();
    }
  } catch {
    rejected++;
  }
}
process.stdout.write(`${JSON.stringify({ refreshes, rejected })}\n`);
