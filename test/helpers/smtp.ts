/** A real SMTP server for tests (smtp-server), keeping each message with its envelope. */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { TLS_DIR } from './https-front';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  parsed: ParsedMail;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** While true, every message is refused with a temporary error (SMTP "down"). */
  refuse = false;
  /** Login attempts seen (a password sent in clear text counts too). */
  logins = 0;
  private server: SMTPServer | undefined;
  private port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /**
   * With auth set, a login with exactly these credentials is required. Plain SMTP unless
   * starttls is set: then STARTTLS is offered with the test certificate (test/fixtures/tls), as
   * a production server must (the sender requires it there).
   */
  constructor(
    private readonly auth?: { user: string; pass: string },
    private readonly options: { starttls?: boolean } = {},
  ) {}

  /** smtp://user:pass@host:port with the given credentials (the right ones by default). */
  urlWith(credentials = this.auth): string {
    return credentials ? `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@127.0.0.1:${this.port}` : this.url;
  }

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: !this.auth,
      allowInsecureAuth: true,
      ...(this.options.starttls ? { key: readFileSync(path.join(TLS_DIR, 'key.pem')), cert: readFileSync(path.join(TLS_DIR, 'cert.pem')) } : { disabledCommands: ['STARTTLS'] }),
      logger: false,
      onAuth: (auth, _session, callback) => {
        this.logins += 1;
        if (this.auth && auth.username === this.auth.user && auth.password === this.auth.pass) return callback(null, { user: auth.username });
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.refuse) return callback(Object.assign(new Error('service not available'), { responseCode: 421 }));
          simpleParser(Buffer.concat(chunks)).then(
            (parsed) => {
              this.received.push({ envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Waits for a mail that matches. */
  async waitForMail(match: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('the expected mail did not arrive');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.received;
  }
}
