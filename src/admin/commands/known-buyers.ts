/**
 * Which of the buyer keys an admin's reference can mean the shop actually knows.
 *
 * @example
 * const found = await knownBuyers(services, ["telegram:08123", "whatsapp:628123"]);
 */
import { keys } from "../../store/keys.js";
import type { AdminServices } from "./context.js";

/** The buyer keys among `candidates` the shop knows: wrote to the bot, or has a wallet or orders. */
export async function knownBuyers(services: Pick<AdminServices, "redis">, candidates: readonly string[]): Promise<string[]> {
  const known = await Promise.all(
    candidates.map(async (buyer) => {
      const [member, traces] = await Promise.all([
        services.redis.sismember(keys.buyers(), buyer),
        services.redis.exists(keys.wallet(buyer), keys.ledger(buyer), keys.ordersOfBuyer(buyer)),
      ]);
      return member === 1 || traces > 0;
    }),
  );
  return candidates.filter((_, index) => known[index]);
}
