/**
 * `/promo` (issue 17): a provider-side promo code for a product, sent with each purchase of it
 * (ALxZen `voucherCode`, premzone `coupon_code`, aluy `promoCode`). Where the provider can check
 * a code (aluy `/promo/validate`) it is checked first and a refused code is not attached.
 *
 *   /promo                           the attached codes
 *   /promo <PRODUCT_CODE> <code>     attach
 *   /promo <PRODUCT_CODE> off        remove
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { promoCodePattern } from "../../commerce/provider-promos.js";
import { ProviderError } from "../../providers/errors.js";
import { answer } from "./answer.js";
import { productCode, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

const promoValue = z.union([
  z
    .string()
    .regex(/^off$/i)
    .transform(() => null),
  z.string().regex(promoCodePattern),
]);

export const promoCommand = defineAdminCommand({
  name: "promo",
  args: words
    .pipe(z.union([z.tuple([]), z.tuple([productCode, promoValue])]))
    .transform((parts) => ({ set: parts.length === 0 ? null : { code: parts[0], promo: parts[1] } })),
  usage: msg("admin-usage-promo"),
  run: async ({ set }, { services }) => {
    const { promos } = services.pricing;
    if (set === null) {
      const all = Object.entries(await promos.all());
      if (all.length === 0) return answer("shown", msg("admin-promo-empty"));
      return answer("shown", msg("admin-promo-title"), ...all.map(([product, promo]) => msg("admin-promo-line", { product, promo })));
    }
    if (set.promo === null) {
      await promos.set(set.code, null);
      return answer("removed", msg("admin-promo-removed", { product: set.code }));
    }
    const item = services.catalog.view().find(set.code);
    if (!item) return answer("unknown_product", msg("admin-product-unknown", { code: set.code }));
    const provider = services.providers.get(item.provider);
    if (provider?.checkPromo) {
      let checked: Awaited<ReturnType<NonNullable<typeof provider.checkPromo>>>;
      try {
        checked = await provider.checkPromo(set.promo, item);
      } catch (error) {
        const code = error instanceof ProviderError ? error.code : "upstream";
        return answer("check_failed", msg("admin-promo-check-failed", { provider: item.provider, reason: msg(`provider-error-${code}`) }));
      }
      if (!checked.valid) return answer("refused", msg("admin-promo-refused", { promo: set.promo, provider: item.provider, reason: checked.reason ?? "-" }));
      await promos.set(set.code, set.promo);
      return answer("set", msg("admin-promo-set-checked", { product: set.code, promo: set.promo, provider: item.provider, percent: checked.discountPercent ?? "-" }));
    }
    await promos.set(set.code, set.promo);
    return answer("set", msg("admin-promo-set", { product: set.code, promo: set.promo, provider: item.provider }));
  },
});
