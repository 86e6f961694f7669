/**
 * Prints, as JSON on stdout, this process's memory after importing the modules named on the
 * command line and collecting garbage. The memory benchmark runs it in fresh processes to show
 * the fixed floor that every bot process pays before its first buyer.
 */
for (const specifier of process.argv.slice(2)) await import(specifier);
globalThis.gc?.();
globalThis.gc?.();
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(JSON.stringify({ rss, heapUsed }));
