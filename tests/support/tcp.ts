/**
 * A simulated database outage for the probe tests: a line-echo server standing in for the database,
 * a TCP proxy in front of it that a test cuts (every connection reset, new ones refused) and restores,
 * a probe connection that talks to it, and a fake clock. Everything listens on 127.0.0.1 only.
 */
import * as net from "net";
import { Clock, ConnectionFactory, ProbeConnection } from "../../tools/verify/probe";

function listen(server: net.Server): Promise<number> {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

function closeServer(server: net.Server): Promise<void> {
    return new Promise((resolve) => server.close(() => resolve()));
}

/** Answers every line with the same line. */
export async function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined);
        socket.pipe(socket);
    });
    const port = await listen(server);
    return {
        port,
        close: async () => {
            sockets.forEach((s) => s.destroy());
            await closeServer(server);
        },
    };
}

export interface CuttableProxy {
    readonly port: number;
    /** Closes every open connection and refuses new ones until `restore`. */
    cut(): void;
    restore(): void;
    readonly isCut: boolean;
    /** Connections passed through so far. */
    readonly accepted: number;
    close(): Promise<void>;
}

export async function cuttableProxy(targetPort: number): Promise<CuttableProxy> {
    let cut = false;
    let accepted = 0;
    const pairs = new Set<[net.Socket, net.Socket]>();
    const server = net.createServer((client) => {
        client.on("error", () => undefined);
        if (cut) {
            client.destroy();
            return;
        }
        accepted++;
        const upstream = net.connect(targetPort, "127.0.0.1");
        upstream.on("error", () => client.destroy());
        const pair: [net.Socket, net.Socket] = [client, upstream];
        pairs.add(pair);
        client.on("close", () => {
            upstream.destroy();
            pairs.delete(pair);
        });
        client.pipe(upstream).pipe(client);
    });
    const port = await listen(server);
    const proxy: CuttableProxy = {
        port,
        cut() {
            cut = true;
            for (const [client, upstream] of pairs) {
                client.destroy();
                upstream.destroy();
            }
            pairs.clear();
        },
        restore() {
            cut = false;
        },
        get isCut() {
            return cut;
        },
        get accepted() {
            return accepted;
        },
        async close() {
            proxy.cut();
            await closeServer(server);
        },
    };
    return proxy;
}

/**
 * Real-time bound on one connect or operation, as pg's connection and query timeouts bound them in
 * production: an attempt never hangs a test (it fails instead). Not a timing assertion.
 */
const ATTEMPT_BOUND_MS = 3000;

function bounded<T>(promise: Promise<T>, socket: net.Socket): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            socket.destroy();
            reject(new Error("attempt bound exceeded"));
        }, ATTEMPT_BOUND_MS);
        timer.unref();
    });
    return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** A probe connection over the echo protocol: an operation succeeds when its line comes back. */
export function echoConnections(portOf: (target: string) => number): ConnectionFactory {
    return (target) => {
        const socket = net.connect(portOf(target.name), "127.0.0.1");
        return bounded(
            new Promise<ProbeConnection>((resolve, reject) => {
                let buffered = "";
                let pending: { resolve: () => void; reject: (e: Error) => void } | undefined;
                const fail = (e: Error) => {
                    pending?.reject(e);
                    pending = undefined;
                };
                socket.on("data", (data) => {
                    buffered += data.toString("utf8");
                    if (buffered.includes("\n")) {
                        buffered = "";
                        pending?.resolve();
                        pending = undefined;
                    }
                });
                socket.on("error", (e) => {
                    reject(e);
                    fail(e);
                });
                socket.on("close", () => {
                    reject(new Error("connection closed"));
                    fail(new Error("connection closed by the server"));
                });
                socket.on("connect", () =>
                    resolve({
                        run: (operation) =>
                            bounded(
                                new Promise<void>((ok, ko) => {
                                    if (socket.destroyed) {
                                        ko(new Error("connection closed by the server"));
                                        return;
                                    }
                                    pending = { resolve: ok, reject: ko };
                                    socket.write(`${operation}\n`);
                                }),
                                socket,
                            ),
                        close: async () => {
                            socket.destroy();
                        },
                    }),
                );
            }),
            socket,
        );
    };
}

/** Virtual time: `sleep` advances it at once (after letting pending I/O run). */
export class FakeClock implements Clock {
    constructor(private time = Date.parse("2026-11-30T12:00:00Z")) {}

    now(): number {
        return this.time;
    }

    async sleep(ms: number): Promise<void> {
        this.time += ms;
        await new Promise((resolve) => setImmediate(resolve));
    }
}
