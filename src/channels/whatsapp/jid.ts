/**
 * WhatsApp addresses. Since multi-device v7, a person reaches us either by phone-number JID
 * (`62812…@s.whatsapp.net`) or by LID (`123…@lid`, a privacy alias that hides the number), and
 * Baileys gives the other form, when the server knows it, in the key's `remoteJidAlt` /
 * `participantAlt`. Buyers and admins are identified by their phone number as digits, so every
 * comparison goes through {@link phoneOfJid} on both forms.
 */
import {
  isHostedLidUser,
  isHostedPnUser,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isLidUser,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  type GroupMetadata,
  type WAMessageKey,
} from "@whiskeysockets/baileys";

/** Resolves a LID to its phone-number JID, when Baileys has learnt the mapping. */
export type LidResolver = (lid: string) => Promise<string | null>;

/** Who sent a message: the phone digits when known, and the JID to answer a private chat on. */
export interface Sender {
  /** Phone number in international form, digits only; null when only a LID is known. */
  phone: string | null;
  /** The sender's user JID without device suffix (phone form preferred). */
  jid: string;
}

/** Phone digits of a phone-number JID (`62812…:3@s.whatsapp.net` → `62812…`); null for anything else. */
export function phoneOfJid(jid: string | null | undefined): string | null {
  if (!jid || !(isPnUser(jid) || isHostedPnUser(jid) || jid.endsWith("@c.us"))) return null;
  const user = jidDecode(jid)?.user;
  return user && /^\d{6,20}$/.test(user) ? user : null;
}

/** True for `…@lid` and hosted LIDs. */
export function isLid(jid: string | null | undefined): boolean {
  return Boolean(jid && (isLidUser(jid) || isHostedLidUser(jid)));
}

/** The phone-number JID for phone digits. */
function phoneJid(phone: string): string {
  return `${phone}@s.whatsapp.net`;
}

/** True for chats that are groups. */
export function isGroupJid(jid: string): boolean {
  return Boolean(isJidGroup(jid));
}

/** Status updates, broadcast lists and channels: nothing a buyer or admin writes to us. */
export function isBroadcastLike(jid: string): boolean {
  return Boolean(isJidBroadcast(jid) || isJidNewsletter(jid));
}

/**
 * The sender of a message. In a group the author is `participant` (or `participantAlt`), in a
 * private chat it is the chat itself (`remoteJid` / `remoteJidAlt`). Whichever of the pair is a
 * phone-number JID gives the phone; failing that, a LID is looked up in Baileys' mapping. A sender
 * known only by LID keeps `phone: null` — such a sender can never match an admin number.
 */
export async function senderOf(key: WAMessageKey, resolveLid?: LidResolver): Promise<Sender | null> {
  const chat = key.remoteJid;
  if (!chat) return null;
  const [main, alt] = isGroupJid(chat) ? [key.participant, key.participantAlt] : [chat, key.remoteJidAlt];
  const candidates = [main, alt].filter((jid): jid is string => typeof jid === "string" && jid.length > 0);
  for (const jid of candidates) {
    const phone = phoneOfJid(jid);
    if (phone) return { phone, jid: phoneJid(phone) };
  }
  const lid = candidates.find(isLid);
  if (!lid) return null;
  const mapped = resolveLid ? phoneOfJid(await resolveLid(jidNormalizedUser(lid)).catch(() => null)) : null;
  if (mapped) return { phone: mapped, jid: phoneJid(mapped) };
  return { phone: null, jid: jidNormalizedUser(lid) };
}

/** True when `jids` (e.g. a message's mentions) name our own account, in either address form. */
export function mentionsMe(jids: readonly string[], me: { id: string; lid?: string | undefined } | undefined): boolean {
  if (!me) return false;
  const mine = new Set([me.id, me.lid].filter((jid): jid is string => Boolean(jid)).map(jidNormalizedUser));
  return jids.some((jid) => mine.has(jidNormalizedUser(jid)));
}

/**
 * LID → phone-number JID for a group's participants, from its metadata: in LID-addressed groups
 * a participant is `{ id: lid, phoneNumber }`, in phone-addressed ones `{ id: phone, lid }`.
 */
export function lidPhones(metadata: GroupMetadata): Map<string, string> {
  const map = new Map<string, string>();
  for (const participant of metadata.participants) {
    const lid = [participant.id, participant.lid].find(isLid);
    const phone = phoneOfJid(participant.id) ?? phoneOfJid(participant.phoneNumber);
    if (lid && phone) map.set(jidNormalizedUser(lid), phoneJid(phone));
  }
  return map;
}
