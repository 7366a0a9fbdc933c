// OpenAI-style image references: only inline base64 data URLs can reach Kiro.
import type { FieldPath } from './field-path.ts';
import { isRemoteUrl, parseDataUrl, type InlineImage } from './data-url.ts';
import { fieldError } from './validate.ts';

export function imageFromUrl(url: string, path: FieldPath): InlineImage {
  const img = parseDataUrl(url);
  if (img) return img;
  if (isRemoteUrl(url)) {
    throw fieldError(
      path,
      'bracket',
      'http(s) image URLs are not supported (the proxy does not fetch URLs); send a base64 data URL (data:image/png;base64,…)',
      'image_url_unsupported',
    );
  }
  throw fieldError(path, 'bracket', 'expected a base64 data URL (data:image/png;base64,…)', 'invalid_image_url');
}
