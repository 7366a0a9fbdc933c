// Expiry timestamps come in whatever shape the tool that wrote the file liked.

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2}))?(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch ms from: ISO-8601 with any number of fraction digits (kiro-cli converters write 9,
 * which Date.parse rejects) and `Z` or `±hh:mm`/`±hhmm` zones (no zone = UTC); epoch seconds or
 * ms as a number or numeric string. Undefined when unparseable.
 */
export function parseExpiresAt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? epochMs(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochMs(Number(text));
  const m = ISO.exec(text);
  if (m) {
    const [, date, hm, sec = '00', frac = '', zone = 'Z'] = m;
    const ms = (frac + '000').slice(0, 3);
    const z = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    const t = Date.parse(`${date}T${hm}:${sec}.${ms}${z}`);
    return Number.isNaN(t) ? undefined : t;
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/** Values below 1e12 cannot be ms since 1970 in any realistic year, so they are seconds. */
function epochMs(n: number): number {
  return n < 1e12 ? Math.round(n * 1000) : Math.round(n);
}

export function toIsoString(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
