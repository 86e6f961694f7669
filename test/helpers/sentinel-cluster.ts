/**
 * A Redis Sentinel setup of our own on loopback free ports, for the failover fault test: a
 * primary, one replica (`replicaof`), and three sentinels (`redis-server <conf> --sentinel`; there
 * is no redis-sentinel binary here) monitoring them with quorum 2, a 1 s down-after and a 3 s
 * failover timeout. The shared Redis on 6379 is never touched.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { exited, freePort } from "./private-redis.js";

/** The master group name the sentinels monitor. */
export const sentinelGroup = "mymaster";

export interface SentinelCluster {
  /** `host:port,…` of the three sentinels, for REDIS_SENTINELS. */
  readonly sentinels: string;
  /** The primary's port at start. */
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** SIGKILLs the primary (as a crash or a lost machine) and waits until it is gone. */
  killPrimary(): Promise<void>;
  /** The master's port as the sentinels report it now (null when none answers). */
  masterPort(): Promise<number | null>;
  /** Waits until every sentinel knows the replica and the other two sentinels, and the replica is in sync. */
  ready(timeoutMs: number): Promise<void>;
  /** Kills every process and deletes the data directory. */
  close(): Promise<void>;
}

/** Starts the primary, the replica and three sentinels. */
export async function startSentinelCluster(): Promise<SentinelCluster> {
  const dir = await mkdtemp(join(tmpdir(), "wb-test-sentinel-"));
  const children: ChildProcess[] = [];
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"];
  const primary = await launch(["--port", String(primaryPort), "--dir", dir, "--dbfilename", "primary.rdb", ...common], /Ready to accept connections/);
  children.push(primary);
  children.push(
    await launch(
      ["--port", String(replicaPort), "--dir", dir, "--dbfilename", "replica.rdb", "--replicaof", "127.0.0.1", String(primaryPort), ...common],
      /Ready to accept connections/,
    ),
  );
  const sentinelPorts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    sentinelPorts.push(port);
    const conf = join(dir, `sentinel-${i}.conf`);
    // Sentinel rewrites its config file (discovered replicas and sentinels, epochs): one each.
    await writeFile(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${sentinelGroup} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${sentinelGroup} 1000`,
        `sentinel failover-timeout ${sentinelGroup} 3000`,
        `sentinel parallel-syncs ${sentinelGroup} 1`,
        "",
      ].join("\n"),
    );
    children.push(await launch([conf, "--sentinel"], /\+monitor master/));
  }

  const ask = async <T>(port: number, command: (client: Redis) => Promise<T>): Promise<T | null> => {
    const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      return await command(client);
    } catch {
      return null;
    } finally {
      client.disconnect();
    }
  };

  return {
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(","),
    primaryPort,
    replicaPort,
    async killPrimary() {
      primary.kill("SIGKILL");
      await exited(primary);
    },
    async masterPort() {
      for (const port of sentinelPorts) {
        const answer = await ask(port, (client) => client.call("SENTINEL", "get-master-addr-by-name", sentinelGroup) as Promise<[string, string] | null>);
        if (answer) return Number(answer[1]);
      }
      return null;
    },
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          sentinelPorts.map((port) =>
            ask(port, async (client) => {
              const replicas = (await client.call("SENTINEL", "replicas", sentinelGroup)) as unknown[];
              const others = (await client.call("SENTINEL", "sentinels", sentinelGroup)) as unknown[];
              return replicas.length === 1 && others.length === 2;
            }),
          ),
        );
        const linked = await ask(replicaPort, async (client) => (await client.info("replication")).includes("master_link_status:up"));
        if (states.every(Boolean) && linked) return;
        if (Date.now() > deadline) throw new Error(`sentinels not ready within ${timeoutMs} ms (${JSON.stringify(states)}, replica linked ${linked})`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async close() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await Promise.all(children.map((child) => exited(child)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts `redis-server args` and resolves once its output matches `ready`. */
async function launch(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "ignore"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server ${args.join(" ")} did not start within 10 s:\n${output}`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return child;
}
