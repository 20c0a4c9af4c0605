/**
 * Loads every `aurora:*` key into one typed, validated `StackConfig` before any resource is declared.
 * Bad values are collected and reported together; each line names the key, the bad value and what
 * is allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlarmSettings, validateAlarmSettings } from "../components/alarm-settings";
import { BackupSettings, checkScheduleOutsideWindows, validateBackupSettings } from "../components/backup";
import { ClusterSettings, canAutoPause, validateClusterSettings } from "../components/cluster-settings";
import { GLOBAL_DATABASE_DEFAULTS } from "../components/defaults";
import {
    DR_MODES,
    GlobalDatabaseSettings,
    SECONDARY_INSTANCE_RANGE,
    mirroredAzCount,
    secondaryClusterSettings,
    validateGlobalDatabaseSettings,
} from "../components/global-database";
import { NetworkSettings, reachesAwsApisPrivately, validateNetworkSettings } from "../components/network";
import { parseParameterOverrides } from "../components/parameters";
import { SecretsSettings, parseAppUsers, validateSecretsSettings } from "../components/secrets-settings";
import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigKeySpec, specOf } from "./schema";
import { Problems, checkIdentifier, checkIntegerRange, checkNonEmpty, checkOneOf } from "../components/validation";

export const ENVIRONMENTS = ["dev", "test", "qa", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export type DrMode = (typeof DR_MODES)[number];

/** The tags every taggable resource carries (ManagedBy is added here, not configured). */
export const REQUIRED_TAGS = ["Environment", "Application", "Team", "CostCenter", "ManagedBy"] as const;

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly environment: Environment;
    /** True for `prod`: deletion protection, resource protection and the other guard rails are mandatory. */
    readonly isProduction: boolean;
    /** `<project>-<stack>`: the prefix of every physical name, validated as an AWS identifier. */
    readonly namePrefix: string;
    readonly tags: Readonly<Record<string, string>>;
    readonly protectResources: boolean;
    readonly network: NetworkSettings;
    readonly cluster: ClusterSettings;
    readonly secrets: SecretsSettings;
    /** Cross-region backup for disaster recovery. */
    readonly backup: BackupSettings;
    /** `aurora:drMode`: the backup copy alone, or an Aurora Global Database too. */
    readonly drMode: DrMode;
    /** The global database's secondary, with `drMode: global-database` (undefined otherwise). */
    readonly globalDatabase: GlobalDatabaseSettings | undefined;
    /** Alert topic subscriptions and alarm thresholds (REQ-006, performance baseline). */
    readonly alarms: AlarmSettings;
    /** The opt-in Session Manager access path for operators. */
    readonly operatorAccess: { readonly enabled: boolean; readonly createEndpoints: boolean };
}

/** Thrown for invalid stack configuration; a RunError, so Pulumi prints the message without a stack trace. */
export class ConfigValidationError extends pulumi.RunError {
    constructor(
        readonly problems: readonly string[],
        message: string,
    ) {
        super(message);
    }
}

/** Reads raw string values (as the Pulumi CLI passes them) into typed values, collecting type errors. */
class RawReader {
    constructor(
        private readonly raw: Readonly<Record<string, string>>,
        readonly problems: Problems,
    ) {}

    private value(spec: ConfigKeySpec): { text: string | undefined; name: string } {
        const name = `${CONFIG_NAMESPACE}:${spec.key}`;
        const text = this.raw[name];
        if (text === undefined && spec.default === undefined) {
            this.problems.add(`${name} is required: ${spec.description}`);
        }
        return { text, name };
    }

    string(key: string): string {
        const spec = specOf(key);
        const { text } = this.value(spec);
        return text ?? (spec.default as string | undefined) ?? "";
    }

    integer(key: string): number {
        const spec = specOf(key);
        const { text, name } = this.value(spec);
        if (text === undefined) {
            return spec.default as number;
        }
        const parsed = Number(text);
        if (!/^-?\d+$/.test(text.trim())) {
            this.problems.check(name, text, "must be a whole number");
        }
        return parsed;
    }

    boolean(key: string): boolean {
        const spec = specOf(key);
        const { text, name } = this.value(spec);
        if (text === undefined) {
            return spec.default as boolean;
        }
        this.problems.check(name, text, checkOneOf(text, ["true", "false"]));
        return text === "true";
    }

    array(key: string): string[] {
        const spec = specOf(key);
        const { text, name } = this.value(spec);
        if (text === undefined) {
            return [...(spec.default as string[])];
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== "string")) {
            this.problems.check(name, text, "must be a list of strings");
            return [];
        }
        return parsed;
    }
}

/**
 * The components' validators name their own fields; where a field's `aurora:*` key is spelled
 * differently, config errors name the key through this table.
 */
const KEY_OF_FIELD: Readonly<Record<string, string>> = {
    schedule: "backupSchedule",
    retentionDays: "backupPlanRetentionDays",
    drRetentionDays: "drCopyRetentionDays",
    vaultLock: "backupVaultLock",
    "serverless.minCapacity": "serverlessMinCapacity",
    "serverless.maxCapacity": "serverlessMaxCapacity",
    "serverless.secondsUntilAutoPause": "serverlessAutoPauseSeconds",
    "readerAutoScaling.maxReaders": "readerAutoScalingMaxReaders",
    "readerAutoScaling.metric": "readerAutoScalingMetric",
    "readerAutoScaling.targetValue": "readerAutoScalingTarget",
    "readerAutoScaling.scaleInCooldownSeconds": "readerAutoScalingScaleInCooldownSeconds",
    "readerAutoScaling.scaleOutCooldownSeconds": "readerAutoScalingScaleOutCooldownSeconds",
    "proxy.enabled": "proxy",
    "proxy.iamAuth": "proxyIamAuth",
    "proxy.idleClientTimeoutSeconds": "proxyIdleClientTimeoutSeconds",
    "proxy.maxConnectionsPercent": "proxyMaxConnectionsPercent",
    "proxy.maxIdleConnectionsPercent": "proxyMaxIdleConnectionsPercent",
    "proxy.borrowTimeoutSeconds": "proxyBorrowTimeoutSeconds",
};

/** `aurora:<key>` for a key, or for a component field (its key, where the names differ). */
export function keyName(fieldOrKey: string): string {
    return `${CONFIG_NAMESPACE}:${KEY_OF_FIELD[fieldOrKey] ?? fieldOrKey}`;
}

function suggestion(unknownKey: string): string {
    const lower = unknownKey.toLowerCase();
    const close = CONFIG_KEYS.find((s) => s.key.toLowerCase() === lower || lower.startsWith(s.key.toLowerCase().slice(0, 6)));
    return close ? ` (did you mean ${keyName(close.key)}?)` : "";
}

function parseTags(reader: RawReader, environment: string): Record<string, string> {
    const problems = reader.problems;
    const tags: Record<string, string> = {};
    for (const entry of reader.array("extraTags")) {
        const eq = entry.indexOf("=");
        const tagKey = eq > 0 ? entry.slice(0, eq).trim() : "";
        if (tagKey === "" || eq === entry.length - 1) {
            problems.check(keyName("extraTags"), entry, "each entry must be Key=Value with a non-empty key and value");
        } else if (tagKey.toLowerCase().startsWith("aws:") || (REQUIRED_TAGS as readonly string[]).includes(tagKey)) {
            problems.check(
                keyName("extraTags"),
                entry,
                `must not set the reserved 'aws:' prefix or a required tag (${REQUIRED_TAGS.join(", ")}); set those through their own keys`,
            );
        } else {
            tags[tagKey] = entry.slice(eq + 1).trim();
        }
    }
    const application = reader.string("application");
    const team = reader.string("team");
    const costCenter = reader.string("costCenter");
    problems.check(keyName("application"), application, checkNonEmpty(application));
    problems.check(keyName("team"), team, checkNonEmpty(team));
    problems.check(keyName("costCenter"), costCenter, checkNonEmpty(costCenter));
    return { ...tags, Environment: environment, Application: application, Team: team, CostCenter: costCenter, ManagedBy: "pulumi" };
}

function parseNetwork(reader: RawReader): NetworkSettings {
    const problems = reader.problems;
    const vpcCidr = reader.string("vpcCidr");
    const azCount = reader.integer("azCount");
    const existingVpcId = reader.string("existingVpcId");
    const existingDbSubnetIds = reader.array("existingDbSubnetIds");
    const appSecurityGroupIds = reader.array("appSecurityGroupIds");
    const allowedCidrs = reader.array("allowedCidrs");
    const dbPort = reader.integer("dbPort");
    const flowLogsTrafficType = reader.string("flowLogsTrafficType") as NetworkSettings["flowLogsTrafficType"];
    const flowLogsRetentionDays = reader.integer("flowLogsRetentionDays");
    const transitGatewayId = reader.string("transitGatewayId");
    const vpcPeeringConnectionId = reader.string("vpcPeeringConnectionId");
    const shared = { allowedCidrs, dbPort, flowLogsTrafficType, flowLogsRetentionDays, vpcEndpoints: reader.boolean("vpcEndpoints") };
    const mode = existingVpcId === "" ? "new" : "existing";
    // The keys of the other kind of VPC are checked too, so that a stack file setting them hears why they
    // do not apply (vpcCidr and azCount have defaults, so with an existing VPC they are simply unused).
    const everyKey = {
        mode,
        vpcCidr,
        azCount,
        existingVpcId,
        existingDbSubnetIds,
        appSecurityGroupIds,
        transitGatewayId,
        vpcPeeringConnectionId,
        ...shared,
    };
    validateNetworkSettings(everyKey as NetworkSettings, problems, keyName);
    return mode === "new"
        ? { mode, vpcCidr, azCount, transitGatewayId, vpcPeeringConnectionId, ...shared }
        : { mode, existingVpcId, existingDbSubnetIds, appSecurityGroupIds, ...shared };
}

function parseAcu(reader: RawReader, key: string): number {
    const text = reader.string(key);
    const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(value)) {
        reader.problems.check(keyName(key), text, "must be a number of ACU such as 0.5 or 16");
    }
    return value;
}

function parseClassOverrides(reader: RawReader): Record<string, string> {
    const overrides: Record<string, string> = {};
    for (const entry of reader.array("instanceClassOverrides")) {
        const match = /^(instance-\d+)=(db\.[a-z0-9.]+)$/.exec(entry);
        if (match) {
            overrides[match[1]] = match[2];
        } else {
            reader.problems.check(
                keyName("instanceClassOverrides"),
                entry,
                "each entry must be instance-N=class, e.g. instance-2=db.r7g.xlarge",
            );
        }
    }
    return overrides;
}

function parseCluster(reader: RawReader, context: { region: string; isProduction: boolean }): ClusterSettings {
    const problems = reader.problems;
    const settings: ClusterSettings = {
        engineVersion: reader.string("engineVersion"),
        allowMajorVersionUpgrade: reader.boolean("allowMajorVersionUpgrade"),
        extendedSupport: reader.boolean("extendedSupport"),
        instanceClass: reader.string("instanceClass"),
        readerCount: reader.integer("readerCount"),
        instanceClassOverrides: parseClassOverrides(reader),
        serverless: {
            minCapacity: parseAcu(reader, "serverlessMinCapacity"),
            maxCapacity: parseAcu(reader, "serverlessMaxCapacity"),
            secondsUntilAutoPause: reader.integer("serverlessAutoPauseSeconds"),
        },
        readerAutoScaling: {
            maxReaders: reader.integer("readerAutoScalingMaxReaders"),
            metric: reader.string("readerAutoScalingMetric"),
            targetValue: reader.integer("readerAutoScalingTarget"),
            scaleInCooldownSeconds: reader.integer("readerAutoScalingScaleInCooldownSeconds"),
            scaleOutCooldownSeconds: reader.integer("readerAutoScalingScaleOutCooldownSeconds"),
        },
        databaseName: reader.string("databaseName"),
        masterUsername: reader.string("masterUsername"),
        masterPassword: reader.string("masterPassword"),
        blueGreenTargetEngineVersion: reader.string("blueGreenTargetEngineVersion"),
        backupRetentionDays: reader.integer("backupRetentionDays"),
        backupWindow: reader.string("backupWindow"),
        maintenanceWindow: reader.string("maintenanceWindow"),
        deletionProtection: reader.boolean("deletionProtection"),
        applyImmediately: reader.boolean("applyImmediately"),
        storageType: reader.string("storageType"),
        performanceInsightsRetentionDays: reader.integer("performanceInsightsRetentionDays"),
        databaseInsightsMode: reader.string("databaseInsightsMode"),
        monitoringIntervalSeconds: reader.integer("monitoringIntervalSeconds"),
        logRetentionDays: reader.integer("logRetentionDays"),
        activityStream: reader.boolean("activityStream"),
        activityStreamMode: reader.string("activityStreamMode"),
        iamAdminDbUser: reader.string("iamAdminDbUser"),
        iamAdminRoleName: reader.string("iamAdminRoleName"),
        clusterParameters: parseParameterOverrides(reader.array("clusterParameters"), keyName("clusterParameters"), "cluster", problems),
        instanceParameters: parseParameterOverrides(
            reader.array("instanceParameters"),
            keyName("instanceParameters"),
            "instance",
            problems,
        ),
        maxConnections: reader.integer("maxConnections"),
        caCertificate: reader.string("caCertificate"),
    };
    validateClusterSettings(settings, problems, keyName, context);
    return settings;
}

function parseAlarms(reader: RawReader, isProduction: boolean): AlarmSettings {
    const settings: AlarmSettings = {
        alarmEmails: reader.array("alarmEmails"),
        alarmHttpsEndpoints: reader.array("alarmHttpsEndpoints"),
        cpuAlarmPercent: reader.integer("cpuAlarmPercent"),
        cpuAlarmPeriods: reader.integer("cpuAlarmPeriods"),
        connectionsAlarmPercent: reader.integer("connectionsAlarmPercent"),
        freeableMemoryAlarmPercent: reader.integer("freeableMemoryAlarmPercent"),
        freeLocalStorageAlarmPercent: reader.integer("freeLocalStorageAlarmPercent"),
        replicaLagAlarmMs: reader.integer("replicaLagAlarmMs"),
        drLagAlarmMs: reader.integer("drLagAlarmMs"),
        deadlockAlarmMinutes: reader.integer("deadlockAlarmMinutes"),
        xidWarningThreshold: reader.integer("xidWarningThreshold"),
        xidCriticalThreshold: reader.integer("xidCriticalThreshold"),
        acuUtilizationAlarmPercent: reader.integer("acuUtilizationAlarmPercent"),
        runbookBaseUrl: reader.string("runbookBaseUrl"),
    };
    validateAlarmSettings(settings, reader.problems, keyName);
    if (isProduction && settings.alarmEmails.length + settings.alarmHttpsEndpoints.length === 0) {
        reader.problems.add(
            `${keyName("alarmEmails")} and ${keyName("alarmHttpsEndpoints")} are both empty: ` +
                `in prod the alarms and RDS events must reach someone (an on-call address or a paging webhook)`,
        );
    }
    return settings;
}

function parseSecrets(reader: RawReader, cluster: ClusterSettings, network: NetworkSettings): SecretsSettings {
    const settings: SecretsSettings = {
        masterRotationDays: reader.integer("masterRotationDays"),
        appUsers: parseAppUsers(reader.array("appUsers"), keyName("appUsers"), reader.problems),
        appRotationDays: reader.integer("appRotationDays"),
        proxy: {
            enabled: reader.boolean("proxy"),
            iamAuth: reader.boolean("proxyIamAuth"),
            idleClientTimeoutSeconds: reader.integer("proxyIdleClientTimeoutSeconds"),
            maxConnectionsPercent: reader.integer("proxyMaxConnectionsPercent"),
            maxIdleConnectionsPercent: reader.integer("proxyMaxIdleConnectionsPercent"),
            borrowTimeoutSeconds: reader.integer("proxyBorrowTimeoutSeconds"),
        },
    };
    validateSecretsSettings(settings, reader.problems, keyName, {
        masterUsername: cluster.masterUsername,
        iamAdminDbUser: cluster.iamAdminDbUser,
        autoPause: canAutoPause(cluster),
        privateApiAccess: reachesAwsApisPrivately(network),
        blueGreenTarget: cluster.blueGreenTargetEngineVersion !== "",
        ownMasterSecret: cluster.masterPassword === "secret",
    });
    return settings;
}

/** The `aurora:*` keys of the global database's fields, which are named after the secondary's own settings. */
const GLOBAL_DATABASE_KEYS: Readonly<Record<string, string>> = {
    region: "drRegion",
    vpcCidr: "drVpcCidr",
    instanceCount: "drInstanceCount",
};

function parseGlobalDatabase(
    reader: RawReader,
    context: { region: string; namePrefix: string; isProduction: boolean; network: NetworkSettings; cluster: ClusterSettings },
): { drMode: DrMode; globalDatabase: GlobalDatabaseSettings | undefined } {
    const drMode = reader.string("drMode") as DrMode;
    reader.problems.check(keyName("drMode"), drMode, checkOneOf(drMode, DR_MODES));
    const settings: GlobalDatabaseSettings = {
        region: reader.string("drRegion"),
        vpcCidr: reader.string("drVpcCidr"),
        azCount: mirroredAzCount(context.network, GLOBAL_DATABASE_DEFAULTS.azCount),
        instanceCount: reader.integer("drInstanceCount"),
    };
    const name = (field: string) => keyName(GLOBAL_DATABASE_KEYS[field] ?? field);
    // The rules against the primary only when used: the secondary's CIDR default must not refuse a stack
    // whose own VPC took that range.
    if (drMode !== "global-database") {
        validateGlobalDatabaseSettings(settings, reader.problems, name);
        return { drMode, globalDatabase: undefined };
    }
    const network = context.network;
    validateGlobalDatabaseSettings(settings, reader.problems, name, {
        region: context.region,
        namePrefix: { name: "project and stack name", value: context.namePrefix },
        primaryVpc: network.mode === "new" ? { name: keyName("vpcCidr"), cidr: network.vpcCidr } : undefined,
        production: context.isProduction ? `${keyName("environment")} = prod` : undefined,
        primary: { settings: context.cluster, name: keyName, requirer: `${keyName("drMode")} = global-database` },
    });
    // The secondary cluster, in its own region: classes offered there, and every cluster rule with its
    // settings (an instance count out of range is reported above, not as a reader count).
    if (checkIntegerRange(settings.instanceCount, SECONDARY_INSTANCE_RANGE.min, SECONDARY_INSTANCE_RANGE.max) === undefined) {
        validateClusterSettings(secondaryClusterSettings(context.cluster, settings.instanceCount), reader.problems, keyName, {
            region: settings.region,
            isProduction: context.isProduction,
            globalSecondary: true,
        });
    }
    return { drMode, globalDatabase: settings };
}

function parseBackup(reader: RawReader, region: string): BackupSettings {
    const settings: BackupSettings = {
        enabled: reader.boolean("drBackup"),
        drRegion: reader.string("drRegion"),
        schedule: reader.string("backupSchedule"),
        retentionDays: reader.integer("backupPlanRetentionDays"),
        drRetentionDays: reader.integer("drCopyRetentionDays"),
        vaultLock: reader.boolean("backupVaultLock"),
    };
    validateBackupSettings(settings, reader.problems, keyName, { region });
    return settings;
}

/**
 * Parses and validates raw configuration (keys namespaced as `aurora:x` and `aws:region`, values as
 * the strings the Pulumi CLI passes). Pure: the unit tests call it directly.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, context: { project: string; stack: string }): StackConfig {
    const problems = new Problems();
    const reader = new RawReader(raw, problems);

    for (const name of Object.keys(raw)) {
        const [namespace, key] = name.split(":");
        if (namespace === CONFIG_NAMESPACE && !CONFIG_KEYS.some((s) => s.key === key)) {
            problems.add(`${name} is not a known key${suggestion(key)}; see the README's configuration table`);
        }
    }

    const region = raw["aws:region"] ?? "";
    problems.check(
        "aws:region",
        region,
        /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region) ? undefined : "must be set to an AWS region such as eu-west-1",
    );

    const environment = reader.string("environment") as Environment;
    if (raw[keyName("environment")] !== undefined) {
        problems.check(keyName("environment"), environment, checkOneOf(environment, ENVIRONMENTS));
    }
    const isProduction = environment === "prod";
    const namePrefix = `${context.project}-${context.stack}`;
    // 40 characters leaves room for the longest suffix we append (e.g. "-final-<date>-<hash>" on snapshots).
    problems.check("project and stack name", namePrefix, checkIdentifier(namePrefix, 40));

    const tags = parseTags(reader, environment);
    const protectResources = reader.boolean("protectResources");
    if (isProduction && !protectResources) {
        problems.check(
            keyName("protectResources"),
            protectResources,
            "must be true in prod: the cluster and KMS keys carry Pulumi's protect option there",
        );
    }
    const network = parseNetwork(reader);
    const cluster = parseCluster(reader, { region, isProduction });
    const secrets = parseSecrets(reader, cluster, network);
    const backup = parseBackup(reader, region);
    const { drMode, globalDatabase } = parseGlobalDatabase(reader, { region, namePrefix, isProduction, network, cluster });
    if (backup.enabled) {
        checkScheduleOutsideWindows(backup.schedule, cluster, problems, keyName);
    }
    const alarms = parseAlarms(reader, isProduction);
    const operatorAccess = { enabled: reader.boolean("operatorAccess"), createEndpoints: reader.boolean("operatorAccessEndpoints") };
    if (operatorAccess.enabled && !operatorAccess.createEndpoints && network.mode !== "existing") {
        reader.problems.check(
            keyName("operatorAccessEndpoints"),
            false,
            `a new VPC has no other way to reach Session Manager; only with ${keyName("existingVpcId")} may a hub provide the endpoints`,
        );
    }

    const message = problems.message(
        `Invalid configuration for stack '${context.stack}' (${problems.list.length} problem${problems.list.length === 1 ? "" : "s"}):`,
    );
    if (message !== undefined) {
        throw new ConfigValidationError(problems.list, message);
    }
    return {
        project: context.project,
        stack: context.stack,
        region,
        environment,
        isProduction,
        namePrefix,
        tags,
        protectResources,
        network,
        cluster,
        secrets,
        backup,
        drMode,
        globalDatabase,
        alarms,
        operatorAccess,
    };
}

/** Loads the running stack's configuration (what `index.ts` calls first). */
export function loadConfig(): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() });
}
