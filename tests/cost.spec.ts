/**
 * tools/cost.ts: the arithmetic on fixed resources and prices, the price table's sources, and the
 * README's totals as the tool computes them for the committed stacks.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_ASSUMPTIONS, PRICES_PATH, PriceFile, RegionPrices, estimate, formatEstimate, main } from "../tools/cost";
import { RecordedResource } from "../tools/mock-engine";
import { PROJECT_ROOT, readStackConfig } from "../tools/stack-files";
import { STACKS, stackRun } from "./helpers";

const PRICES: RegionPrices = {
    asOf: "2026-01-01",
    sources: ["fixture"],
    unverified: [],
    instanceHour: { "db.r7g.large": 0.5 },
    acuHour: 0.1,
    storageGbMonth: 0.1,
    ioOptimizedStorageGbMonth: 0.2,
    ioOptimizedInstanceFactor: 1.5,
    ioPerMillion: 0.2,
    backupGbMonth: 0.02,
    rdsProxyVcpuHour: 0.01,
    interfaceEndpointAzHour: 0.01,
    kmsKeyMonth: 1,
    secretMonth: 0.5,
    alarmMonth: 0.1,
    dashboardMonth: 3,
    logsIngestGb: 0.5,
    logsStorageGbMonth: 0.03,
    interRegionTransferGb: 0.02,
};
const FILE: PriceFile = { currency: "USD", regions: { "xx-test-1": PRICES } };

function resource(type: string, inputs: Record<string, unknown>): RecordedResource {
    return {
        urn: `urn:${type}`,
        type,
        name: type,
        parent: null,
        custom: true,
        inputs,
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, dependsOn: [] },
        state: inputs,
    } as unknown as RecordedResource;
}

const line = (e: ReturnType<typeof estimate>, item: string) => e.lines.find((l) => l.item.startsWith(item))!;

describe("tools/cost.ts (npm run cost)", () => {
    const provisioned = [
        resource("aws:rds/cluster:Cluster", { storageType: "aurora", backupRetentionPeriod: 30, manageMasterUserPassword: true }),
        resource("aws:rds/clusterInstance:ClusterInstance", { identifier: "c-instance-1", instanceClass: "db.r7g.large" }),
        resource("aws:rds/clusterInstance:ClusterInstance", { identifier: "c-instance-2", instanceClass: "db.r7g.large" }),
        resource("aws:rds/proxy:Proxy", {}),
        resource("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Interface", subnetIds: ["a", "b", "c"] }),
        resource("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Gateway" }),
        resource("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 90 }),
        resource("aws:kms/key:Key", {}),
        resource("aws:kms/key:Key", {}),
        resource("aws:secretsmanager/secret:Secret", {}),
        resource("aws:cloudwatch/metricAlarm:MetricAlarm", {}),
        resource("aws:cloudwatch/dashboard:Dashboard", {}),
        resource("aws:backup/vault:Vault", { region: "xx-dr-1" }),
    ];

    it("prices every line from the declared resources and the stated assumptions, and sums them", () => {
        const e = estimate(provisioned, "xx-test-1", FILE, {
            ...DEFAULT_ASSUMPTIONS,
            hoursPerMonth: 100,
            storageGb: 10,
            ioMillionsPerMonth: 5,
            logsGbPerLogGroup: 2,
        });
        expect(e.priceRegion).to.equal("xx-test-1");
        expect(line(e, "c-instance-1")).to.deep.equal({ item: "c-instance-1 (db.r7g.large)", monthly: 50, assumption: "100 h x $0.5/h" });
        expect(line(e, "cluster storage").monthly).to.equal(1);
        expect(line(e, "storage I/O").monthly).to.equal(1);
        expect(line(e, "RDS Proxy").monthly, "4 vCPUs x 100 h x 0.01").to.equal(4);
        expect(line(e, "interface endpoints").monthly, "3 AZs x 100 h x 0.01; gateway endpoints are free").to.equal(3);
        expect(line(e, "CloudWatch Logs").monthly, "2 GB x 0.5 + 6 GB stored x 0.03").to.equal(1.18);
        expect(line(e, "KMS keys").monthly).to.equal(2);
        expect(line(e, "Secrets Manager").monthly, "one secret plus the managed master secret").to.equal(1);
        expect(line(e, "CloudWatch alarms").monthly).to.equal(3.1);
        expect(line(e, "AWS Backup cross-region copy").monthly, "10 GB x (0.02 + 0.02)").to.equal(0.4);
        expect(e.total).to.equal(50 + 50 + 1 + 1 + 4 + 3 + 1.18 + 2 + 1 + 3.1 + 0.4);
        for (const l of e.lines) {
            expect(l.assumption, l.item).to.not.equal("");
        }
    });

    it("REQ-008 a global database: the secondary's storage and replicated writes, and its secret replicas", () => {
        const assumptions = { ...DEFAULT_ASSUMPTIONS, hoursPerMonth: 100, storageGb: 10, ioMillionsPerMonth: 5 };
        expect(line(estimate(provisioned, "xx-test-1", FILE, assumptions), "Global Database").monthly).to.equal(0);
        const global = estimate(
            [
                ...provisioned.filter((r) => r.type !== "aws:secretsmanager/secret:Secret"),
                resource("aws:secretsmanager/secret:Secret", { replicas: [{ region: "xx-dr-1" }] }),
                resource("aws:rds/globalCluster:GlobalCluster", {}),
                resource("aws:rds/cluster:Cluster", { region: "xx-dr-1", globalClusterIdentifier: "g" }),
                resource("aws:rds/clusterInstance:ClusterInstance", { identifier: "c-dr-instance-1", instanceClass: "db.r7g.large" }),
            ],
            "xx-test-1",
            FILE,
            assumptions,
        );
        expect(line(global, "c-dr-instance-1").monthly).to.equal(50);
        expect(line(global, "Global Database: secondary storage").monthly, "10 GB x 0.1").to.equal(1);
        expect(line(global, "Global Database: replicated write I/O").monthly, "5 million x 0.2").to.equal(1);
        expect(line(global, "Secrets Manager").monthly, "the secret, its replica and the managed master secret").to.equal(1.5);
    });

    it("I/O-Optimized: instance factor and storage rate, no I/O charge; Serverless v2 by average ACU", () => {
        const resources = [
            resource("aws:rds/cluster:Cluster", {
                storageType: "aurora-iopt1",
                backupRetentionPeriod: 7,
                serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 4 },
            }),
            resource("aws:rds/clusterInstance:ClusterInstance", { identifier: "p", instanceClass: "db.r7g.large" }),
            resource("aws:rds/clusterInstance:ClusterInstance", { identifier: "s", instanceClass: "db.serverless" }),
        ];
        const e = estimate(resources, "xx-test-1", FILE, { ...DEFAULT_ASSUMPTIONS, hoursPerMonth: 100, storageGb: 10 });
        expect(line(e, "p (").monthly).to.equal(75);
        expect(line(e, "s (").monthly, "default average: the minimum, at least 0.5 ACU").to.equal(5);
        expect(line(e, "s (").assumption).to.include("range 0-4");
        expect(line(e, "cluster storage").monthly).to.equal(2);
        expect(line(e, "storage I/O")).to.deep.include({ monthly: 0, assumption: "included in I/O-Optimized" });
        const busy = estimate(resources, "xx-test-1", FILE, { ...DEFAULT_ASSUMPTIONS, hoursPerMonth: 100, serverlessAverageAcu: 2 });
        expect(line(busy, "s (").monthly).to.equal(20);
    });

    it("falls back to the first price table for a region without one, and says so; refuses an unpriced class", () => {
        const e = estimate(provisioned, "eu-west-9", FILE);
        expect(e.priceRegion).to.equal("xx-test-1");
        expect(formatEstimate("s", e)).to.include("(no committed price table for eu-west-9: xx-test-1 prices used)");
        const unpriced = [
            resource("aws:rds/cluster:Cluster", {}),
            resource("aws:rds/clusterInstance:ClusterInstance", { identifier: "x", instanceClass: "db.x2g.large" }),
        ];
        expect(() => estimate(unpriced, "xx-test-1", FILE)).to.throw("no xx-test-1 price for db.x2g.large");
    });

    it("REQ-006: Database Insights: the free tier, or a line that says what is not estimated and why", () => {
        const insights = (inputs: Record<string, unknown>) =>
            line(estimate([resource("aws:rds/cluster:Cluster", inputs)], "xx-test-1", FILE), "Performance Insights");
        expect(insights({ databaseInsightsMode: "standard", performanceInsightsRetentionPeriod: 7 })).to.include({
            monthly: 0,
            assumption: "standard mode, 7-day retention (the free tier)",
        });
        expect(insights({ databaseInsightsMode: "advanced", performanceInsightsRetentionPeriod: 465 }).assumption).to.match(
            /^not estimated: the Advanced mode is billed by CloudWatch per vCPU-hour/,
        );
        expect(insights({ databaseInsightsMode: "standard", performanceInsightsRetentionPeriod: 93 }).assumption).to.match(
            /^not estimated: 93-day retention is billed per vCPU-month/,
        );
    });

    it("the committed price table names its date and sources, and flags what was not checked against them", () => {
        const prices: PriceFile = JSON.parse(fs.readFileSync(PRICES_PATH, "utf8"));
        for (const [region, table] of Object.entries(prices.regions)) {
            expect(table.asOf, region).to.match(/^\d{4}-\d{2}-\d{2}$/);
            expect(table.sources.length, region).to.be.greaterThan(0);
            for (const key of table.unverified) {
                expect(table, `${region}: ${key}`).to.have.property(key);
            }
        }
    });

    it("the README states each stack's total as the tool computes it (default assumptions)", async () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const prices: PriceFile = JSON.parse(fs.readFileSync(PRICES_PATH, "utf8"));
        for (const stack of ["dev", "staging", "prod"]) {
            const e = estimate((await stackRun(stack)).resources, readStackConfig(stack).config["aws:region"], prices);
            expect(readme, stack).to.include(`| ${stack} | ${e.total.toFixed(2)} |`);
        }
        expect(STACKS).to.include.members(["dev", "staging", "prod"]);
    });

    it("CLI: usage on bad arguments (exit 2), an estimate on a stack (exit 0), an error on an unknown stack (exit 1)", async () => {
        const err: string[] = [];
        expect(
            await main(
                ["--stack"],
                () => undefined,
                (l) => err.push(l),
            ),
        ).to.equal(2);
        expect(err.join("\n")).to.include("usage: npm run cost -- --stack <");
        expect(
            await main(
                ["--stack", "dev", "--acu", "lots"],
                () => undefined,
                () => undefined,
            ),
        ).to.equal(2);
        const out: string[] = [];
        expect(await main(["--stack", "dev", "--acu", "1"], (l) => out.push(l))).to.equal(0);
        expect(out.join("\n")).to.include("aurora-dev-instance-1 (Serverless v2)").and.include("1 ACU on average");
        expect(
            await main(
                ["--stack", "no-such-stack"],
                () => undefined,
                () => undefined,
            ),
        ).to.equal(1);
    });
});
