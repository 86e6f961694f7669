/**
 * The sandbox provider, counting purchases: a second purchase of one order is a double buy,
 * which is what many tests exist to rule out.
 */
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import type { OrderOutcome, PlaceOrderRequest } from "../../src/providers/types.js";

export class CountingSandbox extends SandboxProvider {
  /** Order ids, one entry per purchase call. */
  readonly placed: string[] = [];

  constructor(options: ConstructorParameters<typeof SandboxProvider>[0] = { pendingMs: 50 }) {
    super(options);
  }

  override placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    this.placed.push(request.orderId);
    return super.placeOrder(request);
  }
}
