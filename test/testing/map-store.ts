/**
 * A `CasStore` in a Map, for tests: each call answers after a macrotask (as
 * a store across a network would, so concurrent writers really interleave).
 * `checkVersion: false` makes it deliberately broken: `compareAndSet`
 * writes whatever the key holds (a store without a real CAS).
 * `returnVersions: true` answers a write with its new version instead of `true`.
 */
import type { CasStore, CasWritten } from '../../src/index.js';

interface Item {
  value: string;
  version: string;
  expiresAt: number;
}

/** A shared map store; `calls` counts every call (for "no store call" assertions). */
export class MapStore implements CasStore {
  calls = 0;
  private readonly items = new Map<string, Item>();
  private counter = 0;

  constructor(private readonly options: { checkVersion?: boolean; returnVersions?: boolean } = {}) {}

  async get(key: string): Promise<{ value: string; version: string } | undefined> {
    await this.latency();
    const item = this.live(key);
    return item === undefined ? undefined : { value: item.value, version: item.version };
  }

  async compareAndSet(key: string, value: string, version: string, ttlMs: number): Promise<boolean | CasWritten> {
    await this.latency();
    const item = this.live(key);
    if (item === undefined) return false;
    if (this.options.checkVersion !== false && item.version !== version) return false;
    return this.write(key, value, ttlMs);
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean | CasWritten> {
    await this.latency();
    if (this.live(key) !== undefined) return false;
    return this.write(key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.latency();
    this.items.delete(key);
  }

  private write(key: string, value: string, ttlMs: number): true | CasWritten {
    const version = String(++this.counter);
    // Expiry on the real clock, as a real store keeps it: never shorter than asked.
    this.items.set(key, { value, version, expiresAt: Date.now() + ttlMs });
    return this.options.returnVersions === true ? { version } : true;
  }

  private live(key: string): Item | undefined {
    const item = this.items.get(key);
    if (item !== undefined && item.expiresAt <= Date.now()) {
      this.items.delete(key);
      return undefined;
    }
    return item;
  }

  private latency(): Promise<void> {
    this.calls++;
    return new Promise((resolve) => setImmediate(resolve));
  }
}
