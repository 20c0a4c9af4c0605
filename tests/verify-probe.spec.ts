/**
 * The drills' probe and downtime measurement against a simulated outage: a TCP proxy in front of an
 * echo server that the test cuts and restores, a fake clock, bounded loops. The reported downtime
 * must be within one probe interval of the outage the test caused.
 */
import { expect } from "chai";
import { PROBE_INTERVAL_MS, Probe, Sample, downtimeOf, outagesOf } from "../tools/verify/probe";
import { CuttableProxy, FakeClock, cuttableProxy, echoConnections, echoServer } from "./support/tcp";

describe("verify: probe and downtime measurement", () => {
    let server: Awaited<ReturnType<typeof echoServer>>;
    let writer: CuttableProxy;
    let reader: CuttableProxy;

    beforeEach(async () => {
        server = await echoServer();
        writer = await cuttableProxy(server.port);
        reader = await cuttableProxy(server.port);
    });
    afterEach(async () => {
        await writer.close();
        await reader.close();
        await server.close();
    });

    it("measures an outage of the writer within one probe interval; the untouched reader has none", async () => {
        const clock = new FakeClock();
        const ports: Record<string, number> = { writer: writer.port, reader: reader.port };
        const probe = new Probe(
            [
                { name: "writer", operation: "write" },
                { name: "reader", operation: "read" },
            ],
            echoConnections((name) => ports[name]),
            clock,
        );
        let cutAt = 0;
        let restoredAt = 0;
        const ticks = await probe.run((tick) => {
            if (tick === 10) {
                writer.cut();
                cutAt = clock.now();
            }
            if (tick === 25) {
                writer.restore();
                restoredAt = clock.now();
            }
            return tick >= 40;
        }, 100);
        await probe.close();
        expect(ticks).to.equal(40);
        const outage = restoredAt - cutAt;
        const writes = downtimeOf(probe.samples, "writer");
        expect(writes.recovered).to.equal(true);
        expect(Math.abs(writes.totalMs - outage), `reported ${writes.totalMs} ms for an outage of ${outage} ms`).to.be.at.most(
            PROBE_INTERVAL_MS,
        );
        expect(writes.failedAttempts).to.be.within(outage / PROBE_INTERVAL_MS - 1, outage / PROBE_INTERVAL_MS + 1);
        expect(outagesOf(probe.samples, "writer")).to.have.length(1);
        expect(downtimeOf(probe.samples, "reader")).to.include({ totalMs: 0, failedAttempts: 0, attempts: 40, recovered: true });
    });

    it("fresh connections (the rotation drill) fail while cut and log in again after", async () => {
        const clock = new FakeClock();
        const probe = new Probe(
            [{ name: "app", operation: "read", freshConnection: true }],
            echoConnections(() => writer.port),
            clock,
        );
        await probe.run((tick) => {
            if (tick === 3) writer.cut();
            if (tick === 5) writer.restore();
            return tick >= 8;
        }, 20);
        const d = downtimeOf(probe.samples, "app");
        expect(d.failedAttempts).to.equal(2);
        expect(d.totalMs).to.equal(2 * PROBE_INTERVAL_MS);
    });

    it("an outage that never ends is reported as unrecovered, counted until the last attempt", () => {
        const samples: Sample[] = [0, 200, 400, 600].map((t, i) => ({ target: "w", start: t, end: t + 5, ok: i === 0 }));
        const d = downtimeOf(samples, "w");
        expect(d).to.include({ recovered: false, failedAttempts: 3, totalMs: 605 - 200, longestMs: 405 });
        expect(outagesOf(samples, "w")[0].end).to.equal(undefined);
    });

    it("sums separate outages and reports the longest", () => {
        const ok = [true, false, true, false, false, true];
        const samples: Sample[] = ok.map((o, i) => ({ target: "w", start: i * 200, end: i * 200 + 1, ok: o }));
        expect(downtimeOf(samples, "w")).to.include({ totalMs: 200 + 400, longestMs: 400, failedAttempts: 3, recovered: true });
        expect(downtimeOf([], "w")).to.include({ totalMs: 0, attempts: 0, recovered: true });
    });

    it("stops after maxTicks when the condition never holds (bounded loop)", async () => {
        const probe = new Probe(
            [{ name: "w", operation: "write" }],
            echoConnections(() => writer.port),
            new FakeClock(),
        );
        expect(await probe.run(() => false, 5)).to.equal(5);
        await probe.close();
        expect(probe.samples).to.have.length(5);
    });
});
