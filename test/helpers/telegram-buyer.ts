/**
 * A Telegram buyer in a private chat with the fake Bot API: types, taps buttons by label, and
 * waits for the bot's answers.
 */
import { inlineButtons, textOf, type FakeTelegram } from "../fakes/telegram-api.js";

/** Buyer `id` (chat id = user id), writing in Indonesian. */
export function telegramBuyer(telegram: FakeTelegram, id: number) {
  const chat = { id, type: "private" as const };
  const from = { id, first_name: "Budi", language_code: "id" };
  return {
    say: (text: string) => telegram.sendText(chat, from, text),
    /**
     * Taps the button labelled `label` (exactly, after its "n. " number, else containing it) on
     * the latest menu, as that message shows now (menus are edited in place).
     */
    tap: (label: string) => {
      const menu = [...telegram.messagesTo(id)].reverse().find((m) => inlineButtons(m).length > 0);
      if (!menu) throw new Error("no menu to tap");
      const buttons = inlineButtons(telegram.message(id, menu.messageId) ?? menu);
      const button = buttons.find((b) => b.text.replace(/^\d+\.\s*/, "") === label) ?? buttons.find((b) => b.text.includes(label));
      if (!button || !("callback_data" in button) || !button.callback_data) {
        throw new Error(`no button "${label}" in [${buttons.map((b) => b.text).join(", ")}]`);
      }
      return telegram.tapButton(id, id, menu.messageId, button.callback_data);
    },
    /**
     * Waits for a message in this chat containing `part`, or matching it (a message key's pattern
     * from `shown`), from `since` (default the last input).
     */
    expect: (part: string | RegExp, since?: number) =>
      telegram.waitFor((m) => m.chatId === id && (typeof part === "string" ? textOf(m).includes(part) : part.test(textOf(m))), {
        timeoutMs: 10_000,
        ...(since !== undefined ? { since } : {}),
      }),
  };
}
