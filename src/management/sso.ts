/**
 * Teams SSO for the management tab (R16): the tab sends the token from
 * authentication.getAuthToken(); we check its signature against Entra ID's published keys
 * (OpenID discovery), issuer, audience (our app id), expiry, the access_as_user scope, the
 * tenant, and that the caller is a manager (the settings' list or a grant of /rechten, asked
 * each time, so a revoked manager is refused at once).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { TabSettings } from '../config';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../http/errors';

export interface Manager {
  oid: string;
  name: string | undefined;
}

export class SsoVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private issuer: string | undefined;

  constructor(
    private readonly config: TabSettings,
    private readonly isManager: (aadObjectId: string) => Promise<boolean>,
  ) {}

  async verify(authorization: string | undefined): Promise<Manager> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedError('a Teams SSO token is required (Authorization: Bearer)');
    const appId = this.config.bot.appId!;
    const { jwks, issuer } = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: [appId, `api://${new URL(this.config.publicBaseUrl).host}/${appId}`],
        algorithms: ['RS256'],
      }));
    } catch (error) {
      if (keysUnreachable(error)) throw new ServiceUnavailableError('the signing keys of Entra ID cannot be fetched right now; try again');
      throw new UnauthorizedError(`the token is not valid (${(error as { code?: string }).code ?? 'invalid'})`);
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes('access_as_user')) throw new UnauthorizedError('the token lacks the access_as_user scope');
    const oid = typeof payload.oid === 'string' ? payload.oid : '';
    if (!oid || !(await this.isManager(oid))) throw new ForbiddenError('only management may see these figures');
    return { oid, name: typeof payload.name === 'string' ? payload.name : undefined };
  }

  /** Discovery once per process; jose caches and refreshes the key set itself. */
  private async keys(): Promise<{ jwks: ReturnType<typeof createRemoteJWKSet>; issuer: string }> {
    if (this.jwks && this.issuer) return { jwks: this.jwks, issuer: this.issuer };
    const tenant = this.config.bot.tenantId ?? 'organizations';
    let res: Response;
    try {
      res = await fetch(`${this.config.bot.authorityUrl}/${tenant}/v2.0/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
    } catch {
      throw new ServiceUnavailableError('Entra ID cannot be reached to check the token right now; try again');
    }
    if (!res.ok) throw new ServiceUnavailableError(`Entra ID answered ${res.status} to the OpenID discovery; try again`);
    const discovery = (await res.json()) as { jwks_uri: string; issuer: string };
    this.jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    this.issuer = discovery.issuer.replace('{tenantid}', tenant);
    return { jwks: this.jwks, issuer: this.issuer };
  }
}

/** jose's errors for a key set it could not fetch (network, timeout, non-200), as opposed to a bad token. */
function keysUnreachable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string };
  return e.code === 'ERR_JWKS_TIMEOUT' || e.name === 'TypeError' || e.name === 'AbortError' || /Expected 200 OK from the JSON Web Key Set/.test(e.message ?? '');
}
