// zod at the edge: parse a value with a schema and turn the first failure into a 400 that names
// the field, in the dialect's path notation.
import type * as z from 'zod';
import { invalidRequest, ProxyError } from '../../errors.ts';
import { formatPath, type FieldPath, type PathStyle } from './field-path.ts';

interface Issue {
  code?: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  input?: unknown;
  errors?: Issue[][];
}

/** Picks the most specific issue: inside a union, follow the branch that got furthest. */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first && (!best || first.path.length > best.path.length)) best = first;
  }
  if (!best || best.path.length === 0) {
    const expected = issue.errors.map((b) => b[0]?.expected).filter((e): e is string => !!e);
    return expected.length ? { ...issue, message: `Invalid input: expected ${[...new Set(expected)].join(' or ')}` } : issue;
  }
  const inner = deepestIssue(best);
  return { ...inner, path: [...issue.path, ...inner.path] };
}

function toPath(keys: PropertyKey[]): (string | number)[] {
  return keys.map((k) => (typeof k === 'number' ? k : String(k)));
}

/** The ProxyError for a zod failure at `base`. */
function zodFailure(error: z.ZodError, base: FieldPath, style: PathStyle): ProxyError {
  const first = error.issues[0] as Issue | undefined;
  if (!first) return invalidRequest('invalid request body');
  const issue = deepestIssue(first);
  const path = [...base, ...toPath(issue.path)];
  const where = formatPath(path, style);
  // zod says "expected string, received undefined" for a missing field; say it plainly.
  const message = issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? 'is required' : issue.message;
  return invalidRequest(where ? `${where}: ${message}` : `request body: ${message}`, where ? { param: where } : {});
}

/** Parses `value` with `schema`; on failure throws a 400 naming the field under `base`. */
export function parseAt<S extends z.ZodType>(schema: S, value: unknown, base: FieldPath, style: PathStyle): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodFailure(result.error, base, style);
  return result.data;
}

/** A 400 about one field. */
export function fieldError(path: FieldPath, style: PathStyle, message: string, code?: string): ProxyError {
  const where = formatPath(path, style);
  return invalidRequest(where ? `${where}: ${message}` : message, { param: where || undefined, code });
}

/**
 * Runs a parser so that nothing but a ProxyError escapes: a bug or an odd input that trips a
 * TypeError still answers a clean 400 instead of a 500 or a crash.
 */
export function guardParse<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    return rethrowAsInvalid(err);
  }
}

function rethrowAsInvalid(err: unknown): never {
  const detail = err instanceof Error && err.message ? `: ${err.message}` : '';
  throw invalidRequest(`could not parse the request body${detail}`, { cause: err });
}
