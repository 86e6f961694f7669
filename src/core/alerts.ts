/**
 * The admin-alert port: how a lower layer tells the shop's staff something (a failed order, a
 * late payment). The admin group implements it; the composition root wires it in.
 */
import type { Msg } from "./message.js";

export interface AdminAlerts {
  /** Tells the admins; `orderId` groups alerts about one order. Never throws to the caller's harm. */
  alert(message: Msg, orderId?: string): Promise<void>;
}
