// Entry of dist/tokenizer.js, the lazily loaded tokenizer bundle (see esbuild.mjs).
export { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
