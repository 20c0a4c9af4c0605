/**
 * The components' defaults: what `AuroraPostgres` uses for every setting its caller leaves out. They
 * are the production-safe values; config/schema.ts restates them for the `aurora:*` keys (a test
 * keeps a stack file without optional keys equal to these).
 */
import { AlarmSettings, DEFAULT_RUNBOOK_BASE_URL } from "./alarm-settings";
import { BackupSettings } from "./backup";
import { ClusterSettings } from "./cluster-settings";
import { GlobalDatabaseSettings } from "./global-database";
import { ExistingVpcSettings, NetworkSettings, NewVpcSettings } from "./network";
import { SecretsSettings } from "./secrets-settings";

/** A settings object with every field optional; nested objects (serverless, proxy) may be given in part. */
export type PartialSettings<T> = {
    readonly [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Partial<T[K]> : T[K];
};

/** A new, isolated VPC over three AZs with interface endpoints and full flow logs kept a year. */
export const NETWORK_DEFAULTS: NewVpcSettings = {
    mode: "new",
    vpcCidr: "10.40.0.0/16",
    azCount: 3,
    allowedCidrs: [],
    dbPort: 5432,
    flowLogsTrafficType: "ALL",
    flowLogsRetentionDays: 365,
    vpcEndpoints: true,
    transitGatewayId: "",
    vpcPeeringConnectionId: "",
};

/** PostgreSQL 17 on db.r7g.large, a writer and two readers, 30-day backups, deletion protection, audited. */
export const CLUSTER_DEFAULTS: ClusterSettings = {
    engineVersion: "17",
    allowMajorVersionUpgrade: false,
    extendedSupport: false,
    instanceClass: "db.r7g.large",
    readerCount: 2,
    instanceClassOverrides: {},
    serverless: { minCapacity: 0.5, maxCapacity: 16, secondsUntilAutoPause: 300 },
    readerAutoScaling: {
        maxReaders: 0,
        metric: "RDSReaderAverageCPUUtilization",
        targetValue: 60,
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 300,
    },
    databaseName: "app",
    masterUsername: "dbadmin",
    masterPassword: "managed",
    blueGreenTargetEngineVersion: "",
    backupRetentionDays: 30,
    backupWindow: "02:00-03:00",
    maintenanceWindow: "sun:04:00-sun:05:00",
    deletionProtection: true,
    applyImmediately: false,
    storageType: "aurora",
    performanceInsightsRetentionDays: 7,
    databaseInsightsMode: "standard",
    monitoringIntervalSeconds: 15,
    logRetentionDays: 365,
    activityStream: true,
    activityStreamMode: "async",
    iamAdminDbUser: "iam_admin",
    iamAdminRoleName: "",
    clusterParameters: {},
    instanceParameters: {},
    maxConnections: 0,
    caCertificate: "rds-ca-rsa2048-g1",
};

/** One readwrite application user behind an IAM-authenticated proxy; every secret rotates every 30 days. */
export const SECRETS_DEFAULTS: SecretsSettings = {
    masterRotationDays: 30,
    appUsers: [{ name: "app", access: "readwrite" }],
    appRotationDays: 30,
    proxy: {
        enabled: true,
        iamAuth: true,
        idleClientTimeoutSeconds: 1800,
        maxConnectionsPercent: 75,
        maxIdleConnectionsPercent: 50,
        borrowTimeoutSeconds: 120,
    },
};

/** Thresholds explained in docs/performance-baseline.md; no subscribers until the caller names them. */
export const ALARM_DEFAULTS: AlarmSettings = {
    alarmEmails: [],
    alarmHttpsEndpoints: [],
    cpuAlarmPercent: 80,
    cpuAlarmPeriods: 2,
    connectionsAlarmPercent: 80,
    freeableMemoryAlarmPercent: 10,
    freeLocalStorageAlarmPercent: 10,
    replicaLagAlarmMs: 1000,
    drLagAlarmMs: 10000,
    deadlockAlarmMinutes: 5,
    xidWarningThreshold: 1_000_000_000,
    xidCriticalThreshold: 1_500_000_000,
    acuUtilizationAlarmPercent: 90,
    runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL,
};

/** AWS Backup: continuous backup kept 35 days, copied daily to eu-central-1 and kept 35 days there. */
export const BACKUP_DEFAULTS: Omit<BackupSettings, "enabled"> = {
    drRegion: "eu-central-1",
    schedule: "cron(30 5 * * ? *)",
    retentionDays: 35,
    drRetentionDays: 35,
    vaultLock: false,
};

/** The secondary of a global database: in the backup copies' region, a 10.41.0.0/16 VPC over three AZs, two instances. */
export const GLOBAL_DATABASE_DEFAULTS: GlobalDatabaseSettings = {
    region: BACKUP_DEFAULTS.drRegion,
    vpcCidr: "10.41.0.0/16",
    azCount: NETWORK_DEFAULTS.azCount,
    instanceCount: 2,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `given` over `defaults`; a nested object (serverless, proxy) is merged one level deep, arrays and records given replace. */
export function withDefaults<T extends object>(defaults: T, given: PartialSettings<T> | undefined): T {
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [key, value] of Object.entries(given ?? {})) {
        if (value === undefined) continue;
        const base = (defaults as Record<string, unknown>)[key];
        // Records such as clusterParameters default to {} and are replaced; structured settings are merged.
        merged[key] = isPlainObject(base) && Object.keys(base).length > 0 && isPlainObject(value) ? { ...base, ...value } : value;
    }
    return merged as T;
}

/**
 * The network with its defaults: an existing VPC takes the settings both kinds share (port, flow
 * logs, endpoints, allowed CIDRs); anything else is a new VPC.
 */
export function networkWithDefaults(given: PartialSettings<NetworkSettings> | undefined): NetworkSettings {
    if (given?.mode === "existing") {
        const {
            mode: _mode,
            vpcCidr: _cidr,
            azCount: _azs,
            transitGatewayId: _tgw,
            vpcPeeringConnectionId: _pcx,
            ...shared
        } = NETWORK_DEFAULTS;
        return withDefaults(
            { ...shared, mode: "existing", existingVpcId: "", existingDbSubnetIds: [], appSecurityGroupIds: [] } as ExistingVpcSettings,
            given as PartialSettings<ExistingVpcSettings>,
        );
    }
    return withDefaults(NETWORK_DEFAULTS, given as PartialSettings<NewVpcSettings> | undefined);
}
