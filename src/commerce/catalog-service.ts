/**
 * Keeps the merged catalog fresh. Each provider's product list is fetched in the background and
 * cached in Redis (so a restart, or a second process, shows the shop at once); when a provider
 * is down its last known products still show, marked temporarily unavailable, and the rest of
 * the shop keeps working. Messages read the prepared {@link CatalogView} and never wait on a
 * provider.
 */
import type { Logger } from "pino";
import { z } from "zod";
import { keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import type { Provider, ProviderId, ProviderProduct } from "../providers/types.js";
import { CatalogView } from "./catalog.js";
import type { MarkupRules } from "./pricing.js";

const cachedSchema = z.object({ fetchedAt: z.number(), products: z.array(z.custom<ProviderProduct>((value) => typeof value === "object" && value !== null)) });

export interface CatalogServiceOptions {
  redis: Redis;
  providers: ReadonlyMap<ProviderId, Provider>;
  markup: MarkupRules;
  logger: Logger;
  /** How often to refresh in the background (default 5 min). */
  refreshMs?: number;
}

export class CatalogService {
  private products = new Map<ProviderId, ProviderProduct[]>();
  private readonly down = new Set<ProviderId>();
  private hidden = new Set<string>();
  private markup: MarkupRules;
  private current: CatalogView;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly options: CatalogServiceOptions) {
    this.markup = options.markup;
    this.current = this.build();
  }

  /** The catalog as buyers see it now. */
  view(): CatalogView {
    return this.current;
  }

  /** Loads the cached catalog, then refreshes once; call at start-up. */
  async init(): Promise<void> {
    const cached = await this.options.redis.hgetall(keys.catalog());
    for (const [provider, raw] of Object.entries(cached)) {
      const parsed = cachedSchema.safeParse(JSON.parse(raw));
      if (parsed.success && this.options.providers.has(provider as ProviderId)) {
        this.products.set(provider as ProviderId, parsed.data.products);
      }
    }
    this.current = this.build();
    await this.refresh();
  }

  /** Starts background refreshes. */
  start(): void {
    const every = this.options.refreshMs ?? 5 * 60_000;
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Fetches every provider's products in parallel; one slow or broken provider holds up no one else's view. */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshAll().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * Reads one provider's products again now (own stock after a change of its counts), without
   * waiting for the others.
   */
  async refreshProvider(id: ProviderId): Promise<void> {
    const provider = this.options.providers.get(id);
    if (provider) await this.refreshOne(provider);
  }

  /** Changes the markup rules and the hidden product codes together; the view is rebuilt once, prices change at once. */
  setRules(markup: MarkupRules, hidden: Iterable<string>): void {
    this.markup = markup;
    this.hidden = new Set(hidden);
    this.current = this.build();
  }

  /** Providers whose last refresh failed. */
  downProviders(): ProviderId[] {
    return [...this.down];
  }

  private async refreshAll(): Promise<void> {
    await Promise.all([...this.options.providers.values()].map((provider) => this.refreshOne(provider)));
  }

  private async refreshOne(provider: Provider): Promise<void> {
    try {
      const products = await provider.listProducts();
      this.products.set(provider.id, products);
      this.down.delete(provider.id);
      this.current = this.build();
      await this.options.redis
        .hset(keys.catalog(), provider.id, JSON.stringify({ fetchedAt: Date.now(), products }))
        .catch((error: unknown) => this.options.logger.warn({ err: error }, "could not cache the catalog"));
    } catch (error) {
      this.options.logger.warn({ provider: provider.id, err: error }, "catalog refresh failed; showing the last known products");
      this.down.add(provider.id);
      this.current = this.build();
    }
  }

  private build(): CatalogView {
    const all = [...this.products.values()].flat();
    return new CatalogView(all, { markup: this.markup, hidden: this.hidden, downProviders: this.down });
  }
}
