// Rule image-format: Kiro takes png/jpeg/gif/webp as padded base64 only. Anything else is a
// client error we cannot repair, so it becomes a clear 400 instead of Kiro's opaque one.
import { invalidRequest } from '../../errors.ts';
import type { ImageFormat } from '../types.ts';
import type { DraftImage } from '../draft.ts';

const FORMATS: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function imageFormatOf(mediaType: string): ImageFormat | undefined {
  return FORMATS[mediaType.trim().toLowerCase().split(';')[0] ?? ''];
}

/** Accepts data-URL prefixes, whitespace, base64url and missing padding; returns canonical base64. */
export function canonicalBase64(data: string): string | undefined {
  const raw = data
    .replace(/^data:[^,]*,/, '')
    .replace(/\s+/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .replace(/=+$/, '');
  if (raw.length === 0 || raw.length % 4 === 1) return undefined;
  const padded = raw + '='.repeat((4 - (raw.length % 4)) % 4);
  return BASE64.test(padded) ? padded : undefined;
}

export function toDraftImage(mediaType: string, data: string, where: string): DraftImage {
  const format = imageFormatOf(mediaType);
  if (!format) {
    throw invalidRequest(`${where}: unsupported image type ${JSON.stringify(mediaType)}; Kiro accepts image/png, image/jpeg, image/gif and image/webp`, {
      code: 'unsupported_image_format',
    });
  }
  const bytes = canonicalBase64(data);
  if (!bytes) throw invalidRequest(`${where}: image data is empty or not valid base64`, { code: 'invalid_image_data' });
  return { format, bytes };
}
