/**
 * A test-only UCWA client written from the public "Create an application", "Send an IM" and "Receive an IM" pages
 * alone, as a client written against Lync / Skype for Business would be: it signs in from the root URL, sends
 * PascalCase bodies, polls the event channel following `next`, and resolves absolute or relative hrefs. Bare rels.
 */
type Json = Record<string, any>;

export interface DocEvent {
  senderRel: string;
  senderHref: string;
  rel: string;
  href: string;
  type: string;
  embedded?: Json;
  status?: string;
  /** The event as received. */
  raw: Json;
}

export class DocClient {
  private token = '';
  private base = '';
  app: Json = {};
  readonly events: DocEvent[] = [];
  private nextHref = '';
  private stopped = false;
  private wakers: (() => void)[] = [];
  private loop: Promise<void> | undefined;

  constructor(private readonly rootUrl: string, private readonly username: string, private readonly password: string,
    private readonly fetcher: typeof fetch = fetch) {}

  private url(href: string): string {
    return new URL(href, this.base || this.rootUrl).toString();
  }

  async request(method: string, href: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Json; headers: Headers }> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await this.fetcher(this.url(href), { method, headers, body: payload });
    const text = await res.text();
    let json: Json = {};
    try { json = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
    return { status: res.status, json, headers: res.headers };
  }

  /** Discovery from the root, the 401 challenge's token URL, the password grant, the user document, an application. */
  async signIn(endpointId: string): Promise<void> {
    const root = await this.request('GET', this.rootUrl);
    const userHref = this.url(root.json._links.user.href);
    const challenge = await this.request('GET', userHref);
    const tokenUrl = /MsRtcOAuth href="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')?.[1];
    if (challenge.status !== 401 || !tokenUrl) throw new Error(`no MsRtcOAuth challenge (${challenge.status})`);
    const form = new URLSearchParams({ grant_type: 'password', username: this.username, password: this.password });
    const granted = await this.request('POST', tokenUrl, form.toString(), 'application/x-www-form-urlencoded');
    if (granted.status !== 200) throw new Error(`sign-in refused (${granted.status})`);
    this.token = granted.json.access_token;
    const user = await this.request('GET', userHref);
    const appsUrl = this.url(user.json._links.applications.href);
    this.base = appsUrl;
    const created = await this.request('POST', appsUrl, { UserAgent: 'DocClient/1.0', EndpointId: endpointId, Culture: 'en-US' });
    if (created.status !== 201) throw new Error(`application not created (${created.status})`);
    this.app = created.json;
    this.nextHref = this.app._links.events.href;
    const me = this.app._embedded.me;
    const available = await this.request('POST', me._links.makeMeAvailable.href,
      { SupportedModalities: ['Messaging'], SupportedMessageFormats: ['Plain', 'Html'] });
    if (available.status !== 204) throw new Error(`makeMeAvailable answered ${available.status}`);
    this.loop = this.poll();
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const res = await this.request('GET', this.nextHref).catch(() => undefined);
      if (!res || res.status !== 200) {
        if (!this.stopped) await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const sender of res.json.sender ?? []) {
        for (const e of sender.events ?? []) {
          this.events.push({
            senderRel: sender.rel, senderHref: sender.href, rel: e.link?.rel, href: e.link?.href, type: e.type,
            embedded: e._embedded?.[e.link?.rel], status: e.status, raw: e,
          });
        }
      }
      this.nextHref = (res.json._links.next ?? res.json._links.resync).href;
      for (const wake of this.wakers.splice(0)) wake();
    }
  }

  /** The first event matching, waiting up to timeoutMs. */
  async waitFor(match: (e: DocEvent) => boolean, what: string, timeoutMs = 10_000): Promise<DocEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${this.username}: no ${what} (events: ${this.events.map((e) => `${e.rel} ${e.type}`).join(', ')})`);
      await new Promise<void>((r) => {
        this.wakers.push(r);
        setTimeout(r, 250);
      });
    }
  }

  /** "Send an IM": startMessaging with the first message as a data URI in `_links.message`. */
  async startMessaging(to: string, subject: string, text: string): Promise<string> {
    const start = this.app._embedded.communication._links.startMessaging.href;
    const res = await this.request('POST', start, {
      Importance: 'Normal', SessionContext: '33dc0ef6-0570-4467-bb7e-49fcbea8e944', Subject: subject, To: to,
      OperationId: '5028e824-2268-4b14-9e59-1abad65ff393', _links: { message: { href: `data:text/plain,${encodeURIComponent(text)}` } },
    });
    if (res.status !== 201) throw new Error(`startMessaging answered ${res.status}`);
    return res.headers.get('location')!;
  }

  /** The text of a message resource's plainMessage data URI. */
  static text(message: Json): string {
    const href: string = message._links.plainMessage.href;
    return decodeURIComponent(href.slice(href.indexOf(',') + 1).replace(/\+/g, ' '));
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.request('DELETE', this.app._links.self.href).catch(() => undefined);
    await this.loop;
  }
}
