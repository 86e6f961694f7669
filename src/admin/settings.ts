/**
 * Shop settings an admin changes from the group: markup rules, hidden products, and the
 * maintenance pause. They live in Redis (so a restart, or a second process, keeps them), are
 * loaded at start, and are applied to the catalog and the buyer bot the moment they change.
 */
import { keys } from "../store/keys.js";
import type { Logger } from "pino";
import { z } from "zod";
import type { CatalogService } from "../commerce/catalog-service.js";
import type { Markup, MarkupRules } from "../commerce/pricing.js";
import { providerIds } from "../providers/types.js";
import type { Redis } from "../store/redis.js";
import { safeJson } from "../core/safe-json.js";
import { markupField, markupSchema, type MarkupTarget } from "./markup.js";

const maintenanceSchema = z.object({
  /** What buyers are shown while buying is paused. */
  message: z.string(),
  by: z.string(),
  at: z.number(),
});
/** A maintenance pause: the buyers' message, who set it and when. */
export type Maintenance = z.infer<typeof maintenanceSchema>;

const ruleField = z.union([
  z.literal("global").transform(() => ({ level: "global" as const })),
  z
    .string()
    .regex(/^provider:/)
    .transform((field) => field.slice("provider:".length))
    .pipe(z.enum(providerIds))
    .transform((provider) => ({ level: "provider" as const, provider })),
  z
    .string()
    .regex(/^product:.+/)
    .transform((field) => ({ level: "product" as const, code: field.slice("product:".length) })),
]);

/** Where settings are kept and what they are applied to. */
export interface AdminSettingsDeps {
  redis: Redis;
  catalog: Pick<CatalogService, "setRules">;
  /** The global markup while no admin has set one (MARKUP_PERCENT / MARKUP_FLAT). */
  defaultGlobal: Markup;
  logger: Logger;
}

/** The admin-controlled shop settings, kept in Redis and applied at once. */
export class AdminSettings {
  private rules: MarkupRules;
  private hiddenCodes: ReadonlySet<string> = new Set();
  private pause: Maintenance | null = null;
  /** Bumped by every change made here, so a reload that raced one does not undo it. */
  private changes = 0;
  /** Whether the catalog has been given the rules at least once (the first load always applies). */
  private applied = false;

  constructor(private readonly deps: AdminSettingsDeps) {
    this.rules = { global: deps.defaultGlobal, providers: {}, products: {} };
  }

  /** Reads every setting from Redis and applies it. A damaged entry is skipped and logged. */
  async load(): Promise<void> {
    const { redis } = this.deps;
    const changesBefore = this.changes;
    const [markup, hidden, maintenance] = await Promise.all([
      redis.hgetall(keys.adminMarkup()),
      redis.smembers(keys.adminHidden()),
      redis.get(keys.adminMaintenance()),
    ]);
    const rules: MarkupRules = { global: this.deps.defaultGlobal, providers: {}, products: {} };
    for (const [field, raw] of Object.entries(markup)) {
      const target = ruleField.safeParse(field);
      const value = markupSchema.safeParse(safeJson(raw));
      if (!target.success || !value.success) {
        this.deps.logger.warn({ field }, "ignoring an unreadable markup rule");
        continue;
      }
      placeRule(rules, target.data, value.data);
    }
    const paused = maintenance === null ? null : maintenanceSchema.safeParse(safeJson(maintenance));
    if (paused && !paused.success) this.deps.logger.warn("ignoring an unreadable maintenance setting");
    // A change made while reading is newer than what was read; the next reload picks both up.
    if (this.changes !== changesBefore) return;
    this.pause = paused?.success ? paused.data : null;
    // The periodic reload mostly reads what is in force already: then the catalog is not rebuilt.
    if (this.applied && sameRules(rules, this.rules) && sameCodes(hidden, this.hiddenCodes)) return;
    this.rules = rules;
    this.hiddenCodes = new Set(hidden);
    this.apply();
  }

  /** The markup rules in force. */
  markupRules(): MarkupRules {
    return this.rules;
  }

  /** Sets (or, with null, removes) one markup rule; prices change at once. */
  async setMarkup(target: MarkupTarget, markup: Markup | null): Promise<void> {
    const field = markupField(target);
    this.changes++;
    if (markup === null) await this.deps.redis.hdel(keys.adminMarkup(), field);
    else await this.deps.redis.hset(keys.adminMarkup(), field, JSON.stringify(markup));
    const rules: MarkupRules = { global: this.rules.global, providers: { ...this.rules.providers }, products: { ...this.rules.products } };
    if (markup === null) removeRule(rules, target);
    else placeRule(rules, target, markup);
    this.rules = rules;
    this.apply();
  }

  /** Product codes hidden from buyers. */
  hidden(): ReadonlySet<string> {
    return this.hiddenCodes;
  }

  /** Hides or shows a product; false when it already was that way. */
  async setVisible(code: string, visible: boolean): Promise<boolean> {
    this.changes++;
    const changed = visible
      ? await this.deps.redis.srem(keys.adminHidden(), code)
      : await this.deps.redis.sadd(keys.adminHidden(), code);
    const next = new Set(this.hiddenCodes);
    if (visible) next.delete(code);
    else next.add(code);
    this.hiddenCodes = next;
    this.apply();
    return changed === 1;
  }

  /** The pause in force, if any. */
  maintenance(): Maintenance | null {
    return this.pause;
  }

  /** Pauses buying with `message` for buyers, or (null) resumes it. */
  async setMaintenance(change: { message: string; by: string } | null, now = Date.now()): Promise<void> {
    this.changes++;
    if (change === null) {
      await this.deps.redis.del(keys.adminMaintenance());
      this.pause = null;
      return;
    }
    const pause: Maintenance = { ...change, at: now };
    await this.deps.redis.set(keys.adminMaintenance(), JSON.stringify(pause));
    this.pause = pause;
  }

  /** What buyers see while buying is paused, or null; read on every buyer message, so no I/O. */
  buyingPaused(): string | null {
    return this.pause?.message ?? null;
  }

  private apply(): void {
    this.deps.catalog.setRules(this.rules, this.hiddenCodes);
    this.applied = true;
  }
}

function placeRule(rules: MarkupRules, target: MarkupTarget, markup: Markup): void {
  if (target.level === "global") rules.global = markup;
  else if (target.level === "provider") rules.providers[target.provider] = markup;
  else rules.products[target.code] = markup;
}

function sameMarkup(a: Markup | undefined, b: Markup | undefined): boolean {
  return a?.percent === b?.percent && a?.flat === b?.flat;
}

function sameMarkups(a: Record<string, Markup>, b: Record<string, Markup>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameMarkup(a[key], b[key]));
}

function sameRules(a: MarkupRules, b: MarkupRules): boolean {
  return sameMarkup(a.global, b.global) && sameMarkups(a.providers, b.providers) && sameMarkups(a.products, b.products);
}

function sameCodes(read: readonly string[], current: ReadonlySet<string>): boolean {
  const codes = new Set(read);
  return codes.size === current.size && [...codes].every((code) => current.has(code));
}

function removeRule(rules: MarkupRules, target: MarkupTarget): void {
  if (target.level === "provider") delete rules.providers[target.provider];
  else if (target.level === "product") delete rules.products[target.code];
}
