// The real tokenizer (gpt-tokenizer's cl100k, ~1 MB) is needed only by the pre-estimate
// truncation strategy, so shipped bundles load it as a separate file on first use: the core and
// the CLI keep `import('gpt-tokenizer/…')` as `import('./tokenizer.js')`, and idle memory stays
// small. Shared by esbuild.mjs and the bench (which must measure the shipped form).
export const TOKENIZER_ENTRY = 'src/core/conversation/tokenizer-entry.ts';

export const lazyTokenizer = {
  name: 'lazy-tokenizer',
  setup(build) {
    build.onResolve({ filter: /^gpt-tokenizer\/encoding\/cl100k_base$/ }, () => ({ path: './tokenizer.js', external: true }));
  },
};
