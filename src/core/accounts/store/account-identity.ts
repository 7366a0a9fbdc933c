// Which stored account a credential read from a file is. A creds-file entry and the SSO cache's
// token file carry no account id, and their tokens rotate, so neither position nor token names the
// account: the fingerprints of every token an account held (its store record), and for the SSO
// file the user Kiro reports for the token, find it again. Ids made by older versions are taken
// over once, for accounts the store does not know yet. In team mode a credential no local record
// knows is looked up in the team's identity index (team/team-identity.ts) before a new id is made,
// so every instance gives an account the same id whatever token its file holds by now.
import type { Logger, SecretStore } from '../../proxy-types.ts';
import { messageOf } from '../../team/errors.ts';
import type { TeamIdentity } from '../../team/team-identity.ts';
import { credentialId, sha256Hex, type KiroCredential, type LoadedCredential } from '../credentials/credential.ts';
import { machineIdFor } from '../../kiro/request-headers.ts';
import { tokenFingerprint } from '../tokens/token-fingerprint.ts';
import { ACCOUNT_SECRET_PREFIX, readAccountRecord, type AccountRecord } from './account-record.ts';
import { linkedTo, ownerOf, userFingerprint, type AccountEntry, type UserIdentity, type WhoIs } from './account-entry.ts';
import type { StoredMeta } from './account-meta.ts';

/** The account's store record; before records, base64/env accounts kept rotated tokens under `<id>.rotated`. */
export async function storedRecordFor(secrets: SecretStore, loaded: LoadedCredential): Promise<AccountRecord | undefined> {
  const rec = await readAccountRecord(secrets, loaded.id).catch(() => undefined);
  if (rec) return rec;
  const rotated = await secrets.get(ACCOUNT_SECRET_PREFIX + loaded.id + '.rotated');
  if (!rotated) return undefined;
  try {
    const r = JSON.parse(rotated) as Partial<KiroCredential>;
    const credential = { ...loaded.credential, ...r };
    return { credential, history: credential.refreshToken ? [tokenFingerprint(credential.refreshToken)] : [] };
  } catch {
    return undefined;
  }
}

/** An id an older version made, free to take over: in config.json, not in use, without a record. */
async function isUnclaimedLegacy(secrets: SecretStore, meta: StoredMeta, id: string, inUse: (id: string) => boolean): Promise<boolean> {
  return Boolean(meta.accounts[id]) && !inUse(id) && !(await readAccountRecord(secrets, id).catch(() => undefined));
}

/** Team mode: where to ask whose token a credential holds. */
export interface TeamLookup {
  identity: TeamIdentity;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * The team's id for a credential no local record knows, if the team knows its token and the id
 * is free here. Redis away: undefined (today's naming), said clearly; the claim made when the
 * account joins reports a clash once Redis is back (team-identity.ts).
 */
async function teamAccountId(team: TeamLookup | undefined, fp: string, taken: (id: string) => boolean, what: string): Promise<string | undefined> {
  if (!team) return undefined;
  let id: string | undefined;
  try {
    id = await team.identity.lookup([fp], team.signal);
  } catch (err) {
    team.logger.warn(
      `[accounts] ${what}: could not ask the team (Redis) whether it knows this credential (${messageOf(err)}); naming the account from the credential alone. ` +
        'If another instance serves it under another id, the two do not share it; a warning says so once Redis is reachable',
    );
    return undefined;
  }
  if (id === undefined) return undefined;
  if (taken(id)) {
    team.logger.warn(
      `[accounts] ${what}: the team knows this credential as account ${id}, which this instance already has for another credential; a new id is made`,
    );
    return undefined;
  }
  team.logger.info(`[accounts] ${what}: the team knows this credential as account ${id}; using that id`);
  return id;
}

/**
 * A creds-file entry's account id. Entries move (users reorder and extend the array) and their
 * refresh token changes on every rotation, so neither index nor token names the account. The
 * id is made once from the path and the first refresh token seen for the credential, and found
 * again through the fingerprints of every token the account held since (kept in its store
 * record): a reordered, extended or stale-token file maps each entry to the same account, with
 * the same label, enabled flag and the newest token the proxy has. Ids made by older versions
 * from the position are taken over once, for entries the store does not know yet. In team mode an
 * entry the store does not know takes the id the team knows its token by (another instance may
 * have named the account before the file was rotated, or from another path).
 */
export async function fileAccountId(
  secrets: SecretStore,
  meta: StoredMeta,
  path: string,
  loaded: LoadedCredential,
  used: ReadonlySet<string>,
  team?: TeamLookup,
): Promise<string> {
  const rt = loaded.credential.refreshToken ?? loaded.credential.accessToken ?? '';
  const fp = tokenFingerprint(rt);
  for (const [id, m] of Object.entries(meta.accounts)) {
    if (m.file !== path || used.has(id)) continue;
    const rec = await readAccountRecord(secrets, id).catch(() => undefined);
    if (rec?.history.includes(fp)) return id;
  }
  const legacy = loaded.id;
  if (await isUnclaimedLegacy(secrets, meta, legacy, (id) => used.has(id))) return legacy;
  const known = await teamAccountId(
    team,
    fp,
    // The proxy's own (imported) accounts load from the store, not from this file.
    (i) => used.has(i) || meta.accounts[i]?.imported !== undefined,
    `${path} (${loaded.label})`,
  );
  if (known) return known;
  let id = `file-${sha256Hex(`file\0${path}\0${fp}`).slice(0, 12)}`;
  for (let n = 2; used.has(id); n++) id = `file-${sha256Hex(`file\0${path}\0${fp}\0${n}`).slice(0, 12)}`;
  return id;
}

export interface SsoFileContext {
  entries: ReadonlyMap<string, AccountEntry>;
  meta: StoredMeta;
  secrets: SecretStore;
  whoIs: WhoIs | undefined;
  signal: AbortSignal;
  /** Re-reads a token file (after the linked accounts looked at it). */
  reload: () => Promise<KiroCredential | undefined>;
  team?: TeamLookup | undefined;
}

/** An account the proxy has, or the new account a token file's credential becomes. */
export type SsoFileAccount = { existing: string } | { id: string; fingerprint: string; who: UserIdentity | undefined; user: string | undefined };

/**
 * Whose account the SSO token file at `path` holds (importSsoFile's rules): a token an account
 * has or had is that account; otherwise Kiro's user id for the token: the same user as an account
 * is that account, another user a new one. When the user cannot be told, an automatic import
 * leaves the file to the account linked to it.
 */
export async function identifySsoFile(ctx: SsoFileContext, path: string, cred: KiroCredential, options: { auto?: boolean }): Promise<SsoFileAccount> {
  const { entries, signal } = ctx;
  const owner = ownerOf(entries, cred.refreshToken);
  if (owner) {
    await entries
      .get(owner)
      ?.sync?.checkDisk(signal)
      .catch(() => undefined);
    return { existing: owner };
  }
  // Let the accounts linked to the file look first: one of them may recognise a rotated token
  // as its own, or find out the file now holds someone else.
  for (const [, e] of linkedTo(entries, path)) await e.sync?.checkDisk(signal).catch(() => undefined);
  const again = ownerOf(entries, (await ctx.reload())?.refreshToken);
  if (again) return { existing: again };
  const machineId = machineIdFor(path);
  const who = await ctx.whoIs?.(cred, machineId, signal).catch(() => undefined);
  const user = who ? userFingerprint(who.userId) : undefined;
  if (user) {
    const same = [...entries].find(([, e]) => e.sync?.userFingerprint === user);
    if (same) return { existing: same[0] };
  } else if (linkedTo(entries, path).length > 0) {
    // Whose token this is cannot be told (its access token expired), and an account linked
    // to the file will try it if its own token is rejected: a second account on the same
    // refresh token would kill both.
    const [id] = linkedTo(entries, path)[0]!;
    if (options.auto) return { existing: id };
  }
  const fingerprint = tokenFingerprint(cred.refreshToken ?? '');
  const known = await teamAccountId(ctx.team, fingerprint, (i) => entries.has(i) || ctx.meta.accounts[i]?.file !== undefined, path);
  if (known) return { id: known, fingerprint, who, user };
  const legacy = credentialId({ type: 'sso-cache', path }, cred);
  const id = (await isUnclaimedLegacy(ctx.secrets, ctx.meta, legacy, (i) => entries.has(i)))
    ? legacy
    : `acct-${sha256Hex(`sso\0${path}\0${fingerprint}`).slice(0, 12)}`;
  return { id, fingerprint, who, user };
}
