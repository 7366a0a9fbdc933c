import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalBase64, imageFormatOf, toDraftImage } from '../../../../src/core/conversation/rules/image-format.ts';
import { ProxyError } from '../../../../src/core/errors.ts';
import { PNG_1PX } from '../helpers.ts';

test('image-format maps the four Kiro formats from media types', () => {
  assert.equal(imageFormatOf('image/png'), 'png');
  assert.equal(imageFormatOf('image/jpg'), 'jpeg');
  assert.equal(imageFormatOf('IMAGE/JPEG'), 'jpeg');
  assert.equal(imageFormatOf('image/gif'), 'gif');
  assert.equal(imageFormatOf('image/webp'), 'webp');
  assert.equal(imageFormatOf('image/bmp'), undefined);
});

test('image-format canonicalises data URLs, whitespace, base64url and padding', () => {
  assert.equal(canonicalBase64(`data:image/png;base64,${PNG_1PX}`), PNG_1PX);
  assert.equal(canonicalBase64('QUJD\nRA'), 'QUJDRA==');
  assert.equal(canonicalBase64('-_-_'), '+/+/');
  assert.equal(canonicalBase64(''), undefined);
  assert.equal(canonicalBase64('not base64!'), undefined);
});

test('image-format refuses unsupported types with a clear 400', () => {
  assert.throws(
    () => toDraftImage('image/svg+xml', PNG_1PX, 'messages[0].content[1]'),
    (e: unknown) => e instanceof ProxyError && e.status === 400 && /image\/svg\+xml/.test(e.message) && /png, image\/jpeg/.test(e.message),
  );
  assert.throws(
    () => toDraftImage('image/png', '', 'x'),
    (e: unknown) => e instanceof ProxyError && e.kind === 'invalid_request',
  );
});
