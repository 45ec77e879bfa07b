import { afterPendingMicrotasks } from '../../after-pending-microtasks.js';
import { unexpectedReply } from './lua-driver.js';
import type { Script } from './script-source.js';
import type { ScriptClient } from './script-runner.js';
import type { SingleHitCall } from './single-hit-call.js';
import type { BakedScripts } from './baked-scripts.js';

/**
 * Hits queued before the queue is sent without waiting for the end of the
 * tick. Redis then runs these while Node is still preparing the next ones,
 * instead of each side waiting for the other (bench row "traffik fixed
 * window" at 64 in flight; 8 and 24 measured lower). It also bounds how long
 * one script holds the server.
 */
export const MAX_HITS_PER_CALL = 16;

/** The six values each hit takes in a reply. */
const VALUES_PER_HIT = 6;

/**
 * One script call carrying one or more single hits (`calls[i]` is the hit
 * of key `i`): hands each hit its six values of the reply, or fails them
 * all with what the call failed with. When the server does not know the
 * script (`NOSCRIPT`: first use, `SCRIPT FLUSH`, restart, failover) it sends
 * the source once with EVAL, so the hits still succeed.
 */
export class HitsCall {
  constructor(
    private readonly client: ScriptClient,
    private readonly script: Script,
    /** numKeys, the keys, then ARGV. */
    private readonly args: (string | number)[],
    private readonly calls: readonly SingleHitCall[],
    /** Called once, when the call has its reply or has failed (not on a timeout: the reply may still come). */
    private readonly onSettled?: () => void,
  ) {}

  /** Sends the call; never throws, never leaves a rejection unhandled. */
  send(): void {
    try {
      this.client.script('evalsha', this.script, this.args).then((reply) => this.done(reply), (error: unknown) => this.resend(error));
    } catch (error) {
      this.fail(error);
    }
  }

  private resend(error: unknown): void {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT') && this.calls.some((call) => !call.settled)) {
      try {
        this.client.script('eval', this.script, this.args).then((reply) => this.done(reply), (e: unknown) => this.fail(e));
      } catch (e) {
        this.fail(e);
      }
    } else {
      this.fail(error);
    }
  }

  private done(reply: unknown): void {
    this.onSettled?.();
    const calls = this.calls;
    if (!Array.isArray(reply) || reply.length !== calls.length * VALUES_PER_HIT) {
      this.failAll(unexpectedReply(reply));
      return;
    }
    for (let i = 0; i < calls.length; i++) calls[i]!.done(reply, i * VALUES_PER_HIT);
  }

  private fail(error: unknown): void {
    this.onSettled?.();
    this.failAll(error);
  }

  private failAll(error: unknown): void {
    for (const call of this.calls) call.fail(error);
  }
}

/** The hits of one tick queued for one baked rate (and, on a Cluster, one slot), in the order they started. */
class HitGroup {
  readonly keys: string[] = [];
  /** Per hit: cost (as `hitCost` encodes it), [now]. */
  readonly args: (string | number)[] = [];
  readonly calls: SingleHitCall[] = [];

  constructor(readonly scripts: BakedScripts) {}
}

/**
 * Coalesces the single hits that start in one tick: hits of one baked rate
 * (one strategy source, limit and period; on a Cluster also one slot) go to
 * Redis as one many-hits script call, applied in the order they started,
 * each reading what the previous wrote. The decisions are those of the same hits sent one by one at the
 * same server time; what changes is the number of round trips and of
 * commands Redis parses (one per group, not one per hit).
 *
 * A hit that finds no call of this coalescer on the way and nothing queued
 * goes at once, alone: there is nothing to share a call with, and a serial
 * caller pays no wait. Otherwise it is queued, and the queue is sent after
 * the tick's pending promise continuations (`afterPendingMicrotasks`), once
 * it holds `MAX_HITS_PER_CALL` hits, or at once by `flush()`, which the
 * backend calls before it sends anything else, so Redis sees every command
 * in the order it was made.
 */
export class HitCoalescer {
  private readonly groups = new Map<BakedScripts, Map<number, HitGroup>>();
  private queued: HitGroup[] = [];
  private queuedHits = 0;
  /** Calls sent and not yet answered (or failed). */
  private inFlight = 0;
  private readonly callSettled = () => {
    this.inFlight--;
  };
  private scheduled = false;
  private readonly scheduledFlush = () => {
    this.scheduled = false;
    this.flush();
  };

  /**
   * @param client where the calls go
   * @param perHitNow true when the backend has a `clock`: each hit carries its own now; otherwise one server TIME serves the call
   * @param coalesce false: every hit is sent at once, alone (`coalesceHits: false`)
   */
  constructor(private readonly client: ScriptClient, private readonly perHitNow: boolean, private readonly coalesce = true) {}

  /**
   * Queues one hit (or sends it at once: see the class comment, and always
   * when built with `coalesce` false); `cost` as `hitCost` encodes it, `now`
   * the backend clock's time (with `perHitNow` only).
   */
  add(scripts: BakedScripts, slot: number, key: string, cost: number | string, now: number | undefined, call: SingleHitCall): void {
    if (!this.coalesce || (this.inFlight === 0 && this.queuedHits === 0)) {
      const argv: (string | number)[] = this.perHitNow ? [1, key, '1', cost, now!] : [1, key, '', cost];
      this.sendCall(scripts.many, argv, [call]);
      return;
    }
    let bySlot = this.groups.get(scripts);
    if (bySlot === undefined) {
      bySlot = new Map();
      this.groups.set(scripts, bySlot);
    }
    let group = bySlot.get(slot);
    if (group === undefined) {
      group = new HitGroup(scripts);
      bySlot.set(slot, group);
      this.queued.push(group);
    }
    group.keys.push(key);
    const args = group.args;
    args.push(cost);
    if (this.perHitNow) args.push(now!);
    group.calls.push(call);
    if (++this.queuedHits >= MAX_HITS_PER_CALL) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      afterPendingMicrotasks(this.scheduledFlush);
    }
  }

  /** Sends every queued hit now. Never throws. */
  flush(): void {
    if (this.queued.length === 0) return;
    const queued = this.queued;
    this.queued = [];
    this.queuedHits = 0;
    this.groups.clear();
    for (const group of queued) this.send(group);
  }

  /** One many-hits call for the group (a group of one too: it decides as the single-hit script would). */
  private send(group: HitGroup): void {
    const { keys, args, calls, scripts } = group;
    // At most MAX_HITS_PER_CALL hits are ever queued: one call.
    const argv: (string | number)[] = [keys.length, ...keys, this.perHitNow ? '1' : ''];
    for (let i = 0; i < args.length; i++) argv.push(args[i]!);
    this.sendCall(scripts.many, argv, calls);
  }

  private sendCall(script: Script, argv: (string | number)[], calls: SingleHitCall[]): void {
    this.inFlight++;
    new HitsCall(this.client, script, argv, calls, this.callSettled).send();
  }
}
