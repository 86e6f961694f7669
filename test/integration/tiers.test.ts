/**
 * Tier rules of issue 17 against real Redis (review findings): the automatic upgrade only ever
 * raises, compared and written in one step, so an admin's `/tier` landing between a count's read
 * and its write is never lowered; a refunded delivery comes back off the spend, once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Redis } from "ioredis";
import { TierStore } from "../../src/commerce/tiers.js";
import { keys } from "../../src/store/keys.js";
import { freshRedis } from "../helpers/redis.js";

const tierList = [
  { name: "member", percent: 0 },
  { name: "reseller", percent: -3 },
  { name: "vip", percent: -5 },
];
const upgrades = [{ tier: "reseller", spend: 10_000 }];

let redis: Redis;
let cleanup: () => Promise<void>;
let tiers: TierStore;

beforeEach(async () => {
  ({ redis, cleanup } = await freshRedis("tiers"));
  tiers = new TierStore(redis, tierList, upgrades);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

describe("automatic tier upgrades", () => {
  it("raises a buyer once the spend crosses a threshold, and never lowers an admin's higher tier", async () => {
    expect(await tiers.countDelivered("b1", "ORD-AAAAAAAA", 6_000)).toBeNull();
    expect(await tiers.countDelivered("b1", "ORD-BBBBBBBB", 6_000)).toBe("reseller");
    expect((await tiers.of("b1"))?.name).toBe("reseller");

    await tiers.set("b2", "vip");
    expect(await tiers.countDelivered("b2", "ORD-CCCCCCCC", 20_000)).toBeNull();
    expect((await tiers.of("b2"))?.name).toBe("vip");
  });

  it("does not overwrite a /tier an admin wrote after the count read the buyer's tier", async () => {
    // The admin's /tier vip lands just after the count read "member" (if the count reads it apart from writing).
    let adminWrote = false;
    const read = tiers.of.bind(tiers);
    vi.spyOn(tiers, "of").mockImplementation(async (buyer) => {
      const seen = await read(buyer);
      await tiers.set(buyer, "vip");
      adminWrote = true;
      return seen;
    });
    await tiers.countDelivered("b3", "ORD-DDDDDDDD", 12_000);
    // Read and written in one step: the admin's write can only come after it.
    if (!adminWrote) await tiers.set("b3", "vip");
    vi.restoreAllMocks();
    expect((await tiers.of("b3"))?.name).toBe("vip");
    expect(await redis.get(keys.buyerTier("b3"))).toBe("vip");
  });
});

describe("a refunded delivery", () => {
  it("comes back off the spend once; a late count of it adds nothing; the tier earned stays", async () => {
    await tiers.countDelivered("b4", "ORD-EEEEEEEE", 4_000);
    await tiers.countDelivered("b4", "ORD-FFFFFFFF", 8_000);
    expect(await tiers.spend("b4")).toBe(12_000);
    expect((await tiers.of("b4"))?.name).toBe("reseller");

    expect(await tiers.reverseRefunded("b4", "ORD-FFFFFFFF")).toBe(true);
    expect(await tiers.spend("b4")).toBe(4_000);
    expect(await tiers.reverseRefunded("b4", "ORD-FFFFFFFF")).toBe(false);
    // The delivered listener or the sweep counting the order after its refund.
    await tiers.countDelivered("b4", "ORD-FFFFFFFF", 8_000);
    expect(await tiers.spend("b4")).toBe(4_000);
    expect((await tiers.of("b4"))?.name).toBe("reseller");
  });

  it("a refund reversed before the count ever ran keeps the order out of the spend", async () => {
    expect(await tiers.reverseRefunded("b5", "ORD-GGGGGGGG")).toBe(false);
    await tiers.countDelivered("b5", "ORD-GGGGGGGG", 15_000);
    expect(await tiers.spend("b5")).toBe(0);
    expect((await tiers.of("b5"))?.name).toBe("member");
  });
});
