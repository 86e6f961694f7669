/**
 * Address normalisation: phone digits from either address form, LIDs resolved through Baileys'
 * mapping when it knows them, and mentions of our own account in either form.
 */
import { describe, expect, it } from "vitest";
import { mentionsMe, phoneOfJid, senderOf } from "../../src/channels/whatsapp/jid.js";

describe("phoneOfJid", () => {
  it("takes the digits of phone-number JIDs, with or without a device, and nothing else", () => {
    expect(phoneOfJid("6281234567890@s.whatsapp.net")).toBe("6281234567890");
    expect(phoneOfJid("6281234567890:12@s.whatsapp.net")).toBe("6281234567890");
    expect(phoneOfJid("6281234567890@c.us")).toBe("6281234567890");
    expect(phoneOfJid("190000000000001@lid")).toBeNull();
    expect(phoneOfJid("120363000000000001@g.us")).toBeNull();
    expect(phoneOfJid("status@broadcast")).toBeNull();
    expect(phoneOfJid(undefined)).toBeNull();
  });
});

describe("senderOf", () => {
  const noMapping = async () => null;

  it("prefers whichever of the pair is a phone number, in groups and private chats", async () => {
    const group = "120363000000000001@g.us";
    expect(await senderOf({ remoteJid: group, participant: "190000000000003@lid", participantAlt: "6281300000001@s.whatsapp.net" }, noMapping)).toEqual({
      phone: "6281300000001",
      jid: "6281300000001@s.whatsapp.net",
    });
    expect(await senderOf({ remoteJid: group, participant: "6281300000001:4@s.whatsapp.net", participantAlt: "190000000000003@lid" }, noMapping)).toMatchObject({
      phone: "6281300000001",
    });
    expect(await senderOf({ remoteJid: "190000000000009@lid", remoteJidAlt: "6281234500009@s.whatsapp.net" }, noMapping)).toMatchObject({ phone: "6281234500009" });
  });

  it("asks the LID mapping for a LID-only sender, and keeps the LID when nobody knows the number", async () => {
    const key = { remoteJid: "120363000000000001@g.us", participant: "190000000000005:2@lid" };
    const lookups: string[] = [];
    const known = async (lid: string) => (lookups.push(lid), "6281300000009@s.whatsapp.net");
    expect(await senderOf(key, known)).toEqual({ phone: "6281300000009", jid: "6281300000009@s.whatsapp.net" });
    expect(lookups).toEqual(["190000000000005@lid"]); // asked without the device suffix
    expect(await senderOf(key, noMapping)).toEqual({ phone: null, jid: "190000000000005@lid" });
    expect(await senderOf(key, async () => Promise.reject(new Error("store down")))).toEqual({ phone: null, jid: "190000000000005@lid" });
  });
});

describe("mentionsMe", () => {
  it("matches our account by phone JID or LID, ignoring devices", () => {
    const me = { id: "6281100000001:7@s.whatsapp.net", lid: "190000000000001:7@lid" };
    expect(mentionsMe(["6281100000001@s.whatsapp.net"], me)).toBe(true);
    expect(mentionsMe(["190000000000001@lid"], me)).toBe(true);
    expect(mentionsMe(["6289999999999@s.whatsapp.net"], me)).toBe(false);
    expect(mentionsMe(["6281100000001@s.whatsapp.net"], undefined)).toBe(false);
  });
});
