/**
 * Opt-in drills that disturb the stack on purpose and measure the effect: failover (write and read
 * downtime), rotation (failed logins while every application secret rotates), restore (point-in-time
 * restore to a temporary cluster: time to available and data loss from marker rows) and dr-restore
 * (an on-demand backup copied to the DR vault while marker rows are written, restored in the DR region). Every temporary cluster is
 * deleted in a `finally`, whatever happened.
 *
 * All waiting goes through the injected clock and every loop is bounded, so the drills run against
 * mocks and a fake clock in the tests exactly as they run against AWS.
 */
import {
    DescribeBackupJobCommand,
    DescribeCopyJobCommand,
    DescribeRestoreJobCommand,
    GetBackupPlanCommand,
    GetRecoveryPointRestoreMetadataCommand,
    ListBackupSelectionsCommand,
    StartBackupJobCommand,
    StartCopyJobCommand,
    StartRestoreJobCommand,
    paginateListRecoveryPointsByBackupVault,
} from "@aws-sdk/client-backup";
import {
    CreateDBInstanceCommand,
    DeleteDBClusterCommand,
    DeleteDBInstanceCommand,
    DescribeDBClustersCommand,
    DescribeDBInstancesCommand,
    DescribeGlobalClustersCommand,
    FailoverDBClusterCommand,
    GlobalCluster,
    RDSClient,
    RestoreDBClusterToPointInTimeCommand,
    SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import { DescribeSecretCommand, RotateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { ENGINE } from "../../components/aurora-catalog";
import { collect } from "./aws";
import { VerifyContext, copyMaxAgeHours, newestScheduled } from "./checks";
import { CheckResult, NotRunError, statusOfError } from "./model";
import type { Endpoint } from "./postgres";
import { Clock, ConnectionFactory, Probe, ProbeTarget, downtimeOf } from "./probe";
import { DrillReport, Measurement } from "./report";

export const DRILLS = ["failover", "rotation", "restore", "dr-restore", "switchover"] as const;
export type DrillName = (typeof DRILLS)[number];

/**
 * Targets the drills are held against, as docs/disaster-recovery.md states them (override with
 * --rto-seconds / --rpo-seconds): failover < 60 s, point-in-time restore RTO 2 h and RPO 5 min,
 * region restore RTO 4 h (its RPO is the backup schedule plus the copy, read from the plan), a
 * global database switchover 15 min each way (docs/global-database.md).
 */
export const DEFAULT_TARGETS: Record<DrillName, { rtoSeconds: number; rpoSeconds?: number }> = {
    failover: { rtoSeconds: 60 },
    rotation: { rtoSeconds: 600 },
    restore: { rtoSeconds: 2 * 3600, rpoSeconds: 300 },
    "dr-restore": { rtoSeconds: 4 * 3600 },
    switchover: { rtoSeconds: 900 },
};

/** How often the drills poll AWS while they wait for a state: every 5 probe ticks during a probe, 15 s otherwise. */
export const POLL_TICKS = 5;
export const POLL_MS = 15_000;

/** The database side of the drills; `pg` in production (tools/verify/postgres.ts), fakes in tests. */
export interface DatabaseAccess {
    /** Probe connections; every probe target's name is a key of `endpoints`. */
    connections(endpoints: Readonly<Record<string, Endpoint>>): ConnectionFactory;
    /** Newest marker row of this drill in the database at `endpoint`. */
    newestMarker(endpoint: Endpoint): Promise<Date | undefined>;
}

export interface DrillContext extends VerifyContext {
    readonly clock: Clock;
    readonly database: DatabaseAccess;
    /** Overrides of the default targets. */
    readonly rtoSeconds?: number;
    readonly rpoSeconds?: number;
    /** DB subnet group and security groups in the DR region (dr-restore; docs/disaster-recovery.md prerequisites). */
    readonly drSubnetGroup?: string;
    readonly drSecurityGroupIds?: readonly string[];
    /** Unique suffix of temporary resources and marker rows. */
    readonly runId: string;
    readonly log: (line: string) => void;
}

export interface DrillOutcome {
    readonly report: DrillReport;
    readonly checks: CheckResult[];
}

interface Timeline {
    readonly events: string[];
    note(text: string): void;
}

function timeline(ctx: DrillContext): Timeline {
    const events: string[] = [];
    return {
        events,
        note(text: string) {
            const line = `${new Date(ctx.clock.now()).toISOString()} ${text}`;
            events.push(line);
            ctx.log(line);
        },
    };
}

function seconds(ms: number): number {
    return Math.round(ms / 100) / 10;
}

/** The drill ran and its subject did not behave (a wait ran out, a restore job failed): a failure, not a not-run. */
export class DrillFailure extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DrillFailure";
    }
}

/** Runs `call`; a failure is logged by the caller's next poll, so it yields undefined (polling must survive a throttled describe). */
async function tolerant<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
        return await call();
    } catch {
        return undefined;
    }
}

/** Polls `condition` every `intervalMs` until it holds (returns the time) or `maxPolls` ran out (throws). */
async function waitFor(
    clock: Clock,
    what: string,
    condition: () => Promise<boolean>,
    intervalMs: number,
    maxPolls: number,
): Promise<number> {
    for (let i = 0; i < maxPolls; i++) {
        if (await condition()) {
            return clock.now();
        }
        await clock.sleep(intervalMs);
    }
    throw new DrillFailure(`timed out waiting for ${what} (${maxPolls} polls every ${intervalMs / 1000} s)`);
}

function polls(rtoSeconds: number, intervalMs: number): number {
    // Wait up to twice the target: a drill that misses its target still reports how long it took.
    return Math.max(1, Math.ceil((2 * rtoSeconds * 1000) / intervalMs));
}

/** The endpoints and logins a probe uses: an application user that may write when there is one, the master user otherwise. */
function probeLogins(ctx: DrillContext): { writerLogin: Endpoint["login"]; proxyLogin?: Endpoint["login"]; user: string } {
    const { outputs, config } = ctx;
    const user = config.secrets.appUsers.find((u) => u.access === "readwrite");
    if (!user) {
        return { writerLogin: { secretArn: outputs.get("masterSecretArn") }, user: config.cluster.masterUsername };
    }
    const secretArn = outputs.get<Record<string, string>>("appSecretArns")[user.name];
    const proxyLogin = config.secrets.proxy.enabled
        ? { secretArn, ...(config.secrets.proxy.iamAuth ? { iamToken: true as const } : {}) }
        : undefined;
    return { writerLogin: { secretArn }, proxyLogin, user: user.name };
}

function endpoint(ctx: DrillContext, host: string, login: Endpoint["login"]): Endpoint {
    return { host, port: ctx.outputs.get<number>("port"), database: ctx.config.cluster.databaseName, login };
}

/** A drill's report and its check: passed when nothing went wrong, with the checklist item and requirement of ITEMS. */
function drillOutcome(drill: DrillName, t: Timeline, measurements: Measurement[], problems: string[], evidence: string): DrillOutcome {
    return { report: { drill, measurements, events: t.events }, checks: [drillCheck(drill, problems, evidence)] };
}

function drillCheck(drill: DrillName, problems: string[], evidence: string): CheckResult {
    return {
        id: `drill.${drill}`,
        ...ITEMS[drill],
        source: "drill",
        status: problems.length === 0 ? "pass" : "fail",
        evidence: problems.length === 0 ? evidence : `${problems.join("; ")} [${evidence}]`,
    };
}

/** Runs a probe tick before anything is disturbed: a probe that cannot reach the database makes the drill not-run. */
async function preflight(probe: Probe): Promise<void> {
    if (!(await probe.tick())) {
        const errors = probe.samples.filter((s) => !s.ok).map((s) => `${s.target}: ${s.error}`);
        throw new NotRunError(
            `the probe cannot reach the database before the drill (run it from a host inside the VPC): ${errors.join("; ")}`,
        );
    }
}

async function writerOf(rds: RDSClient, clusterId: string): Promise<string | undefined> {
    const cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }))).DBClusters?.[0];
    return cluster?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
}

export async function failoverDrill(ctx: DrillContext): Promise<DrillOutcome> {
    const { outputs, clients, clock } = ctx;
    const t = timeline(ctx);
    const rto = ctx.rtoSeconds ?? DEFAULT_TARGETS.failover.rtoSeconds;
    const clusterId = outputs.get("clusterIdentifier");
    const logins = probeLogins(ctx);
    const endpoints: Record<string, Endpoint> = {
        "write via writer endpoint": endpoint(ctx, outputs.get("writerEndpoint"), logins.writerLogin),
        "read via reader endpoint": endpoint(ctx, outputs.get("readerEndpoint"), logins.writerLogin),
    };
    if (logins.proxyLogin) {
        endpoints["write via proxy"] = endpoint(ctx, outputs.get("proxyEndpoint"), logins.proxyLogin);
    }
    const targets: ProbeTarget[] = Object.keys(endpoints).map((name) => ({ name, operation: name.startsWith("write") ? "write" : "read" }));
    const probe = new Probe(targets, ctx.database.connections(endpoints), clock);
    try {
        await preflight(probe);
        const oldWriter = await writerOf(clients.rds, clusterId);
        t.note(`probing ${targets.map((x) => x.name).join(", ")} as ${logins.user} every ${probe.intervalMs} ms; writer is ${oldWriter}`);
        const started = clock.now();
        await clients.rds.send(new FailoverDBClusterCommand({ DBClusterIdentifier: clusterId }));
        t.note(`FailoverDBCluster ${clusterId} requested`);
        let newWriter: string | undefined;
        let oldWriterReaderAt: number | undefined;
        const recovered = () => targets.every((x) => probe.samples.filter((s) => s.target === x.name).pop()?.ok === true);
        await probe.run(
            async (tick) => {
                if (tick % POLL_TICKS === 0 && oldWriterReaderAt === undefined) {
                    const writer = await tolerant(() => writerOf(clients.rds, clusterId));
                    if (writer !== undefined && writer !== oldWriter) {
                        newWriter = writer;
                        const old = (
                            await tolerant(() => clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: oldWriter })))
                        )?.DBInstances?.[0];
                        if (old?.DBInstanceStatus === "available") {
                            oldWriterReaderAt = clock.now();
                            t.note(`${newWriter} is the writer; ${oldWriter} is available as a reader`);
                        }
                    }
                }
                return oldWriterReaderAt !== undefined && recovered();
            },
            polls(rto, probe.intervalMs),
        );
        const measurements: Measurement[] = targets.map((x) => ({
            name: `${x.name} downtime`,
            value: seconds(downtimeOf(probe.samples, x.name).totalMs),
            unit: "s",
            target: x.operation === "write" ? rto : undefined,
        }));
        measurements.push({
            name: "old writer back as a reader after",
            value: oldWriterReaderAt === undefined ? -1 : seconds(oldWriterReaderAt - started),
            unit: "s",
        });
        const problems: string[] = [];
        for (const x of targets) {
            const d = downtimeOf(probe.samples, x.name);
            if (!d.recovered) problems.push(`${x.name} had not recovered when the drill ended`);
            if (x.operation === "write" && d.totalMs > rto * 1000)
                problems.push(`${x.name} was down ${seconds(d.totalMs)} s, more than the RTO of ${rto} s`);
        }
        if (oldWriterReaderAt === undefined) problems.push(`${oldWriter} did not come back as a reader within ${2 * rto} s`);
        t.note(measurements.map((m) => `${m.name} ${m.value} ${m.unit}`).join("; "));
        return drillOutcome(
            "failover",
            t,
            measurements,
            problems,
            `${oldWriter} -> ${newWriter}; ${measurements.map((m) => `${m.name} ${m.value} s`).join(", ")}; ` +
                `${probe.samples.length} probe attempts`,
        );
    } finally {
        await probe.close();
    }
}

export async function rotationDrill(ctx: DrillContext): Promise<DrillOutcome> {
    const { outputs, clients, clock, config } = ctx;
    const t = timeline(ctx);
    const rto = ctx.rtoSeconds ?? DEFAULT_TARGETS.rotation.rtoSeconds;
    if (config.secrets.appUsers.length === 0) {
        throw new NotRunError(
            "the stack has no application users (aurora:appUsers is empty), so there is no alternating-users rotation to drill",
        );
    }
    const arns = outputs.get<Record<string, string>>("appSecretArns");
    const endpoints: Record<string, Endpoint> = {};
    for (const user of config.secrets.appUsers) {
        endpoints[`${user.name} via writer endpoint`] = endpoint(ctx, outputs.get("writerEndpoint"), { secretArn: arns[user.name] });
        if (config.secrets.proxy.enabled) {
            endpoints[`${user.name} via proxy`] = endpoint(ctx, outputs.get("proxyEndpoint"), {
                secretArn: arns[user.name],
                ...(config.secrets.proxy.iamAuth ? { iamToken: true as const } : {}),
            });
        }
    }
    // A new login per attempt: each reads the secret again, as an application opening a pool would.
    const targets: ProbeTarget[] = Object.keys(endpoints).map((name) => ({ name, operation: "read", freshConnection: true }));
    const probe = new Probe(targets, ctx.database.connections(endpoints), clock);
    const measurements: Measurement[] = [];
    const problems: string[] = [];
    try {
        await preflight(probe);
        for (const user of config.secrets.appUsers) {
            const started = clock.now();
            const { VersionId } = await clients.secrets.send(new RotateSecretCommand({ SecretId: arns[user.name] }));
            t.note(`RotateSecret ${arns[user.name]} (new version ${VersionId})`);
            let completedAt: number | undefined;
            await probe.run(
                async (tick) => {
                    if (tick % POLL_TICKS === 0) {
                        const secret = await tolerant(() => clients.secrets.send(new DescribeSecretCommand({ SecretId: arns[user.name] })));
                        if (VersionId !== undefined && secret?.VersionIdsToStages?.[VersionId]?.includes("AWSCURRENT")) {
                            completedAt = clock.now();
                        }
                    }
                    return completedAt !== undefined;
                },
                polls(rto, probe.intervalMs),
            );
            if (completedAt === undefined) {
                problems.push(`rotation of ${user.name} did not complete within ${2 * rto} s`);
            } else {
                t.note(`rotation of ${user.name} completed`);
            }
            measurements.push({
                name: `${user.name} rotation completed after`,
                value: completedAt === undefined ? -1 : seconds(completedAt - started),
                unit: "s",
                target: rto,
            });
        }
        for (const x of targets) {
            const failed = downtimeOf(probe.samples, x.name).failedAttempts;
            measurements.push({ name: `${x.name} failed connections`, value: failed, unit: "connections", target: 0 });
            if (failed > 0)
                problems.push(
                    `${failed} connection(s) ${x.name} failed during rotation: ` +
                        `${probe.samples.find((s) => s.target === x.name && !s.ok)?.error}`,
                );
        }
        return drillOutcome(
            "rotation",
            t,
            measurements,
            problems,
            `${probe.samples.length} logins, ${probe.samples.filter((s) => !s.ok).length} failed`,
        );
    } finally {
        await probe.close();
    }
}

/** Waits for a temporary cluster and its instance, then deletes both (in the caller's finally). */
class TemporaryCluster {
    instanceId: string;
    constructor(
        readonly rds: RDSClient,
        readonly clusterId: string,
        readonly t: Timeline,
    ) {
        this.instanceId = `${clusterId}-instance-1`;
    }

    async addInstanceAndWait(
        ctx: DrillContext,
        instanceClass: string,
        parameterGroup: string | undefined,
        maxPolls: number,
    ): Promise<string> {
        await waitFor(
            ctx.clock,
            `${this.clusterId} available`,
            async () =>
                (await this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: this.clusterId }))).DBClusters?.[0]?.Status ===
                "available",
            POLL_MS,
            maxPolls,
        );
        this.t.note(`${this.clusterId} available; creating ${this.instanceId}`);
        await this.rds.send(
            new CreateDBInstanceCommand({
                DBInstanceIdentifier: this.instanceId,
                DBClusterIdentifier: this.clusterId,
                Engine: ENGINE,
                DBInstanceClass: instanceClass,
                DBParameterGroupName: parameterGroup,
            }),
        );
        await waitFor(
            ctx.clock,
            `${this.instanceId} available`,
            async () =>
                (await this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: this.instanceId }))).DBInstances?.[0]
                    ?.DBInstanceStatus === "available",
            POLL_MS,
            maxPolls,
        );
        const cluster = (await this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: this.clusterId }))).DBClusters?.[0];
        this.t.note(`${this.instanceId} available; endpoint ${cluster?.Endpoint}`);
        return cluster?.Endpoint ?? "";
    }

    /** Deletes the instance and the cluster without a final snapshot; a resource that never existed is fine. */
    async delete(): Promise<void> {
        const ignoringMissing = async (call: () => Promise<unknown>) => {
            try {
                await call();
            } catch (e) {
                if (!/NotFound/.test((e as Error).name)) throw e;
            }
        };
        await ignoringMissing(() =>
            this.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: this.instanceId, SkipFinalSnapshot: true })),
        );
        await ignoringMissing(() =>
            this.rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: this.clusterId, SkipFinalSnapshot: true })),
        );
        this.t.note(`deleted ${this.instanceId} and ${this.clusterId}`);
    }
}

function writerClass(ctx: DrillContext): string {
    const classes = ctx.outputs.get<Record<string, string>>("instanceClasses");
    return classes[ctx.outputs.get<string[]>("instanceIdentifiers")[0]];
}

/**
 * Data loss from the newest marker row a restored cluster holds: the time from it to `asOf` (when the
 * restored data would have been needed), measured and held against the RPO; no marker at all fails.
 */
function markerDataLoss(
    marker: Date | undefined,
    asOf: number,
    rpo: number,
    measurements: Measurement[],
    problems: string[],
    words: { cluster: string; before: string; asOf: string; measurement: string },
): void {
    if (marker === undefined) {
        problems.push(`${words.cluster} holds no marker row: data written before ${words.before} is missing`);
        return;
    }
    const loss = seconds(Math.max(0, asOf - marker.getTime()));
    measurements.push({ name: words.measurement, value: loss, unit: "s", target: rpo });
    if (loss > rpo)
        problems.push(`the newest marker in ${words.cluster} is ${loss} s older than ${words.asOf}, more than the RPO of ${rpo} s`);
}

export async function restoreDrill(ctx: DrillContext): Promise<DrillOutcome> {
    const { outputs, clients, clock } = ctx;
    const t = timeline(ctx);
    const rto = ctx.rtoSeconds ?? DEFAULT_TARGETS.restore.rtoSeconds;
    const rpo = ctx.rpoSeconds ?? DEFAULT_TARGETS.restore.rpoSeconds!;
    const clusterId = outputs.get("clusterIdentifier");
    const masterLogin = { secretArn: outputs.get("masterSecretArn") };
    const endpoints = { marker: endpoint(ctx, outputs.get("writerEndpoint"), masterLogin) };
    const probe = new Probe([{ name: "marker", operation: "mark" }], ctx.database.connections(endpoints), clock);
    const temporary = new TemporaryCluster(clients.rds, `${clusterId}-drill-${ctx.runId}`.slice(0, 63), t);
    let created = false;
    try {
        await preflight(probe);
        const firstMarker = clock.now();
        t.note(`writing marker rows every ${probe.intervalMs} ms until the cluster's latest restorable time passes the first one`);
        // Markers keep being written until the latest restorable time covers the first one, so the restore point has markers on both sides.
        await probe.run(
            async (tick) => {
                if (tick % POLL_TICKS !== 0) return false;
                const latest = (await clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }))).DBClusters?.[0]
                    ?.LatestRestorableTime;
                return latest !== undefined && latest.getTime() > firstMarker;
            },
            polls(rpo, probe.intervalMs),
        );
        await probe.close();
        const requested = clock.now();
        created = true;
        await clients.rds.send(
            new RestoreDBClusterToPointInTimeCommand({
                DBClusterIdentifier: temporary.clusterId,
                SourceDBClusterIdentifier: clusterId,
                UseLatestRestorableTime: true,
                RestoreType: "full-copy",
                DBSubnetGroupName: outputs.get("dbSubnetGroupName"),
                VpcSecurityGroupIds: [outputs.get("dbSecurityGroupId")],
                KmsKeyId: outputs.get<Record<string, string>>("kmsKeyArns").storage,
                DBClusterParameterGroupName: outputs.get("clusterParameterGroupName"),
                DeletionProtection: false,
                Tags: [{ Key: "Purpose", Value: "verify restore drill (temporary)" }],
            }),
        );
        t.note(`RestoreDBClusterToPointInTime ${clusterId} -> ${temporary.clusterId} (latest restorable time)`);
        const host = await temporary.addInstanceAndWait(
            ctx,
            writerClass(ctx),
            outputs.get("instanceParameterGroupName"),
            polls(rto, POLL_MS),
        );
        const available = clock.now();
        const marker = await ctx.database.newestMarker(endpoint(ctx, host, masterLogin));
        const measurements: Measurement[] = [{ name: "time to available", value: seconds(available - requested), unit: "s", target: rto }];
        const problems: string[] = [];
        if (available - requested > rto * 1000)
            problems.push(`restore took ${seconds(available - requested)} s, more than the RTO of ${rto} s`);
        markerDataLoss(marker, requested, rpo, measurements, problems, {
            cluster: "the restored cluster",
            before: "the restore point",
            asOf: "the restore request",
            measurement: "data loss (RPO)",
        });
        t.note(measurements.map((m) => `${m.name} ${m.value} ${m.unit}`).join("; "));
        return drillOutcome("restore", t, measurements, problems, measurements.map((m) => `${m.name} ${m.value} ${m.unit}`).join(", "));
    } finally {
        await probe.close();
        if (created) {
            await temporary.delete();
        }
    }
}

/** Backup and copy job states after which the job will not complete (AWS Backup API, BackupJobState / CopyJobState). */
const JOB_GAVE_UP = new Set(["ABORTED", "FAILED", "EXPIRED", "PARTIAL"]);

/**
 * The region-loss rehearsal: marker rows are written on the primary while an on-demand backup of the
 * cluster runs and is copied to the DR vault (the plan's own role and lifecycles, so it is exactly what
 * the scheduled rule does); then that copy, now the newest recovery point of the DR vault, is restored
 * in the DR region. Data loss is the time from the copy becoming usable back to the newest marker the
 * restored cluster holds; the age of the newest scheduled copy is measured too, against the plan.
 */
export async function drRestoreDrill(ctx: DrillContext): Promise<DrillOutcome> {
    const { outputs, clients, clock, config } = ctx;
    const t = timeline(ctx);
    if (!config.backup.enabled) {
        throw new NotRunError("aurora:drBackup is false for this stack: there is no DR vault to restore from");
    }
    if (ctx.drSubnetGroup === undefined) {
        throw new NotRunError(
            `--dr-subnet-group is required: a DB subnet group in ${config.backup.drRegion} (docs/disaster-recovery.md, prerequisites)`,
        );
    }
    const rto = ctx.rtoSeconds ?? DEFAULT_TARGETS["dr-restore"].rtoSeconds;
    const planId = outputs.get("backupPlanId");
    const rule = (await clients.backup.send(new GetBackupPlanCommand({ BackupPlanId: planId }))).BackupPlan?.Rules?.[0];
    const rpo = ctx.rpoSeconds ?? (rule ? copyMaxAgeHours(rule) * 3600 : 0);
    const drVaultArn = outputs.get("drBackupVaultArn");
    const drVault = drVaultArn.split(":backup-vault:")[1];
    const clusterArn = outputs.get("clusterArn");
    const scheduled = newestScheduled(
        await collect(
            paginateListRecoveryPointsByBackupVault({ client: clients.drBackup }, { BackupVaultName: drVault, ByResourceArn: clusterArn }),
            (p) => p.RecoveryPoints,
        ),
        planId,
    );
    if (!scheduled) {
        return drillOutcome(
            "dr-restore",
            t,
            [],
            [`${drVault} holds no completed recovery point of the cluster made by backup plan ${planId}`],
            drVault,
        );
    }
    const scheduledAge = seconds(clock.now() - scheduled.CreationDate!.getTime());
    const role = (await clients.backup.send(new ListBackupSelectionsCommand({ BackupPlanId: planId }))).BackupSelectionsList?.[0]
        ?.IamRoleArn;
    if (role === undefined) {
        throw new NotRunError(`backup plan ${planId} has no selection: there is no backup role to run the on-demand backup with`);
    }
    const masterLogin = { secretArn: outputs.get("masterSecretArn") };
    const probe = new Probe(
        [{ name: "marker", operation: "mark" }],
        ctx.database.connections({ marker: endpoint(ctx, outputs.get("writerEndpoint"), masterLogin) }),
        clock,
    );
    const temporary = new TemporaryCluster(clients.drRds, `${outputs.get("clusterIdentifier")}-dr-drill-${ctx.runId}`.slice(0, 63), t);
    let created = false;
    try {
        await preflight(probe);
        const started = clock.now();
        const { BackupJobId } = await clients.backup.send(
            new StartBackupJobCommand({
                BackupVaultName: outputs.get("backupVaultName"),
                ResourceArn: clusterArn,
                IamRoleArn: role,
                Lifecycle: rule?.Lifecycle,
            }),
        );
        t.note(`StartBackupJob ${BackupJobId} of ${clusterArn}; writing marker rows every ${probe.intervalMs} ms until it completes`);
        let backedUp: string | undefined;
        // Markers keep being written until the backup completes, so the snapshot has markers on both sides of its time.
        await probe.run(
            async (tick) => {
                if (tick % POLL_TICKS !== 0) return false;
                const job = await tolerant(() => clients.backup.send(new DescribeBackupJobCommand({ BackupJobId })));
                if (job?.State && JOB_GAVE_UP.has(job.State))
                    throw new DrillFailure(`backup job ${BackupJobId} ${job.State}: ${job.StatusMessage}`);
                backedUp = job?.State === "COMPLETED" ? job.RecoveryPointArn : undefined;
                return backedUp !== undefined;
            },
            polls(rto, probe.intervalMs),
        );
        await probe.close();
        if (backedUp === undefined) throw new DrillFailure(`backup job ${BackupJobId} did not complete within ${2 * rto} s`);
        const { CopyJobId } = await clients.backup.send(
            new StartCopyJobCommand({
                RecoveryPointArn: backedUp,
                SourceBackupVaultName: outputs.get("backupVaultName"),
                DestinationBackupVaultArn: drVaultArn,
                IamRoleArn: role,
                Lifecycle: rule?.CopyActions?.[0]?.Lifecycle,
            }),
        );
        t.note(`StartCopyJob ${CopyJobId}: ${backedUp} -> ${drVault} (${config.backup.drRegion})`);
        let point: string | undefined;
        const copied = await waitFor(
            clock,
            `copy job ${CopyJobId}`,
            async () => {
                const job = (await clients.backup.send(new DescribeCopyJobCommand({ CopyJobId }))).CopyJob;
                if (job?.State && JOB_GAVE_UP.has(job.State))
                    throw new DrillFailure(`copy job ${CopyJobId} ${job.State}: ${job.StatusMessage}`);
                point = job?.State === "COMPLETED" ? job.DestinationRecoveryPointArn : undefined;
                return point !== undefined;
            },
            POLL_MS,
            polls(rto, POLL_MS),
        );
        const metadata =
            (await clients.drBackup.send(new GetRecoveryPointRestoreMetadataCommand({ BackupVaultName: drVault, RecoveryPointArn: point })))
                .RestoreMetadata ?? {};
        const requested = clock.now();
        created = true;
        const { RestoreJobId } = await clients.drBackup.send(
            new StartRestoreJobCommand({
                RecoveryPointArn: point,
                ResourceType: "Aurora",
                IamRoleArn: role,
                Metadata: {
                    ...metadata,
                    DBClusterIdentifier: temporary.clusterId,
                    DBSubnetGroupName: ctx.drSubnetGroup,
                    ...(ctx.drSecurityGroupIds?.length ? { VpcSecurityGroupIds: JSON.stringify(ctx.drSecurityGroupIds) } : {}),
                    DeletionProtection: "false",
                },
            }),
        );
        t.note(`StartRestoreJob ${RestoreJobId} from ${point} -> ${temporary.clusterId} in ${config.backup.drRegion}`);
        await waitFor(
            clock,
            `restore job ${RestoreJobId}`,
            async () => {
                const job = await clients.drBackup.send(new DescribeRestoreJobCommand({ RestoreJobId }));
                if (job.Status === "FAILED" || job.Status === "ABORTED")
                    throw new DrillFailure(`restore job ${RestoreJobId} ${job.Status}: ${job.StatusMessage}`);
                return job.Status === "COMPLETED";
            },
            POLL_MS,
            polls(rto, POLL_MS),
        );
        const host = await temporary.addInstanceAndWait(ctx, writerClass(ctx), undefined, polls(rto, POLL_MS));
        const available = clock.now();
        const marker = await ctx.database.newestMarker(endpoint(ctx, host, masterLogin));
        const measurements: Measurement[] = [
            { name: "backup and copy to the DR vault", value: seconds(copied - started), unit: "s" },
            { name: "time to available", value: seconds(available - requested), unit: "s", target: rto },
            { name: "age of the newest scheduled DR recovery point", value: scheduledAge, unit: "s", target: rpo },
        ];
        const problems: string[] = [];
        if (available - requested > rto * 1000)
            problems.push(`DR restore took ${seconds(available - requested)} s, more than the RTO of ${rto} s`);
        if (scheduledAge > rpo)
            problems.push(`the newest scheduled DR recovery point is ${scheduledAge} s old, more than the RPO of ${rpo} s`);
        markerDataLoss(marker, copied, rpo, measurements, problems, {
            cluster: "the restored DR cluster",
            before: "the backup",
            asOf: "the copy",
            measurement: "data loss (RPO) when the copy became usable",
        });
        t.note(measurements.map((m) => `${m.name} ${m.value} ${m.unit}`).join("; "));
        return drillOutcome("dr-restore", t, measurements, problems, measurements.map((m) => `${m.name} ${m.value} ${m.unit}`).join(", "));
    } finally {
        await probe.close();
        if (created) {
            await temporary.delete();
        }
    }
}

/** The writer of a settled global cluster (available, no switchover or failover in progress); undefined while it moves. */
function settledWriterOf(global: GlobalCluster | undefined): string | undefined {
    return global?.Status === "available" && !global.FailoverState?.Status
        ? global.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn
        : undefined;
}

/**
 * The planned move of the writer to the DR region and back (drMode global-database): a managed
 * switchover to the secondary, timed until it is the settled writer, then the same back, so that the
 * stack ends as Pulumi declares it. A switchover waits for the secondary to catch up: no data is lost.
 * Each move is sent to the region of the cluster that is the writer at the time.
 */
export async function switchoverDrill(ctx: DrillContext): Promise<DrillOutcome> {
    const { config, outputs, clients, clock } = ctx;
    if (config.drMode !== "global-database") {
        throw new NotRunError(`aurora:drMode is ${config.drMode} for this stack: there is no global database to switch over`);
    }
    const t = timeline(ctx);
    const rto = ctx.rtoSeconds ?? DEFAULT_TARGETS.switchover.rtoSeconds;
    const globalId = outputs.get("globalClusterIdentifier");
    const [primaryArn, secondaryArn] = [outputs.get("clusterArn"), outputs.get("drClusterArn")];
    const describe = (client: RDSClient) =>
        tolerant(
            async () => (await client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalId }))).GlobalClusters?.[0],
        );
    const writer = settledWriterOf(await describe(clients.rds));
    if (writer !== primaryArn) {
        throw new NotRunError(
            `${globalId} is not settled with ${primaryArn} as its writer (writer: ${writer ?? "moving or unknown"}): ` +
                "switch back first (docs/global-database.md#switch-back)",
        );
    }
    const move = async (client: RDSClient, from: string, to: string): Promise<number> => {
        const started = clock.now();
        await client.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalId, TargetDbClusterIdentifier: to }));
        t.note(`SwitchoverGlobalCluster ${globalId}: ${from} -> ${to} requested`);
        let done: number;
        try {
            done = await waitFor(
                clock,
                `${to} to be the settled writer of ${globalId}`,
                async () => settledWriterOf(await describe(client)) === to,
                POLL_MS,
                polls(rto, POLL_MS),
            );
        } catch (e) {
            // Never left unsaid: the stack may now be switched over, which Pulumi does not declare.
            throw new DrillFailure(
                `${(e as Error).message}; the switchover may still be running: once describe-global-clusters shows it settled, ` +
                    `make ${primaryArn} the writer again (docs/global-database.md#switch-back)`,
            );
        }
        t.note(`${to} is the writer`);
        return seconds(done - started);
    };
    const measurements: Measurement[] = [
        {
            name: `switchover to ${config.backup.drRegion} completed after`,
            value: await move(clients.rds, primaryArn, secondaryArn),
            unit: "s",
            target: rto,
        },
        {
            name: `switchback to ${config.region} completed after`,
            value: await move(clients.drRds, secondaryArn, primaryArn),
            unit: "s",
            target: rto,
        },
    ];
    const problems = measurements.filter((m) => m.value > rto).map((m) => `${m.name} ${m.value} s, more than the RTO of ${rto} s`);
    return drillOutcome(
        "switchover",
        t,
        measurements,
        problems,
        `${globalId}: ${measurements.map((m) => `${m.name} ${m.value} s`).join(", ")}`,
    );
}

const RUNNERS: Record<DrillName, (ctx: DrillContext) => Promise<DrillOutcome>> = {
    failover: failoverDrill,
    rotation: rotationDrill,
    restore: restoreDrill,
    "dr-restore": drRestoreDrill,
    switchover: switchoverDrill,
};

const ITEMS: Record<DrillName, Pick<CheckResult, "item" | "requirement">> = {
    failover: { item: "Failover", requirement: "REQ-001" },
    rotation: { item: "Rotation working", requirement: "REQ-004" },
    restore: { item: "Backups and PITR", requirement: "REQ-005" },
    "dr-restore": { item: "Cross-region copy", requirement: "REQ-005" },
    switchover: { item: "Global database switchover", requirement: "REQ-008" },
};

/** Runs one drill; a drill that cannot start or breaks off is reported (not-run or fail), never thrown. */
export async function runDrill(name: DrillName, ctx: DrillContext): Promise<DrillOutcome> {
    try {
        return await RUNNERS[name](ctx);
    } catch (e) {
        const { status, evidence } = e instanceof DrillFailure ? { status: "fail" as const, evidence: e.message } : statusOfError(e);
        ctx.log(`drill ${name}: ${evidence}`);
        return {
            report: { drill: name, measurements: [], events: [evidence] },
            checks: [{ id: `drill.${name}`, ...ITEMS[name], source: "drill", status, evidence }],
        };
    }
}
