// Images reach Kiro only as inline bytes, so clients must send base64 `data:` URLs.

export interface InlineImage {
  mediaType: string;
  data: string;
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s;

/** `data:image/png;base64,AAAA` → { mediaType, data }; undefined when it is not a base64 data URL. */
export function parseDataUrl(url: string): InlineImage | undefined {
  const m = DATA_URL.exec(url.trim());
  if (!m || !m[1] || m[3] === undefined) return undefined;
  return { mediaType: m[1].toLowerCase(), data: m[3] };
}

export const isRemoteUrl = (url: string): boolean => /^https?:\/\//i.test(url.trim());
