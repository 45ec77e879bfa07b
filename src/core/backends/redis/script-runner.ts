import { Command, type Cluster, type Redis } from 'ioredis';
import type { Script } from './script-source.js';

/** The commands the backend sends: scripts, and the few plain commands of `read` and `reset`. */
export interface ScriptClient {
  /** EVALSHA (`script` a SHA-1) or EVAL (`script` the source), `args` = numKeys, the keys, then ARGV. */
  script(command: 'evalsha' | 'eval', script: string, args: readonly (string | number)[]): Promise<unknown>;
  /** Any other command by name (MGET, TIME, DEL), replies as text. */
  command(name: string, args: (string | number)[]): Promise<unknown>;
}

/**
 * Sends the backend's commands straight to an ioredis `Redis` or `Cluster`
 * with `sendCommand`, the path ioredis' own command methods take when
 * auto-pipelining is off. ioredis routes a command through its
 * auto-pipeline only when it comes from a named method
 * (`client.evalsha(...)`, `client.call(...)`) on a client built with
 * `enableAutoPipelining`; there the hit coalescer's calls would wait for the
 * next tick a second time and be merged into pipelines with the user's
 * commands (measured: the bench row "traffik fixed window, { client } +
 * auto-pipelining" against "{ client }"). Sent this way, every command of
 * the backend leaves in the order it was made, whatever the client's
 * options, and the key prefix of the client (`keyPrefix`) still applies.
 */
export class DirectCommands implements ScriptClient {
  private readonly keyPrefix: string | undefined;

  constructor(private readonly client: Redis | Cluster) {
    this.keyPrefix = (client.options as { keyPrefix?: string } | undefined)?.keyPrefix;
  }

  command(name: string, args: (string | number)[]): Promise<unknown> {
    const command = new Command(name, args, { replyEncoding: 'utf8', keyPrefix: this.keyPrefix });
    // sendCommand settles command.promise (it rejects it when the client is closed).
    void this.client.sendCommand(command);
    return command.promise;
  }

  script(command: 'evalsha' | 'eval', script: string, args: readonly (string | number)[]): Promise<unknown> {
    const all: (string | number)[] = new Array(args.length + 1);
    all[0] = script;
    for (let i = 0; i < args.length; i++) all[i + 1] = args[i]!;
    return this.command(command, all);
  }
}

/**
 * Runs `script` with one EVALSHA. When the server does not know the script
 * (`NOSCRIPT`: first use, after `SCRIPT FLUSH`, a restart or a failover to a
 * replica that never saw it) it sends the source once with EVAL, which also
 * caches it, so the hit still succeeds. Rejects with ioredis' error otherwise.
 */
export function runScript(client: ScriptClient, script: Script, keys: readonly string[], argv: readonly (string | number)[]): Promise<unknown> {
  const args = [keys.length, ...keys, ...argv];
  return client.script('evalsha', script.sha, args).catch((error: unknown) => {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return client.script('eval', script.source, args);
    }
    throw error;
  });
}
