import type { Script } from './lua-driver.js';

/** The part of an ioredis `Redis` or `Cluster` the backend uses. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(source: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * Runs `script` with one EVALSHA. When the server does not know the script
 * (`NOSCRIPT`: first use, after `SCRIPT FLUSH`, a restart or a failover to a
 * replica that never saw it) it sends the source once with EVAL, which also
 * caches it, so the hit still succeeds. Rejects with ioredis' error otherwise.
 */
export function runScript(client: ScriptClient, script: Script, keys: readonly string[], argv: readonly (string | number)[]): Promise<unknown> {
  return client.evalsha(script.sha, keys.length, ...keys, ...argv).catch((error: unknown) => {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return client.eval(script.source, keys.length, ...keys, ...argv);
    }
    throw error;
  });
}
