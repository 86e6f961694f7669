/**
 * Test-only entry point: the real `src/main.ts`, except that with CRASH_AT=before-qris-credit the
 * process SIGKILLs itself the moment a QRIS payment, already moved to `paid`, is about to be
 * credited to the wallet: the window between "paid" and settlement, made deterministic without
 * a hook in production code.
 */
import { Wallet } from "../../src/commerce/wallet.js";

if (process.env.CRASH_AT === "before-qris-credit") {
  const credit = Wallet.prototype.credit;
  Wallet.prototype.credit = async function (this: Wallet, ...args: Parameters<Wallet["credit"]>) {
    if (args[2].id.startsWith("qris:")) {
      process.kill(process.pid, "SIGKILL");
      await new Promise(() => undefined); // never continue past the crash point
    }
    return credit.apply(this, args);
  };
}

await import("../../src/main.js");
