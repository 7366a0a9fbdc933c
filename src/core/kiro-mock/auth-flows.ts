// Login-flow state of one mock: OIDC client registrations, device codes (RFC 8628) and PKCE
// authorization codes (social /login and IdC /authorize).
import { createHash, randomBytes } from 'node:crypto';

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
}

type DeviceStatus = 'pending' | 'approved' | 'denied' | 'consumed';

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  expiresAt: number;
  status: DeviceStatus;
  polls: number;
}

export interface AuthCode {
  code: string;
  kind: 'social' | 'idc';
  /** Google / Github for social. */
  idp?: string;
  clientId?: string;
  redirectUri: string;
  challenge: string;
  used: boolean;
  expiresAt: number;
}

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** base64url(sha256(verifier)), the S256 PKCE transform. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class AuthFlows {
  readonly clients = new Map<string, RegisteredClient>();
  readonly devices = new Map<string, DeviceCode>();
  readonly codes = new Map<string, AuthCode>();

  registerClient(init: Omit<RegisteredClient, 'clientId' | 'clientSecret'> & { clientId?: string; clientSecret?: string }): RegisteredClient {
    const client: RegisteredClient = {
      clientId: init.clientId ?? `mockclient-${randomBytes(12).toString('base64url')}`,
      clientSecret: init.clientSecret ?? `eyJraWQiOiJtb2NrIn0.${randomBytes(48).toString('base64url')}`,
      redirectUris: init.redirectUris,
      grantTypes: init.grantTypes,
      scopes: init.scopes,
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  checkClient(clientId: unknown, clientSecret: unknown): RegisteredClient | undefined {
    const c = typeof clientId === 'string' ? this.clients.get(clientId) : undefined;
    return c && c.clientSecret === clientSecret ? c : undefined;
  }

  newDevice(clientId: string, expiresAt: number): DeviceCode {
    const pick = () => USER_CODE_ALPHABET[randomBytes(1)[0]! % USER_CODE_ALPHABET.length];
    let userCode = '';
    for (let i = 0; i < 8; i++) userCode += (i === 4 ? '-' : '') + pick();
    const device: DeviceCode = {
      deviceCode: randomBytes(32).toString('base64url'),
      userCode,
      clientId,
      expiresAt,
      status: 'pending',
      polls: 0,
    };
    this.devices.set(device.deviceCode, device);
    return device;
  }

  deviceByUserCode(userCode: string): DeviceCode | undefined {
    for (const d of this.devices.values()) if (d.userCode === userCode) return d;
    return undefined;
  }

  newCode(init: Omit<AuthCode, 'code' | 'used'>): AuthCode {
    const code: AuthCode = { ...init, code: randomBytes(24).toString('base64url'), used: false };
    this.codes.set(code.code, code);
    return code;
  }

  clear(): void {
    this.devices.clear();
    this.codes.clear();
  }
}
