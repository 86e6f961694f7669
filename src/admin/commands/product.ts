/**
 * `/product off|on <code>`: hides a product from buyers, or shows it again; survives restarts.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { answer } from "./answer.js";
import { keyword, productCode, words } from "./args.js";
import { defineAdminCommand } from "./command.js";
import { knownProduct } from "./known-product.js";

export const productCommand = defineAdminCommand({
  name: "product",
  args: words.pipe(z.tuple([keyword.pipe(z.enum(["on", "off"])), productCode])).transform(([state, code]) => ({ visible: state === "on", code })),
  usage: msg("admin-usage-product"),
  run: async ({ visible, code }, { services }) => {
    const hidden = services.settings.hidden().has(code);
    if (visible) {
      if (!hidden) return answer("not_hidden", msg("admin-product-not-hidden", { code }));
      await services.settings.setVisible(code, true);
      return answer("shown", msg("admin-product-shown", { code }));
    }
    if (hidden) return answer("already_hidden", msg("admin-product-already-hidden", { code }));
    if (!knownProduct(services, code)) return answer("unknown_product", msg("admin-product-unknown", { code }));
    await services.settings.setVisible(code, false);
    return answer("hidden", msg("admin-product-hidden", { code }));
  },
});
