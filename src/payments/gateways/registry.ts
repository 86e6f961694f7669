/**
 * Every QRIS gateway the shop knows. Adding one is a file beside this one plus one line in the
 * list below; `QRIS_GATEWAYS` then accepts its id (after `static`, the owner's own QRIS), and its
 * notifications are served at `POST /payments/<id>`.
 *
 * @example
 * const midtrans = qrisGatewayModules.find((module) => module.id === "midtrans");
 */
import type { RegisteredGatewayModule } from "../gateway.js";
import { midtransModule } from "./midtrans.js";
import { pakasirModule } from "./pakasir.js";
import { tripayModule } from "./tripay.js";

export const qrisGatewayModules: readonly RegisteredGatewayModule[] = [
  midtransModule,
  tripayModule,
  pakasirModule,
];
