import { Command, type Cluster, type Redis } from 'ioredis';
import type { Script } from './script-source.js';

/** The commands the backend sends: scripts, and the few plain commands of `read` and `reset`. */
export interface ScriptClient {
  /** EVALSHA (`'evalsha'`) or EVAL (`'eval'`, the source) of `script`, `args` = numKeys, the keys, then ARGV. */
  script(command: 'evalsha' | 'eval', script: Script, args: readonly (string | number)[]): Promise<unknown>;
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
  /** SHA-1s of the scripts sent to the server(s) with SCRIPT LOAD. */
  private readonly loaded = new Set<string>();

  constructor(private readonly client: Redis | Cluster) {
    this.keyPrefix = (client.options as { keyPrefix?: string } | undefined)?.keyPrefix;
  }

  command(name: string, args: (string | number)[]): Promise<unknown> {
    const command = new Command(name, args, { replyEncoding: 'utf8', keyPrefix: this.keyPrefix });
    // sendCommand settles command.promise (it rejects it when the client is closed).
    void this.client.sendCommand(command);
    return command.promise;
  }

  script(command: 'evalsha' | 'eval', script: Script, args: readonly (string | number)[]): Promise<unknown> {
    if (command === 'evalsha' && !this.loaded.has(script.sha)) this.load(script);
    const all: (string | number)[] = new Array(args.length + 1);
    all[0] = command === 'evalsha' ? script.sha : script.source;
    for (let i = 0; i < args.length; i++) all[i + 1] = args[i]!;
    return this.command(command, all);
  }

  /**
   * Sends SCRIPT LOAD of `script` ahead of its first EVALSHA, on the same
   * connection(s) (every master of a Cluster), so that EVALSHA does not
   * answer NOSCRIPT: a call resent with EVAL after NOSCRIPT would run after
   * commands made later (on a Cluster, a node that never saw the script
   * while another did). A server that loses its scripts later (SCRIPT FLUSH,
   * a restart, a failover) still gets the EVAL fallback of `runScript` and
   * `HitsCall`.
   */
  private load(script: Script): void {
    const cluster = this.client as Cluster;
    const targets: { sendCommand(command: Command): unknown }[] = (this.client as { isCluster?: unknown }).isCluster === true ? cluster.nodes('master') : [this.client];
    // A Cluster that has not found its nodes yet: the EVAL fallback serves, and loading is tried again next time.
    if (targets.length === 0) return;
    this.loaded.add(script.sha);
    for (const target of targets) {
      const command = new Command('script', ['load', script.source], { replyEncoding: 'utf8' });
      command.promise.catch(() => this.loaded.delete(script.sha));
      target.sendCommand(command);
    }
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
  return client.script('evalsha', script, args).catch((error: unknown) => {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return client.script('eval', script, args);
    }
    throw error;
  });
}
