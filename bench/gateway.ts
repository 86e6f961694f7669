/**
 * Benchmark 8 (issue 15): confirming QRIS payments by a gateway's notification, against the
 * generic signed callback, in the same run.
 *
 * Gateway side: the real app (`startTestApp`: real Redis, fresh prefix) with `QRIS_GATEWAYS=midtrans`
 * and the real Midtrans module against the fake Midtrans Core API, which runs in a process of its
 * own (`midtrans-host.ts`), as the real Midtrans would: its work is not the shop's.
 * N top-ups are opened through the payment service (each a Midtrans charge and a QR image), the
 * fake marks them all paid, and N notifications signed with the real SHA-512 formula are posted to
 * `POST /payments/midtrans` all at once. Each is checked and then confirmed through Midtrans'
 * status API before money moves, so each costs a status call to the fake.
 * Baseline: a second app with the owner's static QRIS; N top-ups opened the same way, and N
 * callbacks signed with HMAC-SHA256 posted to `POST /payments/callback` all at once.
 *
 * Each side first handles min(400, N) payments unmeasured (warm-up), then two measured trials of N
 * run in mirrored order (gateway then generic, generic then gateway) and are pooled.
 *
 * Both sides then assert every payment settled exactly once: each buyer's ledger holds exactly
 * one `qris:<id>` entry of the amount asked, and balance = ledger. The figure is notifications
 * handled per second (from the first post to the last answer of each trial, summed over trials). Requests go out through one
 * keep-alive agent of {@link socketsPerSide} sockets per side, so all N are in flight at once
 * without N TCP handshakes against the listen backlog.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { App } from "../src/compose/app.js";
import type { ChannelSender } from "../src/core/outbox.js";
import { asList, type Reply } from "../src/core/reply.js";
import { signCallback } from "../src/payments/callback-route.js";
import { startTestApp } from "../test/helpers/app.js";
import type { BenchConfig } from "./config.js";
import { fmt, row, type BenchResult } from "./report.js";

const socketsPerSide = 128;
const callbackSecret = "bench-callback-secret-0123456789abcdef";
/** A public example static QRIS (test/fixtures/qris-vectors.json). */
const staticQris =
  "00020101021126660017ID.CO.EXAMPLE.WWW01159360086704567890215MIDCONTOH1234560303UMI51370014ID.CO.QRIS.WWW0215ID10191234567815204123453033605802ID5914NamaMerchantA16009NamaKota16110123456789062070703K196304B1EF";
/** Payments per side confirmed before measuring, so neither side is measured cold (JIT, first connections). */
/**
 * Payments per side confirmed before measuring (at most; a quick run warms up with its N), so
 * neither side is measured on code V8 has not optimised yet (see the warm-up in {@link gatewayBench}).
 */
const maxWarmUp = 400;
/** Measured trials per side, in mirrored order, pooled. */
const trials = 2;
/** Payments opened at once while preparing (each renders a PNG on this event loop). */
const openConcurrency = 16;

interface Opened {
  buyer: string;
  id: string;
  /** What the payer is asked to pay (the callback's amount on the static side). */
  total: number;
  /** What the wallet must be credited. */
  credit: number;
}

interface Side {
  label: string;
  n: number;
  seconds: number;
  perSecond: number;
  statuses: Record<string, number>;
  settledOnce: number;
  openSeconds: number;
  /** CPU time of this process (app + posting client) per notification while they were handled. */
  cpuMsEach: number;
  /** The main thread's share of it (the event loop without V8's helper threads); null off Linux. */
  mainCpuMsEach: number | null;
}

/** One measured burst of one side. */
interface Trial {
  trial: number;
  seconds: number;
  statuses: Record<string, number>;
  cpuMsEach: number;
  mainCpuMsEach: number | null;
  settledOnce: number;
  openSeconds: number;
}

/** A side's trials as one: all notifications over all the trials' wall time, CPU averaged per notification. */
function pool(label: string, n: number, trials: readonly Trial[]): Side {
  const seconds = trials.reduce((sum, trial) => sum + trial.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const trial of trials) for (const [status, count] of Object.entries(trial.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const main = trials.map((trial) => trial.mainCpuMsEach);
  return {
    label,
    n: n * trials.length,
    seconds,
    perSecond: (n * trials.length) / seconds,
    statuses,
    settledOnce: trials.reduce((sum, trial) => sum + trial.settledOnce, 0),
    openSeconds: trials.reduce((sum, trial) => sum + trial.openSeconds, 0),
    cpuMsEach: mean(trials.map((trial) => trial.cpuMsEach)),
    mainCpuMsEach: main.every((value): value is number => value !== null) ? mean(main) : null,
  };
}

/**
 * CPU time of this process's main thread so far, in ms, from /proc (Linux; 10 ms ticks), or null
 * elsewhere. `process.cpuUsage()` also counts V8's GC and compiler threads.
 */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

/** Where `BENCH_CPU_PROF=1` puts the profiles of the measured windows (one per side and trial). */
const profileDir = fileURLToPath(new URL("./profiles/", import.meta.url));

/**
 * With `BENCH_CPU_PROF=1`, a V8 CPU profile of this process over `work` alone (the app and the
 * posting client share it), written to `bench/profiles/gateway-<label>-<time>.cpuprofile`; the
 * opening of payments and the warm-up stay out of it.
 */
async function profiled<T>(enabled: boolean, label: string, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    const result = await work();
    const { profile } = await session.post("Profiler.stop");
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(`${profileDir}gateway-${label}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}

const midtransHostEntry = fileURLToPath(new URL("./midtrans-host.ts", import.meta.url));

/** The fake Midtrans in its own process: its URL, and a call that pays orders and returns their signed notifications. */
interface MidtransHost {
  url: string;
  serverKey: string;
  payAll(orderIds: readonly string[]): Promise<{ bodies: string[]; statusCalls: number }>;
  stop(): Promise<void>;
}

async function startMidtransHost(): Promise<MidtransHost> {
  const serverKey = `SB-Mid-server-${randomBytes(12).toString("hex")}`;
  const child: ChildProcess = fork(midtransHostEntry, [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_MIDTRANS_KEY: serverKey },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`fake midtrans process exited with ${code}`));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        resolve(message);
      });
    });
  const { url } = z.object({ url: z.string().url() }).parse(await next());
  return {
    url,
    serverKey,
    async payAll(orderIds) {
      const answer = next();
      child.send({ pay: orderIds });
      return z.object({ bodies: z.array(z.string()), statusCalls: z.number() }).parse(await answer);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}

/** A sender standing in for the console channel: top-up messages go nowhere. */
const quietConsole: ChannelSender = { channel: "console", send: async () => undefined };

/** Runs benchmark 8. */
export async function gatewayBench(config: BenchConfig): Promise<BenchResult> {
  const n = config.gatewayN;
  const warmUp = Math.min(maxWarmUp, n);
  const midtrans = await startMidtransHost();
  const gatewayShop = await startTestApp(
    { PAYMENT_METHODS: "wallet,qris", QRIS_GATEWAYS: "midtrans", MIDTRANS_SERVER_KEY: midtrans.serverKey, MIDTRANS_BASE_URL: midtrans.url },
    { senders: [quietConsole], expirySweepMs: 3_600_000 },
  );
  const staticShop = await startTestApp(
    { PAYMENT_METHODS: "wallet,qris", QRIS_GATEWAYS: "static", QRIS_STATIC_PAYLOAD: staticQris, PAYMENT_CALLBACK_SECRET: callbackSecret },
    { senders: [quietConsole], expirySweepMs: 3_600_000 },
  );
  const agents: Agent[] = [];
  try {
    const gatewayPort = await gatewayShop.app.http.listen(0, "127.0.0.1");
    const staticPort = await staticShop.app.http.listen(0, "127.0.0.1");

    // Idle sockets are dropped after 2 s, before the app's server closes them (Node's 5 s
    // keep-alive timeout): reusing one it is closing is an ECONNRESET (seen between trials, when
    // opening the next payments takes about that long). Node's agent ignores the server's
    // Keep-Alive hint unless it has a timeout of its own.
    const gatewayAgent = new Agent({ keepAlive: true, maxSockets: socketsPerSide, timeout: 2_000 });
    const staticAgent = new Agent({ keepAlive: true, maxSockets: socketsPerSide, timeout: 2_000 });
    agents.push(gatewayAgent, staticAgent);
    const signed = (payments: readonly Opened[]) =>
      payments.map((payment) => {
        const body = JSON.stringify({ amount: payment.total, reference: payment.id, paidAt: Date.now() });
        return { body, headers: { "x-signature": signCallback(callbackSecret, body) } };
      });
    // Warm-up, not measured: both paths run first through the same agents, long enough for V8 to
    // optimise the code they share (HTTP server, payment store, wallet scripts). With 50, the side
    // measured first paid for that: the same store and server functions took 3-5x the self time
    // there in a CPU profile.
    const warmGateway = await openTopups(gatewayShop.app, "gw-warm", warmUp);
    const { bodies: warmBodies } = await midtrans.payAll(warmGateway.map((payment) => payment.id));
    await postAll(gatewayAgent, gatewayPort, "/payments/midtrans", warmBodies.map((body) => ({ body, headers: {} })));
    await postAll(staticAgent, staticPort, "/payments/callback", signed(await openTopups(staticShop.app, "st-warm", warmUp)));

    // The gateway side: N Midtrans charges, all paid, one signed notification each.
    const gatewayTrial = async (trial: number): Promise<Trial> => {
      const started = performance.now();
      const payments = await openTopups(gatewayShop.app, `gw${trial}`, n);
      const openSeconds = (performance.now() - started) / 1000;
      const { bodies } = await midtrans.payAll(payments.map((payment) => payment.id));
      const posted = await profiled(config.cpuProfile, `midtrans-${trial}`, () =>
        postAll(gatewayAgent, gatewayPort, "/payments/midtrans", bodies.map((body) => ({ body, headers: {} }))),
      );
      return { ...posted, trial, openSeconds, settledOnce: await settledOnce(gatewayShop.app, payments) };
    };
    // The generic callback: N static payments, one HMAC-signed callback each.
    const genericTrial = async (trial: number): Promise<Trial> => {
      const started = performance.now();
      const payments = await openTopups(staticShop.app, `st${trial}`, n);
      const openSeconds = (performance.now() - started) / 1000;
      const bodies = signed(payments);
      const posted = await profiled(config.cpuProfile, `callback-${trial}`, () => postAll(staticAgent, staticPort, "/payments/callback", bodies));
      return { ...posted, trial, openSeconds, settledOnce: await settledOnce(staticShop.app, payments) };
    };
    // Two trials in mirrored order (gateway then generic, generic then gateway), pooled: neither side
    // is always the one measured on a colder process or a busier minute of this shared machine.
    const gatewayTrials: Trial[] = [];
    const genericTrials: Trial[] = [];
    for (let trial = 1; trial <= trials; trial++) {
      if (trial % 2 === 1) {
        gatewayTrials.push(await gatewayTrial(trial));
        genericTrials.push(await genericTrial(trial));
      } else {
        genericTrials.push(await genericTrial(trial));
        gatewayTrials.push(await gatewayTrial(trial));
      }
    }

    const gatewaySide = pool("midtrans notifications", n, gatewayTrials);
    const genericSide = pool("generic signed callbacks", n, genericTrials);
    const total = n * trials;
    const statusCalls = (await midtrans.payAll([])).statusCalls - warmUp;
    const ratio = gatewaySide.perSecond / genericSide.perSecond;
    const allSettled = gatewaySide.settledOnce === total && genericSide.settledOnce === total;
    const sideRow = (label: string, side: Pick<Side, "perSecond" | "seconds" | "cpuMsEach" | "mainCpuMsEach" | "statuses" | "settledOnce" | "openSeconds">, count: number) => [
      label,
      fmt(side.perSecond),
      fmt(side.seconds),
      fmt(side.cpuMsEach),
      side.mainCpuMsEach === null ? "n/a" : fmt(side.mainCpuMsEach),
      Object.entries(side.statuses)
        .map(([status, answers]) => `${status}×${answers}`)
        .join(" "),
      `${side.settledOnce}/${count}`,
      fmt(side.openSeconds),
    ];
    return {
      name: "gateway",
      summary: [
        row({
          bench: "8 gateway notifications",
          metric: `payments settled exactly once, ${trials}x ${n} concurrent Midtrans notifications`,
          value: gatewaySide.settledOnce,
          unit: "",
          baseline: { label: "payments", value: total },
          target: "all",
          met: gatewaySide.settledOnce === total,
        }),
        row({
          bench: "8 gateway notifications",
          metric: `notifications/s, ${n} at once, ${trials} trials pooled (signature + status call + settle)`,
          value: gatewaySide.perSecond,
          unit: "/s",
          baseline: { label: "generic callback", value: genericSide.perSecond },
          target: ">= 0.8x generic",
          met: allSettled && ratio >= 0.8,
        }),
      ],
      details: [
        {
          title: `8. Gateway notifications vs the generic callback (${n} payments per side and trial, all posted at once over ${socketsPerSide} keep-alive sockets; ${trials} trials in mirrored order, after ${warmUp} unmeasured per side)`,
          header: ["side", "handled/s", "wall s", "CPU ms each (process)", "main thread CPU ms each", "answers", "settled once", "opening the payments s"],
          rows: [
            ...[...gatewayTrials, ...genericTrials]
              .sort((a, b) => a.trial - b.trial)
              .map((trial) => sideRow(`trial ${trial.trial}: ${gatewayTrials.includes(trial) ? "midtrans" : "generic"}`, { ...trial, perSecond: n / trial.seconds }, n)),
            sideRow(`pooled: ${gatewaySide.label}`, gatewaySide, total),
            sideRow(`pooled: ${genericSide.label}`, genericSide, total),
          ],
        },
      ],
      notes: [
        `Gateway side: ${statusCalls} status calls reached the fake Midtrans for ${total} notifications (each is confirmed at the status API before money moves). The fake Midtrans runs in its own process; the app and the posting client share this one (both sides alike); the generic side makes no outside call.`,
        "CPU ms each (process) counts every thread of this process (V8's GC and compiler threads too); main thread CPU is the event loop's alone (Linux /proc, 10 ms ticks).",
        "Settled exactly once = the buyer's ledger holds exactly one entry, qris:<payment id>, of the amount asked, and balance = ledger.",
      ],
      data: { n, trials, warmUp, gateway: gatewaySide, generic: genericSide, gatewayTrials, genericTrials, ratio, statusCalls },
    };
  } finally {
    for (const agent of agents) agent.destroy();
    await gatewayShop.cleanup();
    await staticShop.cleanup();
    await midtrans.stop();
  }
}

/**
 * Opens `n` top-ups, one buyer each, through the payment service as `/topup` does. Amounts vary
 * so the static side's unique totals never run out (each price has its own pool).
 */
async function openTopups(app: App, tag: string, n: number): Promise<Opened[]> {
  const opened: Opened[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const index = next++;
      const buyer = `console:bench-${tag}-${index}`;
      const asked = 10_000 + (index % 10) * 1_000;
      const replies = await app.payments.startTopup({ buyer, channel: "console", chatId: `bench-${tag}-${index}`, locale: "id" }, asked);
      const { id, total } = captionOf(replies);
      // The wallet gets what the payer paid: Midtrans adds no payer's fee (total = asked), and the
      // static side's unique code is the buyer's money too (total = asked + code).
      opened[index] = { buyer, id, total, credit: total };
    }
  };
  await Promise.all(Array.from({ length: openConcurrency }, worker));
  return opened;
}

/** The payment id and total the QR photo's caption announces. */
function captionOf(replies: readonly Reply[]): { id: string; total: number } {
  const photo = replies.find((reply): reply is Extract<Reply, { kind: "photo" }> => reply.kind === "photo");
  const caption = photo ? asList(photo.caption).find((m) => m.key === "qris-caption") : undefined;
  if (!caption?.args) throw new Error(`no QR opened: ${JSON.stringify(replies)}`);
  return { id: String(caption.args.id), total: Number(String(caption.args.amount).replace(/[^0-9]/g, "")) };
}

/** POSTs every body at once; the wall time from the first post to the last answer, and the answers' statuses. */
async function postAll(
  agent: Agent,
  port: number,
  path: string,
  requests: readonly { body: string; headers: Record<string, string> }[],
): Promise<{ seconds: number; statuses: Record<string, number>; cpuMsEach: number; mainCpuMsEach: number | null }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  const answers = await Promise.all(requests.map(({ body, headers }) => post(agent, port, path, body, headers)));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const mainAfter = mainThreadCpuMs();
  const cpuMsEach = (used.user + used.system) / 1000 / requests.length;
  const statuses: Record<string, number> = {};
  for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
  const mainCpuMsEach = mainBefore === null || mainAfter === null ? null : (mainAfter - mainBefore) / requests.length;
  return { seconds, statuses, cpuMsEach, mainCpuMsEach };
}

function post(agent: Agent, port: number, path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** How many payments left exactly one ledger entry, `qris:<id>` of the amount asked, in a sound wallet. */
async function settledOnce(app: App, payments: readonly Opened[]): Promise<number> {
  let once = 0;
  for (const payment of payments) {
    const entries = await app.wallet.ledger(payment.buyer, 10);
    const check = await app.wallet.verify(payment.buyer);
    const [entry] = entries;
    if (entries.length === 1 && entry?.id === `qris:${payment.id}` && entry.amount === payment.credit && check.consistent) once++;
  }
  return once;
}
