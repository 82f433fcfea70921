/**
 * A staff member of a running server process, over HTTP, with a demo account's session (demo mode: demo accounts
 * sign in without MFA). Process tests use it to act as the console would.
 */
export class StaffSession {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async signIn(baseUrl: string, email = 'advocate@demo.harbour.example'): Promise<StaffSession> {
    const res = await fetch(`${baseUrl}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo-harbour-fictional' }),
    });
    const body = (await res.json()) as { csrfToken?: string };
    const cookie = /harbour_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
    if (res.status !== 200 || !cookie)
      throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(body)}`);
    return new StaffSession(baseUrl, cookie, body.csrfToken ?? '');
  }

  // biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely and asserted on.
  async call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${url}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}
