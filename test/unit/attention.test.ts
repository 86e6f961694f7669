import { describe, expect, it } from "vitest";
import { attention, attentionMessage } from "../../src/commerce/attention.js";
import { Translator } from "../../src/i18n/translator.js";

const translator = new Translator("id");
const shown = (stored: string, locale: "id" | "en" = "en") => translator.render(locale, attentionMessage(stored));

describe("attention reasons", () => {
  it("are stored as codes and read in the admin group's language", () => {
    expect(shown(attention("unknown-outcome", "timeout"))).toBe("outcome unknown after timeout; not retried, to avoid buying twice");
    expect(shown(attention("still-pending"), "id")).toBe("masih diproses penyedia setelah batas waktu pantau; cek di penyedia");
    expect(shown(attention("failing", "socket hang up: x"))).toBe("fulfilment kept failing: socket hang up: x");
  });

  it("show a reason written by hand as it was written", () => {
    expect(shown("gave up polling")).toBe("gave up polling");
  });
});
