/**
 * Provider-side promo codes (issue 17): an admin attaches one to a product with `/promo`; each
 * order of that product made afterwards records it (`order.promoCode`) and fulfilment sends it
 * with the purchase in the provider's own field. Kept in one Redis hash (product code → promo code).
 *
 * @example
 * await promos.set("VPS-1", "SUMMER10");
 * await promos.get("VPS-1"); // "SUMMER10"
 */
import { keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";

/** A promo code as a provider takes it: letters, digits and - _ . only, at most 64. */
export const promoCodePattern = /^[A-Za-z0-9._-]{1,64}$/;

export class ProviderPromos {
  constructor(private readonly redis: Redis) {}

  /** The promo code attached to a product, if any. */
  async get(productCode: string): Promise<string | null> {
    const code = await this.redis.hget(keys.providerPromos(), productCode);
    return code && promoCodePattern.test(code) ? code : null;
  }

  /** Attaches (or, with null, removes) a product's promo code. */
  async set(productCode: string, promoCode: string | null): Promise<void> {
    if (promoCode === null) await this.redis.hdel(keys.providerPromos(), productCode);
    else await this.redis.hset(keys.providerPromos(), productCode, promoCode);
  }

  /** Every attached code, by product. */
  async all(): Promise<Record<string, string>> {
    return this.redis.hgetall(keys.providerPromos());
  }
}
