/**
 * A local Entra ID stand-in for Teams SSO: OpenID discovery and a JWKS over HTTP, and tokens
 * signed like Entra's v2 access tokens (RS256, kid, iss, aud, scp, oid, tid, exp).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export class EntraStandIn {
  private server: http.Server | undefined;
  private privateKey!: KeyLike;
  private jwk!: JWK;

  get authority(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(tenant: string): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', use: 'sig', alg: 'RS256' };
    this.server = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === `/${tenant}/v2.0/.well-known/openid-configuration`) {
        res.end(JSON.stringify({ issuer: `${this.authority}/${tenant}/v2.0`, jwks_uri: `${this.authority}/${tenant}/discovery/v2.0/keys` }));
      } else if (req.url === `/${tenant}/discovery/v2.0/keys`) {
        res.end(JSON.stringify({ keys: [this.jwk] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.authority;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  async token(claims: Record<string, unknown>, options: { audience: string; tenant: string; expiresIn?: string; key?: KeyLike }): Promise<string> {
    return new SignJWT({ scp: 'access_as_user', name: 'Marja Manager', tid: options.tenant, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(`${this.authority}/${options.tenant}/v2.0`)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '1h')
      .sign(options.key ?? this.privateKey);
  }
}
