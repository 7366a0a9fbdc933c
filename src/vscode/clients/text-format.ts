// The layout facts of a text file that an edit must keep: its line ending, its indentation and a
// byte-order mark; plus the masking of the API key in what the user is shown.

export interface TextLayout {
  eol: '\n' | '\r\n';
  /** One indentation step as the file writes it. */
  indent: string;
  bom: boolean;
}

/** The file's own line ending (the most frequent one), indentation unit, and BOM. */
export function detectLayout(text: string, fallbackIndent = '  '): TextLayout {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const eol = crlf > lf ? '\r\n' : '\n';
  const spaces = smallestIndent(text);
  const indent = /^\t+\S/m.test(text) && spaces === 0 ? '\t' : spaces > 0 ? ' '.repeat(spaces) : fallbackIndent;
  return { eol, indent, bom: text.charCodeAt(0) === 0xfeff };
}

/** The smallest non-zero run of leading spaces: the file's indentation step. */
function smallestIndent(text: string): number {
  let min = 0;
  for (const m of text.matchAll(/^( +)\S/gm)) {
    const n = m[1]!.length;
    if (n > 0 && (min === 0 || n < min)) min = n;
  }
  return min;
}

/** `kp-abc…wxyz` → `kp-••••••••wxyz`: enough to recognise the key, not enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '••••••••';
  const prefix = secret.startsWith('kp-') ? 'kp-' : '';
  return `${prefix}••••••••${secret.slice(-4)}`;
}

/** Every occurrence of each secret, and of any Kiro Proxy key (kp-…), in `text` replaced by its mask. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join(maskSecret(s));
  return out.replace(/kp-[A-Za-z0-9_-]{16,}/g, (k) => maskSecret(k));
}

/** Decodes UTF-8 strictly (a file that is not UTF-8 is not ours to rewrite). */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Error(`${what} is not UTF-8 text; Kiro Proxy leaves it alone`);
  }
}
