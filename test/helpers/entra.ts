/**
 * A local Entra ID stand-in: for Teams SSO, OpenID discovery and a JWKS over HTTP and tokens
 * signed like Entra's v2 access tokens (RS256, kid, iss, aud, scp, oid, tid, exp); for the
 * bot's credentials, the v2 token endpoint's client-credentials grant with Entra's error
 * answers (AADSTS codes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export class EntraStandIn {
  /** Set to e.g. 500 to make the key set unavailable. */
  keysStatus = 200;
  /** App registrations for the token endpoint: client id -> secret, per tenant. */
  readonly apps = new Map<string, { tenant: string; secret: string }>();
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
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.url ?? '');
      if (req.method === 'POST' && token) {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const answer = this.tokenAnswer(token[1], new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
          res.statusCode = answer.status;
          res.end(JSON.stringify(answer.body));
        });
        return;
      }
      if (req.url === `/${tenant}/v2.0/.well-known/openid-configuration`) {
        res.end(JSON.stringify({ issuer: `${this.authority}/${tenant}/v2.0`, jwks_uri: `${this.authority}/${tenant}/discovery/v2.0/keys` }));
      } else if (req.url === `/${tenant}/discovery/v2.0/keys`) {
        res.statusCode = this.keysStatus;
        res.end(JSON.stringify(this.keysStatus === 200 ? { keys: [this.jwk] } : { error: 'unavailable' }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.authority;
  }

  /** The client-credentials grant as Entra answers it (error texts shortened from Entra's own). */
  private tokenAnswer(tenant: string, form: URLSearchParams): { status: number; body: Record<string, unknown> } {
    const error = (status: number, code: string, description: string) => ({ status, body: { error: code, error_description: `${description}\r\nTrace ID: 0000\r\nCorrelation ID: 0000`, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1])] } });
    const app = this.apps.get(form.get('client_id') ?? '');
    if (form.get('grant_type') !== 'client_credentials') return error(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    if (!app || app.tenant !== tenant) return error(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`);
    if (form.get('client_secret') !== app.secret) return error(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${form.get('client_id')}'.`);
    if (form.get('scope') !== 'https://api.botframework.com/.default') return error(400, 'invalid_scope', `AADSTS70011: The provided request must include a 'scope' input parameter.`);
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: `eyJ0eXAiOiJKV1QifQ.${Buffer.from(JSON.stringify({ aud: 'https://api.botframework.com', appid: form.get('client_id') })).toString('base64url')}.c2ln` } };
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
