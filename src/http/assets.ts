import type { Response } from 'restify';

/** Answers 200 with a page or script as it is (the tab's and the playground's static files). */
export function sendAsset(res: Response, contentType: string, body: Buffer | string, headers: Record<string, string> = {}): void {
  res.setHeader('Content-Type', contentType);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(200);
  res.end(body);
}
