// Fake but realistically long tokens: Kiro refresh tokens are >100 chars, and tests check that
// none of these strings ever shows up in a problem or error message.
export const RT = `aorAAAAAG-refresh-${'R'.repeat(120)}:MGUCMQ-secret`;
export const RT2 = `aorAAAAAG-rotated-${'Q'.repeat(120)}:MGUCMQ-secret`;
export const AT = `aoaAAAAAG-access-${'A'.repeat(120)}`;
export const AT2 = `aoaAAAAAG-access2-${'B'.repeat(120)}`;
export const CLIENT_SECRET = `eyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0.${'S'.repeat(80)}`;
const SECRETS = [RT, RT2, AT, AT2, CLIENT_SECRET];

export function assertNoSecrets(text: string, extra: string[] = []): void {
  for (const s of [...SECRETS, ...extra]) {
    if (text.includes(s) || (s.length > 24 && text.includes(s.slice(0, 24)))) throw new Error(`secret leaked into: ${text.slice(0, 200)}`);
  }
}
