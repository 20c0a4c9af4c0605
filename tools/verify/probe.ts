/**
 * The drills' probe: every interval it runs one write or read per target (writer endpoint, reader
 * endpoint, proxy) over a connection from an injected factory, and timestamps every attempt with an
 * injected clock. Downtime is measured from the samples: from the first failed attempt to the next
 * successful one, so a reported figure is within one probe interval of the real outage.
 */

/** Time source and pacing; the drills use the real clock, tests a fake one. */
export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** `write` proves the write path, `read` a query, `mark` inserts a marker row (restore drills). */
export type ProbeOperation = "write" | "read" | "mark";

export interface ProbeTarget {
    /** Name used in the report, e.g. `writer endpoint`. */
    readonly name: string;
    readonly operation: ProbeOperation;
    /** Open a new connection for every attempt (the rotation drill: each login reads the secret again). */
    readonly freshConnection?: boolean;
}

/** One open connection; `run` performs the target's operation and rejects on any failure. */
export interface ProbeConnection {
    run(operation: ProbeOperation): Promise<void>;
    close(): Promise<void>;
}

export type ConnectionFactory = (target: ProbeTarget) => Promise<ProbeConnection>;

export interface Sample {
    readonly target: string;
    readonly start: number;
    readonly end: number;
    readonly ok: boolean;
    readonly error?: string;
}

/** The default pace of the drills: one attempt per target every 200 ms. */
export const PROBE_INTERVAL_MS = 200;

export class Probe {
    readonly samples: Sample[] = [];
    private readonly connections = new Map<string, ProbeConnection>();

    constructor(
        readonly targets: readonly ProbeTarget[],
        private readonly connect: ConnectionFactory,
        readonly clock: Clock,
        readonly intervalMs = PROBE_INTERVAL_MS,
    ) {}

    /** One attempt per target, in parallel; returns whether every target succeeded. */
    async tick(): Promise<boolean> {
        const results = await Promise.all(this.targets.map((t) => this.attempt(t)));
        return results.every((ok) => ok);
    }

    private async attempt(target: ProbeTarget): Promise<boolean> {
        const start = this.clock.now();
        try {
            let connection = this.connections.get(target.name);
            if (!connection) {
                connection = await this.connect(target);
                this.connections.set(target.name, connection);
            }
            await connection.run(target.operation);
            this.samples.push({ target: target.name, start, end: this.clock.now(), ok: true });
            if (target.freshConnection) {
                await this.drop(target.name);
            }
            return true;
        } catch (e) {
            this.samples.push({ target: target.name, start, end: this.clock.now(), ok: false, error: (e as Error).message });
            await this.drop(target.name);
            return false;
        }
    }

    private async drop(name: string): Promise<void> {
        const connection = this.connections.get(name);
        this.connections.delete(name);
        await connection?.close().catch(() => undefined);
    }

    /**
     * Ticks until `done` says so (it is asked after every tick, with the tick number) or `maxTicks`
     * have run; returns the number of ticks.
     */
    async run(done: (tick: number) => boolean | Promise<boolean>, maxTicks: number): Promise<number> {
        for (let tick = 1; tick <= maxTicks; tick++) {
            await this.tick();
            if (await done(tick)) {
                return tick;
            }
            await this.clock.sleep(this.intervalMs);
        }
        return maxTicks;
    }

    async close(): Promise<void> {
        await Promise.all([...this.connections.keys()].map((name) => this.drop(name)));
    }
}

export interface Outage {
    /** Start of the first failed attempt. */
    readonly start: number;
    /** Start of the first successful attempt after it; undefined when the target never recovered. */
    readonly end: number | undefined;
    readonly failedAttempts: number;
}

/** The outages of one target, in order. */
export function outagesOf(samples: readonly Sample[], target: string): Outage[] {
    const own = samples.filter((s) => s.target === target).sort((a, b) => a.start - b.start);
    const outages: Outage[] = [];
    let current: { start: number; failedAttempts: number } | undefined;
    for (const s of own) {
        if (!s.ok) {
            current = current ? { ...current, failedAttempts: current.failedAttempts + 1 } : { start: s.start, failedAttempts: 1 };
        } else if (current) {
            outages.push({ ...current, end: s.start });
            current = undefined;
        }
    }
    if (current) {
        outages.push({ ...current, end: undefined });
    }
    return outages;
}

export interface Downtime {
    /** Sum of the outages, in milliseconds (an unrecovered outage counts until the last attempt). */
    readonly totalMs: number;
    readonly longestMs: number;
    readonly failedAttempts: number;
    readonly attempts: number;
    readonly recovered: boolean;
}

export function downtimeOf(samples: readonly Sample[], target: string): Downtime {
    const own = samples.filter((s) => s.target === target);
    const lastEnd = Math.max(...own.map((s) => s.end), 0);
    const spans = outagesOf(samples, target).map((o) => ({ ms: (o.end ?? lastEnd) - o.start, ...o }));
    return {
        totalMs: spans.reduce((sum, o) => sum + o.ms, 0),
        longestMs: Math.max(0, ...spans.map((o) => o.ms)),
        failedAttempts: spans.reduce((sum, o) => sum + o.failedAttempts, 0),
        attempts: own.length,
        recovered: spans.every((o) => o.end !== undefined),
    };
}
