// Error messages name the offending field in the caller's own notation: Anthropic's docs and
// errors use dots (`messages.3.content.1.source`), OpenAI's `param` uses brackets
// (`messages[3].content[1].image_url`).

export type PathStyle = 'dot' | 'bracket';
export type FieldPath = readonly (string | number)[];

export function formatPath(path: FieldPath, style: PathStyle): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += style === 'bracket' ? `[${part}]` : out ? `.${part}` : String(part);
    else out += out ? `.${part}` : part;
  }
  return out;
}
