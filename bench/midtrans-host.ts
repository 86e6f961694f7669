/**
 * The fake Midtrans Core API in a process of its own, for benchmark 8 (`gateway.ts`): the status
 * calls the shop makes are then served on another core's event loop, as the real Midtrans would
 * be, and only the shop's own side of each call is in the measured process.
 *
 * IPC: the parent sends `{ pay: orderIds }`; this process marks them paid and answers
 * `{ bodies }`, the signed notification of each (same order). First message out: `{ url }`.
 */
import { z } from "zod";
import { FakeMidtransServer } from "../test/fakes/midtrans-server.js";

const request = z.object({ pay: z.array(z.string()) });

async function main(): Promise<void> {
  const serverKey = z.string().min(1).parse(process.env.BENCH_MIDTRANS_KEY);
  const fake = await FakeMidtransServer.start({ serverKey });
  process.on("message", (raw) => {
    const { pay } = request.parse(raw);
    for (const orderId of pay) fake.pay(orderId);
    process.send?.({ bodies: pay.map((orderId) => fake.notificationBody(orderId)), statusCalls: fake.callsTo("GET /v2/:id/status").length });
  });
  process.on("disconnect", () => void fake.stop().finally(() => process.exit(0)));
  process.send?.({ url: fake.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
