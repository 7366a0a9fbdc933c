// Response ids: each dialect prefixes the request id the way its clients expect (msg_…,
// chatcmpl-…, resp_…), without doubling a prefix the id already has.

export function prefixedId(prefix: string, requestId: string): string {
  const clean = requestId.replace(/[^A-Za-z0-9_-]/g, '');
  return clean.startsWith(prefix) ? clean : `${prefix}${clean}`;
}
