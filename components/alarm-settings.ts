/**
 * Alerting settings (REQ-006, performance baseline) and the pure computations behind every alarm
 * threshold. Like the cluster's settings, the same rules run in config loading (naming `aurora:*`
 * keys) and in the Alarms constructor (naming its fields); field names equal the config keys.
 */
import { Problems, checkIntegerRange } from "./validation";
import { SERVERLESS_CLASS, classMemoryGib } from "./aurora-catalog";

export interface AlarmSettings {
    /** Email addresses subscribed to the alert topic (each confirms by email). Default []. */
    readonly alarmEmails: readonly string[];
    /** HTTPS endpoints (e.g. an incident tool's webhook) subscribed to the alert topic. Default []. */
    readonly alarmHttpsEndpoints: readonly string[];
    /** CPUUtilization alarm threshold, percent (1 to 100). Default 80. */
    readonly cpuAlarmPercent: number;
    /** Consecutive 2-minute periods above the CPU threshold before the alarm fires (1 to 30). Default 2. */
    readonly cpuAlarmPeriods: number;
    /** DatabaseConnections alarm threshold, percent of the instance's max_connections (1 to 100). Default 80. */
    readonly connectionsAlarmPercent: number;
    /** FreeableMemory alarm threshold, percent of the instance's memory (1 to 100). Default 10. */
    readonly freeableMemoryAlarmPercent: number;
    /** FreeLocalStorage alarm threshold, percent of the instance's estimated local storage (1 to 100). Default 10. */
    readonly freeLocalStorageAlarmPercent: number;
    /** AuroraReplicaLagMaximum alarm threshold, milliseconds (1 to 3,600,000). Default 1000. */
    readonly replicaLagAlarmMs: number;
    /**
     * AuroraGlobalDBRPOLag and AuroraGlobalDBReplicationLag alarm threshold of a global database,
     * milliseconds (100 to 3,600,000). Default 10000.
     */
    readonly drLagAlarmMs: number;
    /** Consecutive minutes with deadlocks before the alarm fires (1 to 60). Default 5. */
    readonly deadlockAlarmMinutes: number;
    /** MaximumUsedTransactionIDs warning level (1 to 2,146,483,647, below the critical level). Default 1,000,000,000. */
    readonly xidWarningThreshold: number;
    /**
     * MaximumUsedTransactionIDs critical level (above the warning level, below 2,146,483,648 where Aurora goes read-only).
     * Default 1,500,000,000.
     */
    readonly xidCriticalThreshold: number;
    /** ACUUtilization alarm threshold for Serverless v2 instances, percent (1 to 100). Default 90. */
    readonly acuUtilizationAlarmPercent: number;
    /**
     * https URL of this repository's docs/ folder as a browser shows it, without a trailing slash:
     * alarm descriptions and the dashboard link `<runbookBaseUrl>/runbooks.md#<anchor>`, which must open
     * from an email or a pager, outside any checkout. Default {@link DEFAULT_RUNBOOK_BASE_URL}.
     */
    readonly runbookBaseUrl?: string;
}

/**
 * A placeholder (this repository publishes no URL of its own): set `aurora:runbookBaseUrl` in
 * Pulumi.yaml to where your copy's docs/ folder is browsable; the offline preview warns until then.
 */
export const DEFAULT_RUNBOOK_BASE_URL = "https://github.com/example-org/aurora/blob/main/docs";

/** Where an alarm kind's runbook section is published. */
export function runbookUrl(s: Pick<AlarmSettings, "runbookBaseUrl">, anchor?: string): string {
    return `${s.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL}/runbooks.md${anchor === undefined ? "" : `#${anchor}`}`;
}

/** Aurora PostgreSQL forces the database read-only when this many transaction IDs are in use (2^31 - 1,000,000). */
export const XID_READ_ONLY_LIMIT = 2146483648;

const GIB = 2 ** 30;

/** Memory of one ACU (AWS: "each ACU is approximately 2 GiB of memory"). */
export const GIB_PER_ACU = 2;

/**
 * Local (temporary) storage is sized by instance class at about twice its memory (AWS's Aurora
 * instance class table); an estimate, to be checked against the observed FreeLocalStorage maximum
 * after go-live (docs/performance-baseline.md).
 */
export const LOCAL_STORAGE_PER_MEMORY = 2;

const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

export function checkEmail(value: string): string | undefined {
    return EMAIL.test(value) ? undefined : "must be an email address such as oncall@example.com";
}

export function checkHttpsEndpoint(value: string): string | undefined {
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    return url !== undefined && url.protocol === "https:" && url.hostname.includes(".") && !/\s/.test(value)
        ? undefined
        : "must be an https:// URL with a host name, such as https://events.example.com/sns";
}

function checkList(problems: Problems, field: string, values: readonly string[], check: (v: string) => string | undefined): void {
    const seen = new Set<string>();
    for (const value of values) {
        const problem = check(value) ?? (seen.has(value.toLowerCase()) ? "is listed twice" : undefined);
        problems.check(field, value, problem);
        seen.add(value.toLowerCase());
    }
}

/** Records every problem with `s`; `name` maps a field to the name the user wrote (config key or argument). */
export function validateAlarmSettings(s: AlarmSettings, problems: Problems, name: (field: string) => string): void {
    checkList(problems, name("alarmEmails"), s.alarmEmails, checkEmail);
    checkList(problems, name("alarmHttpsEndpoints"), s.alarmHttpsEndpoints, checkHttpsEndpoint);
    for (const field of [
        "cpuAlarmPercent",
        "connectionsAlarmPercent",
        "freeableMemoryAlarmPercent",
        "freeLocalStorageAlarmPercent",
        "acuUtilizationAlarmPercent",
    ] as const) {
        problems.check(name(field), s[field], checkIntegerRange(s[field], 1, 100));
    }
    if (s.runbookBaseUrl !== undefined) {
        problems.check(
            name("runbookBaseUrl"),
            s.runbookBaseUrl,
            checkHttpsEndpoint(s.runbookBaseUrl) ?? (s.runbookBaseUrl.endsWith("/") ? "must not end with /" : undefined),
        );
    }
    problems.check(name("cpuAlarmPeriods"), s.cpuAlarmPeriods, checkIntegerRange(s.cpuAlarmPeriods, 1, 30));
    problems.check(name("deadlockAlarmMinutes"), s.deadlockAlarmMinutes, checkIntegerRange(s.deadlockAlarmMinutes, 1, 60));
    problems.check(name("replicaLagAlarmMs"), s.replicaLagAlarmMs, checkIntegerRange(s.replicaLagAlarmMs, 1, 3600000));
    problems.check(name("drLagAlarmMs"), s.drLagAlarmMs, checkIntegerRange(s.drLagAlarmMs, 100, 3600000));
    problems.check(
        name("xidWarningThreshold"),
        s.xidWarningThreshold,
        checkIntegerRange(s.xidWarningThreshold, 1, XID_READ_ONLY_LIMIT - 1),
    );
    const critical = checkIntegerRange(s.xidCriticalThreshold, 1, XID_READ_ONLY_LIMIT - 1);
    problems.check(
        name("xidCriticalThreshold"),
        s.xidCriticalThreshold,
        critical !== undefined
            ? `${critical} (Aurora goes read-only at ${XID_READ_ONLY_LIMIT})`
            : s.xidCriticalThreshold <= s.xidWarningThreshold
              ? `must be above ${name("xidWarningThreshold")} (${s.xidWarningThreshold})`
              : undefined,
    );
}

/** Capacity bounds of Serverless v2 instances (the cluster's scaling configuration). */
export interface ServerlessBounds {
    /** Minimum ACU (0 pauses idle instances). */
    readonly minCapacity: number;
    /** Maximum ACU. */
    readonly maxCapacity: number;
}

/**
 * Memory (GiB) that the memory and local-storage thresholds are relative to: the class memory, or for
 * Serverless v2 the memory at the minimum capacity (at least 0.5 ACU), so that a scaled-down instance
 * does not alarm; its scale-up pressure is watched by the ACU alarm instead. Undefined for a class of
 * unknown size.
 */
export function thresholdMemoryGib(instanceClass: string, serverless: ServerlessBounds): number | undefined {
    return instanceClass === SERVERLESS_CLASS ? Math.max(serverless.minCapacity, 0.5) * GIB_PER_ACU : classMemoryGib(instanceClass);
}

/** DatabaseConnections threshold: `percent` of max_connections, rounded down (alarm when above it). */
export function connectionsThreshold(maxConnections: number, percent: number): number {
    return Math.floor((maxConnections * percent) / 100);
}

/** FreeableMemory threshold in bytes: `percent` of the memory (alarm when below it). */
export function freeableMemoryThresholdBytes(memoryGib: number, percent: number): number {
    return Math.floor((memoryGib * GIB * percent) / 100);
}

/** FreeLocalStorage threshold in bytes: `percent` of the estimated local storage (alarm when below it). */
export function freeLocalStorageThresholdBytes(memoryGib: number, percent: number): number {
    return Math.floor((memoryGib * LOCAL_STORAGE_PER_MEMORY * GIB * percent) / 100);
}
