import type { Decision, PolicyDecision } from '../core/decision.js';
import type { Rate } from '../core/rate.js';

/**
 * Rate-limit response headers: `Retry-After` (RFC 9110, whole seconds,
 * rounded up) and the IETF `RateLimit` / `RateLimit-Policy` fields
 * (draft-ietf-httpapi-ratelimit-headers-10: structured-field lists such as
 * `"api";q=100;w=60` and `"api";r=42;t=17`).
 */

/** One policy's live numbers, as the `RateLimit` field reports them. */
interface PolicyState {
  /** The policy's quota (`q`): the most units the key can hold. */
  quota: number;
  /** The window in whole seconds (`w`), when the rate's period is a whole number of seconds. */
  windowSeconds: number | undefined;
  /** Units left (`r`). */
  remaining: number;
  /** Seconds until more quota is available (`t`). */
  resetSeconds: number;
}

/**
 * The rate-limit headers of one HTTP response. Several decisions (calls of a
 * batch, or several limits on one call) fold into it: each policy keeps its
 * smallest `remaining`, and `Retry-After` is the longest wait of a denied one.
 */
export class RateLimitHeaderState {
  private readonly policies = new Map<string, PolicyState>();
  private retryAfterSeconds: number | undefined;

  /**
   * Folds one decision in; denied decisions also raise `Retry-After`. `rate`
   * names the rate of a single-rate decision (multi-rate decisions carry
   * theirs in `policies`), for the policy's window `w`.
   */
  add(decision: Decision, rate?: Rate): void {
    if (decision.exempt || !Number.isFinite(decision.limit)) return;
    const denied = !decision.allowed;
    if (denied && decision.error !== undefined) {
      // The store failed: there are no quota numbers to report, only when to come back.
      this.raiseRetryAfter(decision.retryAfterMs);
      return;
    }
    const shadowDenied = decision.shadowDenied === true;
    const list: readonly (Decision | PolicyDecision)[] = decision.policies ?? [decision];
    for (const policy of list) {
      const policyRate = (policy as PolicyDecision).rate as Rate | undefined ?? rate;
      const name = list.length > 1 && policyRate !== undefined ? `${decision.uid}.${periodLabel(policyRate)}` : decision.uid;
      // `t` is when more quota is available: the wait of a denied policy, else
      // (allowed, or a cost that can never fit) when its quota resets.
      const waitMs = (policy.allowed && !shadowDenied) || !Number.isFinite(policy.retryAfterMs) ? policy.resetAfterMs : policy.retryAfterMs;
      const state: PolicyState = {
        quota: policy.limit,
        windowSeconds: policyRate !== undefined && policyRate.periodMs % 1000 === 0 ? policyRate.periodMs / 1000 : undefined,
        remaining: policy.remaining,
        resetSeconds: Math.ceil(waitMs / 1000),
      };
      const known = this.policies.get(name);
      if (known === undefined || state.remaining < known.remaining) this.policies.set(name, state);
    }
    if (denied) this.raiseRetryAfter(decision.retryAfterMs);
  }

  /** `Retry-After` is the longest wait of the denied calls; a call that can never be admitted sets none (retrying never helps). */
  private raiseRetryAfter(waitMs: number): void {
    if (!Number.isFinite(waitMs)) return;
    const seconds = Math.ceil(waitMs / 1000);
    if (this.retryAfterSeconds === undefined || seconds > this.retryAfterSeconds) this.retryAfterSeconds = seconds;
  }

  /** The header fields to send, by lower-case name. Empty when nothing was folded in. */
  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.policies.size > 0) {
      const policy: string[] = [];
      const live: string[] = [];
      for (const [name, state] of this.policies) {
        const id = quote(name);
        policy.push(`${id};q=${state.quota}${state.windowSeconds !== undefined ? `;w=${state.windowSeconds}` : ''}`);
        live.push(`${id};r=${state.remaining};t=${state.resetSeconds}`);
      }
      out['ratelimit-policy'] = policy.join(', ');
      out['ratelimit'] = live.join(', ');
    }
    if (this.retryAfterSeconds !== undefined) out['retry-after'] = String(this.retryAfterSeconds);
    return out;
  }
}

/** `60s`, `500ms`: a rate's period in a policy name. */
function periodLabel(rate: Rate): string {
  return rate.periodMs % 1000 === 0 ? `${rate.periodMs / 1000}s` : `${rate.periodMs}ms`;
}

const quoted = new Map<string, string>();

/** Writes a structured-field String: printable ASCII, `"` and `\` escaped, anything else replaced by `?`. */
function quote(text: string): string {
  const known = quoted.get(text);
  if (known !== undefined) return known;
  const value = quoteUncached(text);
  if (quoted.size >= 1000) quoted.clear();
  quoted.set(text, value);
  return value;
}

function quoteUncached(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += '?';
  }
  return `${out}"`;
}

/** The decisions' headers, for one response (e.g. from `responseMeta`). */
export function rateLimitHeaderFields(decisions: readonly Decision[]): Record<string, string> {
  const state = new RateLimitHeaderState();
  for (const decision of decisions) state.add(decision);
  return state.fields();
}
