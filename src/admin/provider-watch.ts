/**
 * Watches the providers for the admin group: reseller balances below LOW_BALANCE_IDR (checked
 * every few minutes and on `/balance`) and providers going down or coming back. Health is read by
 * polling the catalog's `downProviders()` (an in-memory set, so a look is free) and comparing with
 * the last look; a provider that fails and recovers between two looks is not announced.
 * The admin stage starts it outside workers only, so several processes do not each post the lines.
 *
 * Each condition is announced when it starts, not on every check: a balance that stays low is
 * one line, and a new line only after it recovered and dropped again.
 */
import type { Logger } from "pino";
import { msg, type Msg } from "../core/message.js";
import type { CatalogService } from "../commerce/catalog-service.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import { ProviderError } from "../providers/errors.js";
import type { Provider, ProviderBalance, ProviderId } from "../providers/types.js";

/** One provider's balance as checked now. */
export type BalanceReport =
  | { provider: ProviderId; ok: true; balance: ProviderBalance; low: boolean }
  /** `code` is a ProviderError code, or `error` for anything else; never the message (it may quote the API). */
  | { provider: ProviderId; ok: false; code: string };

/** What the watch reads, whom it tells, and how often. */
export interface ProviderWatchDeps {
  catalog: Pick<CatalogService, "downProviders">;
  providers: ReadonlyMap<ProviderId, Provider>;
  notify: (line: Msg) => void;
  lowBalance: Rupiah;
  logger: Logger;
  /** How often to compare provider health (default 30 s). */
  healthEveryMs?: number;
  /** How often to check balances (default 10 min). */
  balanceEveryMs?: number;
}

/** Periodic provider health and balance checks, announcing changes only. */
export class ProviderWatch {
  private down = new Set<ProviderId>();
  private readonly low = new Set<ProviderId>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: ProviderWatchDeps) {}

  /** Starts the periodic checks, with a first balance check at once. */
  start(): void {
    const every = (ms: number, run: () => void) => {
      const timer = setInterval(run, ms);
      timer.unref?.();
      this.timers.push(timer);
    };
    every(this.deps.healthEveryMs ?? 30_000, () => this.checkHealth());
    every(this.deps.balanceEveryMs ?? 10 * 60_000, () => void this.checkBalances());
    void this.checkBalances();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** Announces providers that went down or came back since the last look. */
  checkHealth(): void {
    const now = new Set(this.deps.catalog.downProviders());
    for (const provider of now) if (!this.down.has(provider)) this.deps.notify(msg("admin-notify-provider-down", { provider }));
    for (const provider of this.down) if (!now.has(provider)) this.deps.notify(msg("admin-notify-provider-up", { provider }));
    this.down = now;
  }

  /** Checks every balance and announces the ones that just dropped below the threshold. */
  checkBalances(): Promise<BalanceReport[]> {
    return this.observe(true);
  }

  /**
   * Every enabled provider's balance, in parallel, for a caller that shows the low ones itself
   * (the `/balance` reply warns in place): they count as announced, so no second line follows.
   */
  balances(): Promise<BalanceReport[]> {
    return this.observe(false);
  }

  private async observe(announce: boolean): Promise<BalanceReport[]> {
    const reports = await Promise.all([...this.deps.providers.values()].filter((provider) => provider.hasBalance !== false).map((provider) => this.balanceOf(provider)));
    for (const report of reports) {
      if (report.ok && this.remember(report) && announce) {
        this.deps.notify(msg("admin-notify-balance-low", { provider: report.provider, balance: formatRupiah(report.balance.idr), threshold: formatRupiah(this.deps.lowBalance) }));
      }
    }
    return reports;
  }

  /** Records whether a provider is low; true when it just became low. */
  private remember(report: Extract<BalanceReport, { ok: true }>): boolean {
    if (!report.low) {
      this.low.delete(report.provider);
      return false;
    }
    if (this.low.has(report.provider)) return false;
    this.low.add(report.provider);
    return true;
  }

  private async balanceOf(provider: Provider): Promise<BalanceReport> {
    try {
      const balance = await provider.getBalance();
      return { provider: provider.id, ok: true, balance, low: balance.idr < this.deps.lowBalance };
    } catch (error) {
      const code = error instanceof ProviderError ? error.code : "error";
      this.deps.logger.warn({ provider: provider.id, code, err: error }, "could not read a provider balance");
      return { provider: provider.id, ok: false, code };
    }
  }
}
