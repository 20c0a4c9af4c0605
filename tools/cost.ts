/**
 * Monthly cost estimate of a stack, from the resources its offline preview declares and the committed
 * price table (config/data/prices.json, with its sources and date). Every line states its assumption.
 *
 *   npm run cost -- --stack <name> [--storage-gb <n>] [--io-millions <n>] [--acu <average ACU>] [--logs-gb <n>]
 *
 * Usage-driven lines (storage, I/O, logs, Serverless v2 capacity) use the assumptions shown, which
 * the flags override; everything else is counted from the declared resources. Exit codes: 0, 1 (the
 * stack's config is invalid or a price is missing), 2 (bad usage).
 */
import * as fs from "fs";
import * as path from "path";
import { SERVERLESS_CLASS } from "../components/aurora-catalog";
import { RecordedResource } from "./mock-engine";
import { previewStack } from "./preview";
import { listStacks, readStackConfig } from "./stack-files";

export const PRICES_PATH = path.join(__dirname, "..", "config", "data", "prices.json");

export interface RegionPrices {
    readonly asOf: string;
    readonly sources: readonly string[];
    readonly unverified: readonly string[];
    readonly instanceHour: Readonly<Record<string, number>>;
    readonly acuHour: number;
    readonly storageGbMonth: number;
    readonly ioOptimizedStorageGbMonth: number;
    /** Instance-hour price of I/O-Optimized clusters relative to Standard. */
    readonly ioOptimizedInstanceFactor: number;
    readonly ioPerMillion: number;
    readonly backupGbMonth: number;
    readonly rdsProxyVcpuHour: number;
    readonly interfaceEndpointAzHour: number;
    readonly kmsKeyMonth: number;
    readonly secretMonth: number;
    readonly alarmMonth: number;
    readonly dashboardMonth: number;
    readonly logsIngestGb: number;
    readonly logsStorageGbMonth: number;
    readonly interRegionTransferGb: number;
}

export interface PriceFile {
    readonly currency: string;
    readonly regions: Readonly<Record<string, RegionPrices>>;
}

export interface Assumptions {
    /** Hours in a month. */
    readonly hoursPerMonth: number;
    /** Cluster volume, GB (also the size of each cross-region backup copy). */
    readonly storageGb: number;
    /** Storage I/O requests per month, millions (Aurora Standard only). */
    readonly ioMillionsPerMonth: number;
    /** Average capacity of each Serverless v2 instance over the month, ACU (0 while paused). */
    readonly serverlessAverageAcu?: number;
    /** Logs ingested per month into each log group, GB. */
    readonly logsGbPerLogGroup: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = { hoursPerMonth: 730, storageGb: 100, ioMillionsPerMonth: 50, logsGbPerLogGroup: 1 };

/** vCPUs per instance class (RDS Proxy is billed per vCPU of the instances behind it). */
export const CLASS_VCPUS: Readonly<Record<string, number>> = { "db.r7g.large": 2 };

export interface CostLine {
    readonly item: string;
    readonly monthly: number;
    readonly assumption: string;
}

export interface Estimate {
    readonly priceRegion: string;
    readonly stackRegion: string;
    readonly asOf: string;
    readonly lines: readonly CostLine[];
    readonly total: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The estimate for `resources`, declared for a stack in `stackRegion`. */
export function estimate(
    resources: readonly RecordedResource[],
    stackRegion: string,
    prices: PriceFile,
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
): Estimate {
    const priceRegion = prices.regions[stackRegion] ? stackRegion : Object.keys(prices.regions)[0];
    const p = prices.regions[priceRegion];
    const h = assumptions.hoursPerMonth;
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const lines: CostLine[] = [];
    const add = (item: string, monthly: number, assumption: string) => lines.push({ item, monthly: round2(monthly), assumption });

    const cluster = ofType("aws:rds/cluster:Cluster")[0];
    const ioOptimized = cluster?.inputs.storageType === "aurora-iopt1";
    const instances = ofType("aws:rds/clusterInstance:ClusterInstance");
    for (const instance of instances) {
        const cls: string = instance.inputs.instanceClass;
        if (cls === SERVERLESS_CLASS) {
            const { minCapacity, maxCapacity } = cluster.inputs.serverlessv2ScalingConfiguration;
            const acu = assumptions.serverlessAverageAcu ?? Math.max(minCapacity, 0.5);
            add(
                `${instance.inputs.identifier} (Serverless v2)`,
                acu * h * p.acuHour,
                `${acu} ACU on average (range ${minCapacity}-${maxCapacity}) x ${h} h x $${p.acuHour}/ACU-hour`,
            );
        } else {
            const hourly = p.instanceHour[cls];
            if (hourly === undefined) {
                throw new Error(`no ${priceRegion} price for ${cls} in ${PRICES_PATH} (priced: ${Object.keys(p.instanceHour).join(", ")})`);
            }
            const factor = ioOptimized ? p.ioOptimizedInstanceFactor : 1;
            add(
                `${instance.inputs.identifier} (${cls})`,
                hourly * factor * h,
                `${h} h x $${hourly}/h${ioOptimized ? ` x ${factor} (I/O-Optimized)` : ""}`,
            );
        }
    }
    if (cluster) {
        const gbPrice = ioOptimized ? p.ioOptimizedStorageGbMonth : p.storageGbMonth;
        add("cluster storage", assumptions.storageGb * gbPrice, `${assumptions.storageGb} GB x $${gbPrice}/GB-month`);
        add(
            "storage I/O",
            ioOptimized ? 0 : assumptions.ioMillionsPerMonth * p.ioPerMillion,
            ioOptimized ? "included in I/O-Optimized" : `${assumptions.ioMillionsPerMonth} million requests x $${p.ioPerMillion}/million`,
        );
        add(
            "automated backups",
            0,
            `${cluster.inputs.backupRetentionPeriod}-day retention assumed ` +
                `within the free allowance (backup storage up to the cluster size)`,
        );
    }

    const proxies = ofType("aws:rds/proxy:Proxy");
    if (proxies.length > 0) {
        const vcpus = instances.reduce((sum, i) => sum + (CLASS_VCPUS[i.inputs.instanceClass] ?? 0), 0);
        add(
            "RDS Proxy",
            Math.max(vcpus, 2) * h * p.rdsProxyVcpuHour * proxies.length,
            `${Math.max(vcpus, 2)} vCPUs of the instances (minimum 2) x ${h} h x $${p.rdsProxyVcpuHour}/vCPU-hour`,
        );
    }

    const endpoints = ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
    if (endpoints.length > 0) {
        const azHours = endpoints.reduce((sum, e) => sum + (e.inputs.subnetIds?.length ?? 1), 0);
        add(
            "interface endpoints",
            azHours * h * p.interfaceEndpointAzHour,
            `${endpoints.length} endpoints, ${azHours} endpoint-AZs x ${h} h ` +
                `x $${p.interfaceEndpointAzHour}/h (data processed not included)`,
        );
    }

    const groups = ofType("aws:cloudwatch/logGroup:LogGroup");
    if (groups.length > 0) {
        const ingest = groups.length * assumptions.logsGbPerLogGroup;
        // Stored volume once retention is reached: a month's ingestion per 30 days kept.
        const stored = groups.reduce((sum, g) => sum + assumptions.logsGbPerLogGroup * ((g.inputs.retentionInDays || 3650) / 30), 0);
        add(
            "CloudWatch Logs (flow logs, PostgreSQL logs)",
            ingest * p.logsIngestGb + stored * p.logsStorageGbMonth,
            `${groups.length} groups x ${assumptions.logsGbPerLogGroup} GB/month ingested x $${p.logsIngestGb}/GB, ` +
                `${round2(stored)} GB stored at retention x $${p.logsStorageGbMonth}/GB-month`,
        );
    }

    const keys = ofType("aws:kms/key:Key").length;
    add("KMS keys", keys * p.kmsKeyMonth, `${keys} keys x $${p.kmsKeyMonth}/month (requests not included)`);
    // Secrets Manager bills a replica in another region as a secret.
    const replicas = ofType("aws:secretsmanager/secret:Secret").reduce((n, r) => n + (r.inputs.replicas?.length ?? 0), 0);
    const secrets = ofType("aws:secretsmanager/secret:Secret").length + replicas + (cluster?.inputs.manageMasterUserPassword ? 1 : 0);
    add(
        "Secrets Manager secrets",
        secrets * p.secretMonth,
        `${secrets} secrets (the RDS-managed master secret${replicas > 0 ? ` and ${replicas} replicas` : ""} included) ` +
            `x $${p.secretMonth}/month`,
    );
    const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").length;
    const dashboards = ofType("aws:cloudwatch/dashboard:Dashboard").length;
    add(
        "CloudWatch alarms and dashboard",
        alarms * p.alarmMonth + dashboards * p.dashboardMonth,
        `${alarms} alarms x $${p.alarmMonth} + ${dashboards} dashboard x $${p.dashboardMonth}`,
    );

    const drVaults = ofType("aws:backup/vault:Vault").filter((v) => typeof v.inputs.region === "string" && v.inputs.region !== stackRegion);
    if (drVaults.length > 0) {
        add(
            "AWS Backup cross-region copy",
            assumptions.storageGb * (p.backupGbMonth + p.interRegionTransferGb),
            `one ${assumptions.storageGb} GB copy kept in ${drVaults[0].inputs.region} x ` +
                `$${p.backupGbMonth}/GB-month, plus its transfer x $${p.interRegionTransferGb}/GB`,
        );
    }
    const insightsMode = cluster?.inputs.databaseInsightsMode ?? "standard";
    const insightsRetention = cluster?.inputs.performanceInsightsRetentionPeriod ?? 7;
    add(
        "Performance Insights / Database Insights",
        0,
        insightsMode === "advanced"
            ? "not estimated: the Advanced mode is billed by CloudWatch per vCPU-hour (ACU-hour on Serverless v2); no committed price"
            : insightsRetention > 7
              ? `not estimated: ${insightsRetention}-day retention is billed per vCPU-month; no committed price`
              : "standard mode, 7-day retention (the free tier)",
    );
    if (ofType("aws:rds/clusterActivityStream:ClusterActivityStream").length > 0) {
        add("Database Activity Stream", 0, "not estimated: the Kinesis stream RDS creates is billed by Kinesis per shard-hour and volume");
    }
    const secondary = ofType("aws:rds/cluster:Cluster").find((c) => c.inputs.globalClusterIdentifier !== undefined);
    if (secondary && cluster) {
        // Priced with the stack region's table, like the secondary's instances above (one table per region is issue 16).
        const gbPrice = ioOptimized ? p.ioOptimizedStorageGbMonth : p.storageGbMonth;
        add(
            "Global Database: secondary storage",
            assumptions.storageGb * gbPrice,
            `${assumptions.storageGb} GB replicated to ${secondary.inputs.region} x $${gbPrice}/GB-month (${priceRegion} prices)`,
        );
        add(
            "Global Database: replicated write I/O",
            assumptions.ioMillionsPerMonth * p.ioPerMillion,
            `${assumptions.ioMillionsPerMonth} million write I/Os assumed replicated x $${p.ioPerMillion}/million ` +
                `(cross-region data transfer not included)`,
        );
    } else {
        add("Global Database replication", 0, "not used by this program");
    }

    return { priceRegion, stackRegion, asOf: p.asOf, lines, total: round2(lines.reduce((sum, l) => sum + l.monthly, 0)) };
}

export function formatEstimate(stack: string, e: Estimate, currency = "USD"): string {
    const width = Math.max(...e.lines.map((l) => l.item.length));
    const out = [
        `Monthly estimate for stack '${stack}' (${e.stackRegion}), on-demand list prices of ${e.priceRegion} as of ${e.asOf}` +
            (e.priceRegion === e.stackRegion ? "" : ` (no committed price table for ${e.stackRegion}: ${e.priceRegion} prices used)`),
        "",
        ...e.lines.map((l) => `  ${l.item.padEnd(width)}  ${l.monthly.toFixed(2).padStart(9)}  ${l.assumption}`),
        "",
        `  ${"Total".padEnd(width)}  ${e.total.toFixed(2).padStart(9)}  ${currency}/month`,
    ];
    return out.join("\n");
}

function parseArgs(argv: string[]): { stack: string; assumptions: Assumptions } | string {
    let stack: string | undefined;
    const a: { -readonly [K in keyof Assumptions]: Assumptions[K] } = { ...DEFAULT_ASSUMPTIONS };
    const numeric: Record<string, "storageGb" | "ioMillionsPerMonth" | "serverlessAverageAcu" | "logsGbPerLogGroup"> = {
        "--storage-gb": "storageGb",
        "--io-millions": "ioMillionsPerMonth",
        "--acu": "serverlessAverageAcu",
        "--logs-gb": "logsGbPerLogGroup",
    };
    for (let i = 0; i < argv.length; i += 2) {
        const value = argv[i + 1];
        if (argv[i] === "--stack" && value) {
            stack = value;
        } else if (numeric[argv[i]] && value !== undefined && /^\d+(\.\d+)?$/.test(value)) {
            a[numeric[argv[i]]] = Number(value);
        } else {
            return `unknown or incomplete argument '${argv[i]}'`;
        }
    }
    return stack === undefined ? "--stack <name> is required" : { stack, assumptions: a };
}

export async function main(
    argv: string[],
    out: (l: string) => void = console.log,
    err: (l: string) => void = console.error,
): Promise<number> {
    const args = parseArgs(argv);
    if (typeof args === "string") {
        err(
            `usage: npm run cost -- --stack <${listStacks().join("|")}> [--storage-gb ` +
                `<n>] [--io-millions <n>] [--acu <n>] [--logs-gb <n>]\n${args}`,
        );
        return 2;
    }
    try {
        const prices: PriceFile = JSON.parse(fs.readFileSync(PRICES_PATH, "utf8"));
        const region = readStackConfig(args.stack).config["aws:region"];
        const run = await previewStack(args.stack);
        out(formatEstimate(args.stack, estimate(run.resources, region, prices, args.assumptions), prices.currency));
        return 0;
    } catch (e) {
        err(`error: ${(e as Error).message}`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
