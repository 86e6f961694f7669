/**
 * A redis-server of our own on a free port, for tests that crash and restart Redis: the shared
 * one on 6379 must never be touched.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on 127.0.0.1, found by letting the OS pick one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** A redis-server of our own on a free port, killed and restarted at will. */
export interface PrivateRedis {
  readonly url: string;
  /** Kills the server like a crash (SIGKILL) and waits until it is gone. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops it and deletes its data directory. */
  close(): Promise<void>;
}

/**
 * Starts a private redis-server. With `persistent`, every write goes to an append-only file that
 * is fsynced before Redis answers (`appendfsync always`), so a crash loses nothing acknowledged
 * and a restart on the same directory sees all earlier data.
 */
export async function startPrivateRedis({ persistent = false } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "wb-test-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--maxmemory-policy", "noeviction"];
  args.push(...(persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
  let child = await launchRedis(args);
  return {
    url: `redis://127.0.0.1:${port}`,
    crash: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
    restart: async () => {
      child = await launchRedis(args);
    },
    close: async () => {
      child.kill("SIGKILL");
      await exited(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function launchRedis(args: string[]): Promise<ChildProcess> {
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
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
