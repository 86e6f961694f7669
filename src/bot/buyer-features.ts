/**
 * Hosts buyer features (see `core/buyer-feature.ts`) beside the checkout: routes a feature's
 * commands to it, keeps its state under its namespace in the chat's session, and hands it the
 * buyer's messages while that state is there. The bot knows no feature by name.
 */
import type { FeatureArrival, FeatureChat, FeatureIntent, HostedBuyerFeature } from "../core/buyer-feature.js";
import type { Msg } from "../core/message.js";
import type { Reply } from "../core/reply.js";
import type { Intent } from "./intent.js";
import type { Session } from "./session.js";

/** What a feature turn leaves behind: the chat's next session and the replies. */
export interface FeatureTurn {
  session: Session;
  replies: Reply[];
  /** The host should draw the shop's main menu after the replies. */
  toMainMenu: boolean;
}

export class BuyerFeatures {
  private readonly byCommand = new Map<string, HostedBuyerFeature>();
  private readonly byNamespace = new Map<string, HostedBuyerFeature>();

  /**
   * @example
   * const features = new BuyerFeatures([myVpsFeature(aluy, services)]);
   */
  constructor(features: readonly HostedBuyerFeature[]) {
    for (const feature of features) {
      if (this.byNamespace.has(feature.namespace)) throw new Error(`two buyer features use the session namespace "${feature.namespace}"`);
      this.byNamespace.set(feature.namespace, feature);
      for (const command of feature.commands) {
        if (this.byCommand.has(command)) throw new Error(`two buyer features answer /${command}`);
        this.byCommand.set(command, feature);
      }
    }
  }

  /**
   * The feature that takes this message, with the intent it sees: one of its commands opens it,
   * and while its state is in the session every message that is not a command goes to it.
   */
  route(session: Session, intent: Intent): { feature: HostedBuyerFeature; intent: FeatureIntent } | null {
    if (intent.kind === "command" || intent.kind === "unknown_command") {
      const command = intent.kind === "command" ? intent.command : intent.name;
      const feature = this.byCommand.get(command);
      return feature ? { feature, intent: { kind: "command", command, args: intent.kind === "command" ? intent.args : "" } } : null;
    }
    const active = session.feature && this.byNamespace.get(session.feature.ns);
    return active ? { feature: active, intent } : null;
  }

  /**
   * Offers an arrival (a `/start` payload, or text with no checkout step open) to the features
   * that look at arrivals; the first that claims it answers with notices for the main menu.
   */
  async arrive(arrival: FeatureArrival): Promise<Msg[] | null> {
    for (const feature of this.byNamespace.values()) {
      const notices = feature.arrive ? await feature.arrive(arrival) : null;
      if (notices) return notices;
    }
    return null;
  }

  /**
   * Runs one turn of `feature`. Its menus replace the checkout's (the checkout starts again from
   * the main menu afterwards); when it lets the buyer go (or sends them back to the main menu),
   * its state is dropped.
   */
  async run(feature: HostedBuyerFeature, intent: FeatureIntent, session: Session, buyer: string, chat?: FeatureChat): Promise<FeatureTurn> {
    const stored = session.feature?.ns === feature.namespace ? session.feature.state : undefined;
    const result = await feature.handle({ intent, buyer, menuSeq: session.menuSeq, ...(chat ? { chat } : {}) }, intent.kind === "command" ? undefined : stored);
    const next: Session = { ...leaveFeature(session), step: { name: "main" }, menu: null, menuSeq: Math.max(session.menuSeq, result.menuSeq) };
    const toMainMenu = result.toMainMenu === true;
    if (result.session !== null && !toMainMenu) next.feature = { ns: feature.namespace, state: result.session };
    return { session: next, replies: result.replies, toMainMenu };
  }
}

/** The session without any feature's state: the buyer is back in the checkout. */
export function leaveFeature(session: Session): Session {
  if (!session.feature) return session;
  const { feature: _left, ...rest } = session;
  return rest;
}
