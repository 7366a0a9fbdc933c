// What a credential source reports instead of throwing: which file, which field, what is wrong.

export interface CredentialProblem {
  /** File path, 'base64', `$ENV_NAME`, or the label an import was given. */
  source: string;
  /** e.g. `[1].refreshToken`; absent when the whole source is at fault. */
  field?: string;
  /** Complete sentence for users: `<source>: <field>: <what>`. Never contains a secret. */
  message: string;
  /** warning: the credential is still usable (or the problem may be harmless). */
  severity: 'error' | 'warning';
}

export function problem(source: string, field: string | undefined, what: string, severity: 'error' | 'warning' = 'error'): CredentialProblem {
  const message = field ? `${source}: ${field}: ${what}` : `${source}: ${what}`;
  return field ? { source, field, message, severity } : { source, message, severity };
}

/** `[1]` + `refreshToken` → `[1].refreshToken`; a lone object has no index prefix. */
export function fieldPath(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}
