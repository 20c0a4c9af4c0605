/**
 * The cluster's settings, and the rules AWS (or safety) imposes on them. The same rules run in
 * config loading (naming `aurora:*` keys) and in the AuroraCluster constructor (naming its fields),
 * so a direct user of the component gets the same errors as a stack.
 */
import { Problems, checkIntegerRange, checkLogRetention, checkOneOf } from "./validation";
import {
    SERVERLESS_CLASS,
    checkEngineVersion,
    classMemoryGib,
    instanceClassesIn,
    isBurstable,
    parseEngineVersion,
    provisionedMaxConnections,
    serverlessMaxConnections,
    supportsActivityStreams,
    supportsAutoPause,
} from "./aurora-catalog";
import { checkParameterOverrides } from "./parameters";

/** The metrics Aurora Auto Scaling tracks for readers (Application Auto Scaling's predefined metric types for RDS). */
export const READER_SCALING_METRICS = ["RDSReaderAverageCPUUtilization", "RDSReaderAverageDatabaseConnections"] as const;

/**
 * Aurora Auto Scaling of the readers. Its floor is `readerCount`: AWS removes only the readers it
 * added (Aurora guide, "Amazon Aurora Auto Scaling with Aurora Replicas"), so the declared readers
 * always stay, and a floor above them would be readers better declared.
 */
export interface ReaderAutoScalingSettings {
    /** Most readers, declared and added by AWS together (readerCount + 1 to 15); 0 turns auto scaling off. @default 0 */
    readonly maxReaders: number;
    /** What to track: the readers' average CPU or average connections. @default "RDSReaderAverageCPUUtilization" */
    readonly metric: string;
    /** Target of the metric: percent CPU (10 to 90), or connections per reader (1 to the smallest max_connections). @default 60 */
    readonly targetValue: number;
    /** Seconds after a scale-in before the next one (0 to 86,400). @default 300 */
    readonly scaleInCooldownSeconds: number;
    /** Seconds after a scale-out before the next one (0 to 86,400). @default 300 */
    readonly scaleOutCooldownSeconds: number;
}

export interface ServerlessCapacity {
    /** Minimum ACU (0 to 256 in steps of 0.5; 0 pauses the instance when idle). */
    readonly minCapacity: number;
    /** Maximum ACU (1 to 256 in steps of 0.5, above the minimum). */
    readonly maxCapacity: number;
    /** Idle seconds before an instance with 0 ACU minimum pauses (300 to 86,400). */
    readonly secondsUntilAutoPause: number;
}

export interface ClusterSettings {
    /** Engine version: a major ("17", recommended: AWS applies minors) or a creatable major.minor ("17.5"). */
    readonly engineVersion: string;
    /** Let this update change the major version (set together with the new engineVersion). Default false. */
    readonly allowMajorVersionUpgrade: boolean;
    /**
     * The engine version a Blue/Green Deployment will upgrade to (a higher major, e.g. "18"): the
     * cluster then also declares that family's parameter groups, for `create-blue-green-deployment`
     * to name (docs/blue-green-upgrade.md). "" declares none.
     * @default ""
     */
    readonly blueGreenTargetEngineVersion: string;
    /** Stay on the major after standard support ends, enrolled in paid RDS Extended Support. Default false (opt out). */
    readonly extendedSupport: boolean;
    /** Instance class of every instance unless overridden (`db.serverless` for Serverless v2). */
    readonly instanceClass: string;
    /** Readers besides the writer (1 to 15; a global database's secondary may have 0). */
    readonly readerCount: number;
    /** Per-instance class overrides by instance name (`instance-1` is the initial writer). */
    readonly instanceClassOverrides: Readonly<Record<string, string>>;
    /** Serverless v2 capacity (applies to `db.serverless` instances). */
    readonly serverless: ServerlessCapacity;
    /** Aurora Auto Scaling of the readers (Application Auto Scaling target tracking); off unless `maxReaders` is set. */
    readonly readerAutoScaling: ReaderAutoScalingSettings;
    /** Initial database name. */
    readonly databaseName: string;
    /** Master (administration only) user; its password is generated and kept in Secrets Manager (see `masterPassword`). */
    readonly masterUsername: string;
    /**
     * Who keeps the master password: `managed`, RDS (in a secret it owns and rotates); or `secret`, this
     * program: a generated password, sent write-only (the provider never stores it; Pulumi keeps its
     * inputs encrypted as secrets), in a Secrets Manager secret of its own, rotated by AWS's single-user
     * rotation function. AWS does not support
     * RDS-managed master passwords on Global Database members or with Blue/Green Deployments (Aurora
     * guide, "Limitations for Secrets Manager integration"), which need `secret`.
     * @default "managed"
     */
    readonly masterPassword: string;
    /** Days of automated backups, and the point-in-time recovery window (7 to 35). */
    readonly backupRetentionDays: number;
    /** Daily backup window, UTC, `hh24:mi-hh24:mi` (at least 30 minutes). */
    readonly backupWindow: string;
    /** Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi` (at least 30 minutes, not overlapping the backup window). */
    readonly maintenanceWindow: string;
    /** Refuse deletion of the cluster (must be true in prod). */
    readonly deletionProtection: boolean;
    /** Apply modifications now instead of in the maintenance window. */
    readonly applyImmediately: boolean;
    /** `aurora` (pay per I/O) or `aurora-iopt1` (I/O-Optimized). */
    readonly storageType: string;
    /** Performance Insights retention in days: 7, 31 x n (n = 1..23) or 731; at least 465 for the Advanced Database Insights mode. */
    readonly performanceInsightsRetentionDays: number;
    /**
     * CloudWatch Database Insights mode of the cluster: `standard` (free; what remains of Performance
     * Insights since its console's end of life) or `advanced` (billed per vCPU-hour, or ACU-hour on
     * Serverless v2, by CloudWatch: execution plans, lock analysis, fleet views, 15 months of data).
     * @default "standard"
     */
    readonly databaseInsightsMode: string;
    /** Enhanced Monitoring interval in seconds: 1, 5, 10, 15, 30 or 60. */
    readonly monitoringIntervalSeconds: number;
    /** Retention of the exported PostgreSQL log groups, in days (a CloudWatch Logs value). */
    readonly logRetentionDays: number;
    /** Start a Database Activity Stream (not on burstable or Serverless v2 instances). */
    readonly activityStream: boolean;
    /** Activity stream mode: `async` (favours database performance) or `sync`. */
    readonly activityStreamMode: string;
    /** Database user that IAM database authentication admits for administration. */
    readonly iamAdminDbUser: string;
    /** IAM role to attach the rds-db:connect admin policy to ("" for none). */
    readonly iamAdminRoleName: string;
    /** Cluster parameter overrides (name -> value), merged over the documented defaults. */
    readonly clusterParameters: Readonly<Record<string, string>>;
    /** Instance parameter overrides (name -> value), merged over the documented defaults. */
    readonly instanceParameters: Readonly<Record<string, string>>;
    /** max_connections for every instance; 0 derives AWS's default from the instance class. */
    readonly maxConnections: number;
    /** Server certificate authority of the instances. */
    readonly caCertificate: string;
}

export const CA_CERTIFICATES = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"] as const;

/** The largest max_connections Aurora PostgreSQL accepts. */
export const MAX_CONNECTIONS_LIMIT = 262143;

const MASTER_PASSWORD_MODES = ["managed", "secret"] as const;

export const DATABASE_INSIGHTS_MODES = ["standard", "advanced"] as const;
/** Performance Insights retention that Database Insights' Advanced mode requires, in days (15 months). */
export const ADVANCED_INSIGHTS_RETENTION_DAYS = 465;

/** Reserved master user names: AWS refuses these (verified deployments) or PostgreSQL reserves them. */
const RESERVED_USERNAMES = new Set([
    "admin",
    "rdsadmin",
    "rdsrepladmin",
    "user",
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "into",
    "limit",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "primary",
    "public",
    "references",
    "role",
    "select",
    "session_user",
    "some",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "using",
    "when",
    "where",
    "window",
    "with",
]);

export interface PlannedInstance {
    /** Logical instance name: `instance-1` (the initial writer), `instance-2`, ... */
    readonly name: string;
    readonly instanceClass: string;
    /** 0 for the writer; 1 for readers at least as large as the writer (failover targets), 2 for smaller readers. */
    readonly promotionTier: number;
    /** The engine's default max_connections for this instance (or the configured value). */
    readonly maxConnections: number | undefined;
}

/** Memory capacity used to compare instances for failover: class memory, or 2 GiB per maximum ACU. */
function capacityGib(instanceClass: string, serverless: ServerlessCapacity): number {
    return instanceClass === SERVERLESS_CLASS ? serverless.maxCapacity * 2 : (classMemoryGib(instanceClass) ?? 0);
}

/** The writer and readers, their classes, promotion tiers and default max_connections. */
export function planInstances(
    s: Pick<ClusterSettings, "instanceClass" | "readerCount" | "instanceClassOverrides" | "serverless" | "maxConnections">,
): PlannedInstance[] {
    const names = Array.from({ length: 1 + s.readerCount }, (_, i) => `instance-${i + 1}`);
    const classes = names.map((n) => s.instanceClassOverrides[n] ?? s.instanceClass);
    const writerCapacity = capacityGib(classes[0], s.serverless);
    return names.map((name, i) => ({
        name,
        instanceClass: classes[i],
        promotionTier: i === 0 ? 0 : capacityGib(classes[i], s.serverless) >= writerCapacity ? 1 : 2,
        maxConnections:
            s.maxConnections > 0
                ? s.maxConnections
                : classes[i] === SERVERLESS_CLASS
                  ? serverlessMaxConnections(s.serverless.minCapacity, s.serverless.maxCapacity)
                  : provisionedMaxConnections(classes[i]),
    }));
}

/** Whether a Serverless v2 instance of this cluster may pause (0 ACU minimum): RDS Proxy cannot serve it. */
export function canAutoPause(s: Parameters<typeof planInstances>[0]): boolean {
    return s.serverless.minCapacity === 0 && planInstances(s).some((i) => i.instanceClass === SERVERLESS_CLASS);
}

function minutesOfDay(hhmm: string): number {
    const [h, m] = hhmm.split(":").map(Number);
    return h * 60 + m;
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;

/** Parses `hh24:mi-hh24:mi` into [start, length] minutes, handling a window that wraps midnight. */
export function parseDailyWindow(value: string): [number, number] | undefined {
    const match = /^(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d)$/.exec(value);
    if (!match) {
        return undefined;
    }
    const start = minutesOfDay(match[1]);
    return [start, (minutesOfDay(match[3]) - start + DAY_MINUTES) % DAY_MINUTES];
}

/** Parses `ddd:hh24:mi-ddd:hh24:mi` into [start, length] minutes of the week, handling wrap-around. */
export function parseWeeklyWindow(value: string): [number, number] | undefined {
    const match = /^(sun|mon|tue|wed|thu|fri|sat):(([01]\d|2[0-3]):[0-5]\d)-(sun|mon|tue|wed|thu|fri|sat):(([01]\d|2[0-3]):[0-5]\d)$/.exec(
        value.toLowerCase(),
    );
    if (!match) {
        return undefined;
    }
    const start = DAYS.indexOf(match[1]) * DAY_MINUTES + minutesOfDay(match[2]);
    const end = DAYS.indexOf(match[4]) * DAY_MINUTES + minutesOfDay(match[5]);
    return [start, (end - start + WEEK_MINUTES) % WEEK_MINUTES];
}

/** Whether two daily windows [start, length] (minutes of the day) intersect on some day. */
export function dailyWindowsOverlap(a: [number, number], b: [number, number]): boolean {
    return [-DAY_MINUTES, 0, DAY_MINUTES].some((shift) => a[0] < b[0] + shift + b[1] && b[0] + shift < a[0] + a[1]);
}

/** Whether the daily backup window, repeated on every day, intersects the weekly maintenance window. */
export function windowsOverlap(daily: [number, number], weekly: [number, number]): boolean {
    const intersects = (aStart: number, aLength: number, bStart: number, bLength: number) =>
        aStart < bStart + bLength && bStart < aStart + aLength;
    for (let day = -1; day <= 7; day++) {
        const start = day * DAY_MINUTES + daily[0];
        // Compare against the weekly window and its copies one week earlier and later (wrap-around).
        if ([-WEEK_MINUTES, 0, WEEK_MINUTES].some((shift) => intersects(start, daily[1], weekly[0] + shift, weekly[1]))) {
            return true;
        }
    }
    return false;
}

function checkCapacityStep(value: number, min: number): string | undefined {
    return Number.isFinite(value) && value >= min && value <= 256 && value * 2 === Math.round(value * 2)
        ? undefined
        : `must be a number of ACU from ${min} to 256 in steps of 0.5`;
}

/**
 * max_connections of a reader Aurora Auto Scaling adds: it copies the writer's class, and any planned
 * instance may be the writer after a failover, so the smallest planned value (undefined if none is known).
 */
export function autoScaledReaderMaxConnections(plan: readonly PlannedInstance[]): number | undefined {
    const known = plan.flatMap((i) => (i.maxConnections === undefined ? [] : [i.maxConnections]));
    return known.length > 0 ? Math.min(...known) : undefined;
}

/** The target of a Blue/Green upgrade: a higher major, and what AWS's Blue/Green Deployments do not support refused. */
function validateBlueGreenTarget(s: ClusterSettings, problems: Problems, name: (field: string) => string): void {
    const target = s.blueGreenTargetEngineVersion;
    if (target === "") {
        return;
    }
    const problem = checkEngineVersion(target);
    const [current, next] = [parseEngineVersion(s.engineVersion), parseEngineVersion(target)];
    if (problem !== undefined) {
        problems.check(name("blueGreenTargetEngineVersion"), target, problem);
    } else if (current !== undefined && next!.major <= current.major) {
        problems.check(
            name("blueGreenTargetEngineVersion"),
            target,
            `must be a higher major than ${name("engineVersion")} (${s.engineVersion})`,
        );
    }
    // Aurora guide, "Limitations and considerations for Amazon Aurora blue/green deployments".
    if (s.masterPassword !== "secret") {
        problems.add(
            `${name("blueGreenTargetEngineVersion")} requires ${name("masterPassword")} = "secret": ` +
                "Blue/Green Deployments do not support master passwords managed by RDS in Secrets Manager",
        );
    }
    const logical = s.clusterParameters["rds.logical_replication"];
    if (logical !== undefined && logical !== "1") {
        problems.add(
            `${name("blueGreenTargetEngineVersion")} requires ${name("clusterParameters")} rds.logical_replication = 1 ` +
                `(set by default with a target), got ${logical}: Blue/Green replicates logically`,
        );
    }
    if (s.allowMajorVersionUpgrade) {
        problems.add(
            `${name("blueGreenTargetEngineVersion")} and ${name("allowMajorVersionUpgrade")} are two ways to upgrade: ` +
                "choose Blue/Green or in place",
        );
    }
    if (s.readerAutoScaling.maxReaders > 0) {
        problems.add(
            `${name("blueGreenTargetEngineVersion")} requires ${name("readerAutoScaling.maxReaders")} = 0 during the upgrade: ` +
                "AWS does not copy auto scaling policies to the green environment",
        );
    }
}

/**
 * What AWS requires of a cluster in an Aurora Global Database, checked for its primary: `requirer` is
 * the caller's name for the setting that makes it one (`aurora:drMode = global-database`).
 * Sources: Aurora guide, "Limitations for Secrets Manager integration", "Configuration requirements of
 * an Amazon Aurora global database", "Situations where Aurora Serverless v2 doesn't auto-pause",
 * "Major version upgrades for Aurora global databases".
 */
export function validateGlobalDatabaseCluster(
    s: ClusterSettings,
    problems: Problems,
    name: (field: string) => string,
    requirer: string,
): void {
    if (s.masterPassword !== "secret") {
        problems.add(
            `${requirer} requires ${name("masterPassword")} = "secret": ` +
                "AWS does not support master passwords managed by RDS in Secrets Manager on Global Database members",
        );
    }
    for (const instance of planInstances(s).filter((i) => isBurstable(i.instanceClass))) {
        const field = name(s.instanceClassOverrides[instance.name] === undefined ? "instanceClass" : "instanceClassOverrides");
        problems.check(
            field,
            instance.instanceClass,
            `${instance.name} cannot be in a global database (${requirer}): ` +
                "it needs memory-optimized classes (db.r*, db.x2g) or db.serverless",
        );
    }
    if (canAutoPause(s)) {
        problems.add(
            `${requirer} and ${name("serverless.minCapacity")} = 0: Serverless v2 instances of a global database never pause, ` +
                "so the cluster would be billed for its minimum all the time; set a minimum of 0.5 or more",
        );
    }
    if (s.allowMajorVersionUpgrade) {
        problems.add(
            `${requirer} and ${name("allowMajorVersionUpgrade")}: a global database is upgraded as a whole ` +
                "(modify-global-cluster or Blue/Green, docs/global-database.md), not cluster by cluster",
        );
    }
}

function validateReaderAutoScaling(s: ClusterSettings, problems: Problems, name: (field: string) => string): void {
    const a = s.readerAutoScaling;
    // The other settings are checked even while auto scaling is off, so that turning it on cannot fail on them.
    if (a.maxReaders !== 0 && (!Number.isInteger(a.maxReaders) || a.maxReaders <= s.readerCount || a.maxReaders > 15)) {
        problems.add(
            `${name("readerAutoScaling.maxReaders")} = ${a.maxReaders}: must ` +
                `be 0 (off) or above ${name("readerCount")} (${s.readerCount}), ` +
                "at most 15 (Aurora's replica limit): it counts the declared readers too",
        );
    }
    problems.check(name("readerAutoScaling.metric"), a.metric, checkOneOf(a.metric, READER_SCALING_METRICS));
    if (a.metric === "RDSReaderAverageCPUUtilization") {
        problems.check(name("readerAutoScaling.targetValue"), a.targetValue, checkIntegerRange(a.targetValue, 10, 90));
    } else if (a.metric === "RDSReaderAverageDatabaseConnections") {
        const smallest = autoScaledReaderMaxConnections(planInstances(s)) ?? MAX_CONNECTIONS_LIMIT;
        problems.check(name("readerAutoScaling.targetValue"), a.targetValue, checkIntegerRange(a.targetValue, 1, smallest));
    }
    problems.check(
        name("readerAutoScaling.scaleInCooldownSeconds"),
        a.scaleInCooldownSeconds,
        checkIntegerRange(a.scaleInCooldownSeconds, 0, 86400),
    );
    problems.check(
        name("readerAutoScaling.scaleOutCooldownSeconds"),
        a.scaleOutCooldownSeconds,
        checkIntegerRange(a.scaleOutCooldownSeconds, 0, 86400),
    );
}

/**
 * Checks every rule and records each problem with the offending field's name (`name(field)`).
 * `region` selects the instance class catalog; `isProduction` adds the production-only rules;
 * `globalSecondary` is set for the secondary cluster of a global database.
 */
export function validateClusterSettings(
    s: ClusterSettings,
    problems: Problems,
    name: (field: keyof ClusterSettings | string) => string,
    context: { region: string; isProduction: boolean; globalSecondary?: boolean },
): void {
    problems.check(name("engineVersion"), s.engineVersion, checkEngineVersion(s.engineVersion));
    const version = parseEngineVersion(s.engineVersion);
    // Every instance of a global secondary is a reader, the first included: it may be alone.
    problems.check(name("readerCount"), s.readerCount, checkIntegerRange(s.readerCount, context.globalSecondary ? 0 : 1, 15));
    validateReaderAutoScaling(s, problems, name);

    const offered = instanceClassesIn(context.region);
    const instances = planInstances(s);
    for (const [instance, instanceClass] of Object.entries(s.instanceClassOverrides)) {
        if (!instances.some((i) => i.name === instance)) {
            problems.check(
                name("instanceClassOverrides"),
                `${instance}=${instanceClass}`,
                `names an instance that does not exist; instances are ${instances.map((i) => i.name).join(", ")}`,
            );
        }
    }
    for (const instance of instances) {
        const field = name(s.instanceClassOverrides[instance.name] === undefined ? "instanceClass" : "instanceClassOverrides");
        if (offered !== undefined && !offered.includes(instance.instanceClass)) {
            problems.check(
                field,
                instance.instanceClass,
                `is not offered for Aurora PostgreSQL in ${context.region}; offered: ` +
                    `${offered.filter((c) => /^db\.(r[678]|t4g|serverless|x2g)/.test(c)).join(", ")}, ...`,
            );
        } else if (instance.maxConnections === undefined) {
            problems.check(
                field,
                instance.instanceClass,
                `has no known memory size, so its default max_connections cannot be derived; set ${name("maxConnections")} explicitly`,
            );
        }
        if (s.activityStream && !supportsActivityStreams(instance.instanceClass)) {
            problems.check(
                field,
                instance.instanceClass,
                `${instance.name} cannot run with a Database Activity Stream (not supported on burstable ` +
                    `db.t* or Serverless v2 classes); use a db.r* class or set ${name("activityStream")} to false`,
            );
        }
    }
    if (context.isProduction && instances.length > 1 && !instances.slice(1).some((i) => i.promotionTier === 1)) {
        problems.add(
            `${name("instanceClassOverrides")}: in prod at least one reader must be as large as the ` +
                `writer (${instances[0].instanceClass}) so that a failover does not shrink the database`,
        );
    }

    // The serverless settings are checked even while no instance is Serverless v2: a value that is
    // accepted today must not turn into an error on the day an instance class changes.
    const { minCapacity, maxCapacity, secondsUntilAutoPause } = s.serverless;
    problems.check(name("serverless.minCapacity"), minCapacity, checkCapacityStep(minCapacity, 0));
    problems.check(name("serverless.maxCapacity"), maxCapacity, checkCapacityStep(maxCapacity, 1));
    if (maxCapacity <= minCapacity) {
        problems.check(name("serverless.maxCapacity"), maxCapacity, `must be above ${name("serverless.minCapacity")} (${minCapacity})`);
    }
    problems.check(name("serverless.secondsUntilAutoPause"), secondsUntilAutoPause, checkIntegerRange(secondsUntilAutoPause, 300, 86400));
    const usesServerless = instances.some((i) => i.instanceClass === SERVERLESS_CLASS);
    if (usesServerless && minCapacity === 0 && version && !supportsAutoPause(version)) {
        problems.check(
            name("serverless.minCapacity"),
            minCapacity,
            `0 ACU (auto-pause) needs Aurora PostgreSQL 16.3+, 15.7+ or 17+; ${s.engineVersion} does not support it`,
        );
    }

    if (!/^[A-Za-z][A-Za-z0-9]{0,15}$/.test(s.masterUsername)) {
        problems.check(name("masterUsername"), s.masterUsername, "must be 1 to 16 letters or digits, starting with a letter");
    } else if (RESERVED_USERNAMES.has(s.masterUsername.toLowerCase()) || /^(rds|pg_)/i.test(s.masterUsername)) {
        problems.check(
            name("masterUsername"),
            s.masterUsername,
            "is reserved by Aurora PostgreSQL (admin, rdsadmin, user, rds*/pg_* names and SQL keywords are refused)",
        );
    }
    if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(s.databaseName)) {
        problems.check(name("databaseName"), s.databaseName, "must be 1 to 63 letters, digits or underscores, starting with a letter");
    } else if (
        ["postgres", "template0", "template1", "rdsadmin"].includes(s.databaseName.toLowerCase()) ||
        RESERVED_USERNAMES.has(s.databaseName.toLowerCase())
    ) {
        problems.check(
            name("databaseName"),
            s.databaseName,
            "is reserved (postgres, template0/1, rdsadmin and SQL keywords); choose your application's name",
        );
    }
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(s.iamAdminDbUser) || /^(rds|pg_)/.test(s.iamAdminDbUser)) {
        problems.check(
            name("iamAdminDbUser"),
            s.iamAdminDbUser,
            "must be a lowercase PostgreSQL role name (letters, digits, underscores; not rds*/pg_*)",
        );
    } else if (s.iamAdminDbUser === s.masterUsername.toLowerCase()) {
        problems.check(
            name("iamAdminDbUser"),
            s.iamAdminDbUser,
            "must differ from the master user: granting rds_iam to the master user disables its password login",
        );
    }
    if (s.iamAdminRoleName !== "" && !/^[\w+=,.@-]{1,64}$/.test(s.iamAdminRoleName)) {
        problems.check(name("iamAdminRoleName"), s.iamAdminRoleName, "must be an IAM role name (1 to 64 of letters, digits and +=,.@_-)");
    }

    problems.check(name("backupRetentionDays"), s.backupRetentionDays, checkIntegerRange(s.backupRetentionDays, 7, 35));
    const backup = parseDailyWindow(s.backupWindow);
    const maintenance = parseWeeklyWindow(s.maintenanceWindow);
    if (!backup) {
        problems.check(name("backupWindow"), s.backupWindow, "must be hh24:mi-hh24:mi in UTC, e.g. 02:00-03:00");
    } else if (backup[1] < 30) {
        problems.check(name("backupWindow"), s.backupWindow, "must be at least 30 minutes long");
    }
    if (!maintenance) {
        problems.check(name("maintenanceWindow"), s.maintenanceWindow, "must be ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:04:00-sun:05:00");
    } else if (maintenance[1] < 30) {
        problems.check(name("maintenanceWindow"), s.maintenanceWindow, "must be at least 30 minutes long");
    }
    if (backup && maintenance && windowsOverlap(backup, maintenance)) {
        problems.add(
            `${name("backupWindow")} = "${s.backupWindow}" overlaps ${name("maintenanceWindow")} ` +
                `= "${s.maintenanceWindow}": AWS requires them not to overlap`,
        );
    }
    if (s.allowMajorVersionUpgrade && s.activityStream) {
        problems.add(
            `${name("allowMajorVersionUpgrade")} requires ${name("activityStream")} = false first: ` +
                `AWS refuses a major upgrade while an activity stream runs (docs/major-version-upgrade.md)`,
        );
    }
    validateBlueGreenTarget(s, problems, name);
    if (s.allowMajorVersionUpgrade && !s.applyImmediately) {
        problems.add(
            `${name("allowMajorVersionUpgrade")} requires ${name("applyImmediately")} = true: otherwise AWS defers ` +
                `the upgrade to the maintenance window while Pulumi deletes the old family's parameter groups still in use`,
        );
    }
    if (context.isProduction && !s.deletionProtection) {
        problems.check(name("deletionProtection"), s.deletionProtection, "must be true in prod (REQ-008)");
    }

    problems.check(name("storageType"), s.storageType, checkOneOf(s.storageType, ["aurora", "aurora-iopt1"]));
    const pi = s.performanceInsightsRetentionDays;
    if (!(pi === 7 || pi === 731 || (Number.isInteger(pi) && pi % 31 === 0 && pi >= 31 && pi <= 713))) {
        problems.check(name("performanceInsightsRetentionDays"), pi, "must be 7, a multiple of 31 up to 713 (31 x 1..23 months), or 731");
    }
    problems.check(name("databaseInsightsMode"), s.databaseInsightsMode, checkOneOf(s.databaseInsightsMode, DATABASE_INSIGHTS_MODES));
    problems.check(name("masterPassword"), s.masterPassword, checkOneOf(s.masterPassword, MASTER_PASSWORD_MODES));
    if (s.databaseInsightsMode === "advanced" && pi < ADVANCED_INSIGHTS_RETENTION_DAYS) {
        // AWS's Aurora guide, "Considerations for Database Insights"; ModifyDBCluster refuses it otherwise.
        problems.add(
            `${name("databaseInsightsMode")} = "advanced" requires ${name("performanceInsightsRetentionDays")} ` +
                `of at least ${ADVANCED_INSIGHTS_RETENTION_DAYS} (15 months; 465, 496, ... 713 or 731), got ${pi}`,
        );
    }
    problems.check(
        name("monitoringIntervalSeconds"),
        s.monitoringIntervalSeconds,
        checkOneOf(s.monitoringIntervalSeconds, [1, 5, 10, 15, 30, 60]),
    );
    problems.check(name("logRetentionDays"), s.logRetentionDays, checkLogRetention(s.logRetentionDays));
    problems.check(name("activityStreamMode"), s.activityStreamMode, checkOneOf(s.activityStreamMode, ["async", "sync"]));
    problems.check(name("caCertificate"), s.caCertificate, checkOneOf(s.caCertificate, CA_CERTIFICATES));
    checkParameterOverrides(s.clusterParameters, name("clusterParameters"), problems);
    checkParameterOverrides(s.instanceParameters, name("instanceParameters"), problems);
    if (s.maxConnections !== 0) {
        problems.check(name("maxConnections"), s.maxConnections, checkIntegerRange(s.maxConnections, 6, MAX_CONNECTIONS_LIMIT));
    }
}
