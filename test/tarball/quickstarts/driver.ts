/**
 * What every quick start script shares: telling the test what it saw (one
 * `RESULT {json}` line on stdout, then exit), waiting for a server it
 * started, and staying clear of a fixed window's edge.
 */

/** Prints what the script observed as one `RESULT` line and exits (stopping every server it started). */
export function report(observed: Record<string, unknown>): never {
  process.stdout.write(`RESULT ${JSON.stringify(observed)}\n`);
  process.exit(0);
}

/** Calls `attempt` until it stops failing with a refused connection (the server is still starting), up to 5 s. */
export async function whenListening<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const text = `${String(error)} ${String((error as { cause?: unknown }).cause)}`;
      if (!/ECONNREFUSED/.test(text) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Waits until at least `marginMs` remain in the current epoch-aligned
 * window of `periodMs`, so that a test of a fixed window's limit is not
 * split by the window turning over.
 */
export async function clearOfWindowEdge(periodMs: number, marginMs: number): Promise<void> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 20));
}

/** POSTs a GraphQL query as JSON; resolves with the HTTP status, `Retry-After` and the body. */
export async function postQuery(url: string, query: string, headers: Record<string, string> = {}): Promise<{
  status: number; retryAfter: string | null; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() as never };
}
