/**
 * Test support for the graphql-ws throttle: a real `ws` server on port 0
 * running graphql-ws's `useServer`, the real graphql-ws client, a manual
 * clock with timers, and event sources that record their closing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { createClient, type Client, type ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import type { Timers } from '../../src/graphql/ws/index.js';

/** A clock the test moves by hand, with timers that fire when it reaches them. */
export class ManualClock {
  private current = 0;
  private pending: { at: number; callback: () => void }[] = [];

  /** The clock function to give a backend. */
  readonly now = (): number => this.current;

  /** Timers driven by this clock (for the throttle's `timers` option). */
  readonly timers: Timers = {
    setTimeout: (callback, ms) => {
      const entry = { at: this.current + ms, callback };
      this.pending.push(entry);
      return entry;
    },
    clearTimeout: (handle) => {
      this.pending = this.pending.filter((entry) => entry !== handle);
    },
  };

  /** Moves the clock forward to `ms` (never back) and fires the timers now due. */
  set(ms: number): void {
    if (ms <= this.current) return;
    this.current = ms;
    const due = this.pending.filter((entry) => entry.at <= ms);
    this.pending = this.pending.filter((entry) => entry.at > ms);
    for (const entry of due) entry.callback();
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }
}

/** Yields to the event loop once (lets socket I/O run). */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A source of `count` events (default: endless), event `i` emitted at clock
 * time `startMs + i * everyMs`: 200 per second with the default 5 ms. Pull
 * based like a graphql-js subscription source; records `return()` calls.
 * `alwaysReady` makes every `next()` resolve without yielding to the event
 * loop (a source with an endless backlog).
 */
export class TickSource implements AsyncIterableIterator<number> {
  returnCalls = 0;
  emitted = 0;
  done = false;
  private readonly ended: Promise<void>;
  private markEnded!: () => void;

  constructor(
    private readonly clock: ManualClock,
    private readonly options: { count?: number; everyMs?: number; startMs?: number; alwaysReady?: boolean } = {},
  ) {
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<number>> {
    if (!this.options.alwaysReady) await tick();
    const { count = Infinity, everyMs = 5, startMs = 0 } = this.options;
    if (this.done || this.emitted >= count) {
      this.finish();
      return { done: true, value: undefined };
    }
    const i = this.emitted++;
    this.clock.set(startMs + i * everyMs);
    return { done: false, value: i };
  }

  async return(): Promise<IteratorResult<number>> {
    this.returnCalls++;
    this.finish();
    return { done: true, value: undefined };
  }

  /** Resolves once the source has ended (ran out or was closed). */
  whenEnded(): Promise<void> {
    return this.ended;
  }

  private finish(): void {
    this.done = true;
    this.markEnded();
  }
}

/** The test schema: `hello` (a query) and `ticks` (a subscription over the source the test provides). */
export function tickSchema(source: () => AsyncIterable<number>): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      type Query { hello: String! }
      type Subscription { ticks: Int! }
    `,
    resolvers: {
      Query: { hello: () => 'world' },
      Subscription: { ticks: { subscribe: () => source(), resolve: (value: number) => value } },
    },
  });
}

/** A running graphql-ws server on a free port. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts an HTTP + `ws` server on 127.0.0.1, port 0, serving graphql-ws with `options`. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  const served = useServer(options, wss, 0);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      await served.dispose();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A graphql-ws client over the `ws` package that never retries, counting its connections and closes. */
export function connect(url: string): Client & { connections: () => number; closes: () => number } {
  let connections = 0;
  let closes = 0;
  const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
  client.on('connected', () => connections++);
  client.on('closed', () => closes++);
  return Object.assign(client, { connections: () => connections, closes: () => closes });
}

/** A lazy graphql-ws client over the `ws` package that never retries and records how its socket last closed (`"<code> <reason>"`). */
export function connectRecordingClose(url: string): Client & { closeReason: () => string } {
  let closeReason = '';
  const client = createClient({
    url, webSocketImpl: WebSocket, retryAttempts: 0,
    on: { closed: (event) => { closeReason = `${(event as { code: number }).code} ${(event as { reason: string }).reason}`; } },
  });
  return Object.assign(client, { closeReason: () => closeReason });
}

/** What one operation delivered to the client. */
export interface Outcome {
  data: unknown[];
  errors: { message: string; extensions?: Record<string, unknown> }[] | undefined;
  completed: boolean;
}

/** Runs one operation and collects its results; `cancel` completes it from the client. */
export function run(client: Client, query: string): { outcome: Outcome; finished: Promise<Outcome>; cancel: () => void } {
  const outcome: Outcome = { data: [], errors: undefined, completed: false };
  let cancel!: () => void;
  const finished = new Promise<Outcome>((resolve) => {
    cancel = client.subscribe({ query }, {
      next: (result) => {
        outcome.data.push(result.data);
      },
      error: (error) => {
        outcome.errors = Array.isArray(error) ? error : [{ message: String((error as Error)?.message ?? error) }];
        resolve(outcome);
      },
      complete: () => {
        outcome.completed = true;
        resolve(outcome);
      },
    });
  });
  return { outcome, finished, cancel };
}

/** Waits until `condition` holds, yielding to the event loop; fails after `limitMs` of real time. */
export async function until(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
