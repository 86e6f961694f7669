/**
 * What the simulated buyers do, step by step, with the answer each step waits for (texts from
 * locales/id.ftl, since the buyers' Telegram clients are Indonesian).
 */
import type { SentMessage } from "../test/fakes/telegram-api.js";
import { inlineButtons } from "../test/fakes/telegram-api.js";
import type { Buyer, Step } from "./crowd.js";

function textOf(message: SentMessage): string {
  return message.text ?? message.caption ?? "";
}

/** An answer whose text contains `part`. */
export function says(part: string): (message: SentMessage) => boolean {
  return (message) => textOf(message).includes(part);
}

/** The main menu (categories), with its buttons. */
const mainMenu = (message: SentMessage) => textOf(message).includes("pilih kategori") && inlineButtons(message).length > 0;

/** A step that sends a text. */
export function sayStep(label: string, text: string | ((buyer: Buyer) => string), done: (message: SentMessage) => boolean): Step {
  return { label, act: (buyer) => buyer.say(typeof text === "string" ? text : text(buyer)), done };
}

/** A step that taps the first button whose label contains `button` (and every part of `also`). */
export function tapStep(label: string, button: string, done: (message: SentMessage) => boolean, also: readonly string[] = []): Step {
  return { label, act: (buyer) => buyer.tap((text) => text.includes(button) && also.every((part) => text.includes(part))), done };
}

/**
 * The checkout up to choosing how to pay, then cancel: 7 updates (4 taps, 3 texts), every one
 * of which loads and saves the session. It buys nothing, so it can repeat forever.
 */
export function browseCycle(): Step[] {
  return [
    sayStep("/menu", "/menu", mainMenu),
    tapStep("tap category", "Top-up game", says("Top-up game — pilih")),
    tapStep("tap group", "Mobile Legends", says("Mobile Legends — pilih produk")),
    // [SANDBOX] tells the sandbox item apart from another provider's product of the same name.
    tapStep("tap product", "86 Diamonds", says("Kirim ID dan Zone ID"), ["SANDBOX"]),
    sayStep("type target", "12345678 (1234)", says("Cek pesanan kamu")),
    tapStep("tap confirm", "Lanjut bayar", says("Pilih cara bayar")),
    sayStep("/cancel", "/cancel", mainMenu),
  ];
}

/** The echo bot's only step: a unique text, answered with the same text. */
export function echoCycle(): Step[] {
  return [
    {
      label: "echo",
      act: (buyer) => buyer.say(`halo ${buyer.chatId}-${++buyer.counter}`),
      done: (message) => message.method === "sendMessage",
    },
  ];
}

/** Opens the menu, which leaves a session in Redis (for the memory benchmark). */
export function holdSessionSteps(): Step[] {
  return [sayStep("/menu", "/menu", mainMenu)];
}

/** Tops up the sandbox wallet, then buys `code` with it (typed, as a buyer may do) for a game id. */
export function purchaseSteps(code: string): Step[] {
  return [
    sayStep("topup", "/topup 1000000", says("saldo ditambah")),
    sayStep("type code", code, says("Kirim ID dan Zone ID")),
    sayStep("type target", "12345678 (1234)", says("Cek pesanan kamu")),
    sayStep("confirm", "1", says("Pilih cara bayar")),
    sayStep("pay", "1", says("dibayar")),
  ];
}
