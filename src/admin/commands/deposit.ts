/**
 * `/deposit <provider> <amount>`: creates a deposit at the provider and posts its QRIS in the
 * group as an image, to top the reseller balance up.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import { renderQrPng } from "../../payments/qr-image.js";
import { ProviderError } from "../../providers/errors.js";
import { answer } from "./answer.js";
import { positiveRupiah, provider, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const depositCommand = defineAdminCommand({
  name: "deposit",
  args: words.pipe(z.tuple([provider, positiveRupiah])).transform(([providerId, amount]) => ({ provider: providerId, amount })),
  usage: msg("admin-usage-deposit"),
  run: async ({ provider: id, amount }, { services }) => {
    const provider = services.providers.get(id);
    if (!provider?.deposit) return answer("unsupported", msg("admin-deposit-unsupported", { provider: id }));
    try {
      const deposit = await provider.deposit(amount);
      return {
        replies: [
          {
            kind: "photo",
            png: await renderQrPng(deposit.qrisPayload),
            caption: msg("admin-deposit-caption", { provider: id, id: deposit.depositId, amount: formatRupiah(deposit.amount) }),
          },
        ],
        result: `created ${deposit.depositId}`,
      };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      // The code only: a provider's message may quote the request.
      return answer(`failed ${error.code}`, msg("admin-deposit-failed", { provider: id, code: error.code }));
    }
  },
});
