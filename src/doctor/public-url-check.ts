/** PUBLIC_BASE_URL: https, and the service's /healthz answers through it when this machine can reach it. */
import type { Config } from '../config';
import { fail, ok, reason, skip, type CheckResult } from './check';

const NAME = 'public URL';

export async function checkPublicUrl(config: Config): Promise<CheckResult> {
  const base = config.publicBaseUrl;
  const local = config.bot.localMode && config.whatsapp.localMode;
  if (!base.startsWith('https://')) {
    return local
      ? skip(NAME, `${base} (local mode: Teams and Meta need an https origin only in production)`)
      : fail(NAME, `${base} is not https: Teams and Meta only call https addresses`, 'set PUBLIC_BASE_URL to the https origin of the reverse proxy or load balancer, e.g. https://storing.cbgconnect.nl');
  }
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string };
    if (res.status === 200) return ok(NAME, `${base}/healthz answers 200 (${body.status ?? 'ok'})`);
    return fail(NAME, `${base}/healthz answers ${res.status}${body.status ? ` (${body.status})` : ''}`, 'a 503 means the service there cannot reach its database; a 404 or 502 means the proxy does not forward to the service: check the reverse proxy');
  } catch (error) {
    const text = reason(error);
    if (/certificate|self.signed|CERT_|SSL|TLS/i.test(text)) return fail(NAME, `${base}: the TLS certificate is not valid (${text})`, 'install a certificate of a public CA for the host (e.g. Let\'s Encrypt) on the proxy');
    return skip(NAME, `${base} is https but not reachable from this machine (${text}): check /healthz from outside`);
  }
}
