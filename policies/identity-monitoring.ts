/**
 * REQ-001, REQ-004, REQ-006, REQ-009, REQ-010: identity (IAM auth, managed credentials, rotation) and
 * observability (enhanced monitoring, Performance Insights, logs, activity streams, alarms, multi-AZ).
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, StackValidationArgs, validateResourceOfType } from "@pulumi/policy";
import {
    GuardrailPolicy,
    ProductionConfig,
    dependsOn,
    identifiersOf,
    isProduction,
    isSetOrUnknown,
    isUnknown,
    productionSchema,
    read,
    refersTo,
    resourcePolicy,
    stackPolicy,
} from "./util";

const FRAMEWORKS = ["HIPAA", "PCI DSS"];

export const clusterIamAuth = resourcePolicy({
    name: "rds-cluster-iam-authentication",
    description: "RDS/Aurora clusters must enable IAM database authentication.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set iamDatabaseAuthenticationEnabled: true and grant rds-db:connect " +
        "on the cluster resource id to the roles that administer the database.",
    anchors: {
        requirements: ["REQ-009"],
        securityHub: ["RDS.12"],
        awsConfig: ["rds-cluster-iam-authentication-enabled"],
        checkov: ["CKV_AWS_162"],
        frameworks: ["PCI DSS"],
    },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
        if (cluster.iamDatabaseAuthenticationEnabled !== true) {
            report("IAM database authentication is not enabled: set iamDatabaseAuthenticationEnabled to true.");
        }
    }),
});

export const clusterManagedMasterPassword = resourcePolicy({
    name: "rds-cluster-managed-master-password",
    description:
        "RDS/Aurora master passwords must never be a plaintext input: managed by RDS in Secrets Manager, " +
        "or write-only (masterPasswordWo, which the provider never stores) from a secret the stack rotates; " +
        "a Global Database secondary has none.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Remove masterPassword; set manageMasterUserPassword: true (with masterUserSecretKmsKeyId), or, where RDS-managed " +
        "passwords are unsupported (Global Database, Blue/Green), masterPasswordWo from a generated secret with a rotation.",
    anchors: { requirements: ["REQ-004"], securityHub: [], awsConfig: [], checkov: [], frameworks: ["PCI DSS"] },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
        if (cluster.masterPassword !== undefined && cluster.masterPassword !== "") {
            report("Cluster sets a plaintext masterPassword: remove it and set manageMasterUserPassword to true.");
        }
        const writeOnly = read(cluster, "masterPasswordWo");
        // A Global Database secondary has the primary's users and no credentials of its own: AWS refuses a
        // master user or password for it (terraform-provider-aws resourceClusterCreate).
        const globalSecondary =
            isSetOrUnknown(read(cluster, "globalClusterIdentifier")) && !isSetOrUnknown(read(cluster, "masterUsername"));
        if (!globalSecondary && cluster.manageMasterUserPassword !== true && (writeOnly === undefined || writeOnly === "")) {
            report(
                "Cluster master password is not managed by RDS in Secrets Manager: set manageMasterUserPassword to true " +
                    "(or masterPasswordWo from a secret the stack rotates).",
            );
        }
    }),
});

const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];

export const instanceEnhancedMonitoring = resourcePolicy({
    name: "rds-instance-enhanced-monitoring",
    description: "Every Aurora cluster instance must have Enhanced Monitoring with its IAM role.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set monitoringInterval to one of 1, 5, 10, 15, 30, 60 and monitoringRoleArn to a role with AmazonRDSEnhancedMonitoringRole.",
    anchors: {
        requirements: ["REQ-006"],
        securityHub: ["RDS.6"],
        awsConfig: ["rds-enhanced-monitoring-enabled"],
        checkov: ["CKV_AWS_118"],
        frameworks: ["HIPAA"],
    },
    validateResource: validateResourceOfType(aws.rds.ClusterInstance, (instance, _args, report) => {
        const interval = instance.monitoringInterval ?? 0;
        if (!MONITORING_INTERVALS.includes(interval)) {
            report(
                `Enhanced Monitoring is off or invalid (monitoringInterval ${interval}): ` +
                    `set monitoringInterval to one of ${MONITORING_INTERVALS.join(", ")}.`,
            );
        }
        if (!isSetOrUnknown(read(instance, "monitoringRoleArn"))) {
            report("Enhanced Monitoring has no IAM role: set monitoringRoleArn.");
        }
    }),
});

export const instancePerformanceInsights = resourcePolicy({
    name: "rds-instance-performance-insights",
    description: "Every Aurora cluster instance must have Performance Insights enabled.",
    enforcementLevel: "mandatory",
    severity: "low",
    remediationSteps: "Set performanceInsightsEnabled: true and performanceInsightsKmsKeyId on each aws.rds.ClusterInstance.",
    anchors: { requirements: ["REQ-006"], securityHub: [], awsConfig: [], checkov: ["CKV_AWS_353"], frameworks: [] },
    validateResource: validateResourceOfType(aws.rds.ClusterInstance, (instance, _args, report) => {
        if (instance.performanceInsightsEnabled !== true) {
            report("Performance Insights is not enabled: set performanceInsightsEnabled to true.");
        }
    }),
});

export const postgresLogExports = resourcePolicy({
    name: "aurora-postgresql-log-exports",
    description: "Aurora PostgreSQL clusters must export the postgresql log to CloudWatch Logs.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Add 'postgresql' to enabledCloudwatchLogsExports, " +
        "and pre-create the /aws/rds/cluster/<id>/postgresql log group with a KMS key and retention.",
    anchors: {
        requirements: ["REQ-006"],
        securityHub: ["RDS.37"],
        awsConfig: ["rds-aurora-postgresql-logs-to-cloudwatch"],
        checkov: ["CKV_AWS_324"],
        frameworks: FRAMEWORKS,
    },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
        if (cluster.engine !== "aurora-postgresql") {
            args.notApplicable("Only aurora-postgresql clusters are checked");
        }
        if (!(cluster.enabledCloudwatchLogsExports ?? []).includes("postgresql")) {
            report("PostgreSQL logs are not exported to CloudWatch Logs: add 'postgresql' to enabledCloudwatchLogsExports.");
        }
    }),
});

export const logGroupRetention = resourcePolicy({
    name: "cloudwatch-log-group-retention",
    description:
        "CloudWatch log groups must keep logs for at least the configured number of days (no retention = never expire, which passes).",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        "Set retentionInDays on the aws.cloudwatch.LogGroup to at least the configured minimum (or leave it unset to never expire).",
    anchors: {
        requirements: ["REQ-006"],
        securityHub: ["CloudWatch.16"],
        awsConfig: ["cw-loggroup-retention-period-check"],
        checkov: ["CKV_AWS_66", "CKV_AWS_338"],
        frameworks: ["PCI DSS", "HIPAA"],
    },
    configSchema: {
        properties: {
            minimumRetentionDays: {
                type: "integer",
                minimum: 1,
                default: 90,
                description: "Smallest allowed retentionInDays; unset or 0 (never expire) always passes.",
            },
        },
    },
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, report) => {
        const { minimumRetentionDays } = args.getConfig<{ minimumRetentionDays: number }>();
        const days = group.retentionInDays ?? 0;
        if (days !== 0 && days < minimumRetentionDays) {
            report(`Log group keeps logs for ${days} days; the minimum is ${minimumRetentionDays}: raise retentionInDays.`);
        }
    }),
});

export const instanceAutoMinorVersionUpgrade = resourcePolicy({
    name: "rds-instance-auto-minor-version-upgrade",
    description: "Aurora cluster instances should take minor engine upgrades (security patches) automatically.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Remove autoMinorVersionUpgrade: false from the aws.rds.ClusterInstance (the default is true).",
    anchors: {
        requirements: ["REQ-007"],
        securityHub: ["RDS.13"],
        awsConfig: ["rds-automatic-minor-version-upgrade-enabled"],
        checkov: ["CKV_AWS_226"],
        frameworks: ["PCI DSS", "HIPAA"],
    },
    validateResource: validateResourceOfType(aws.rds.ClusterInstance, (instance, _args, report) => {
        if (instance.autoMinorVersionUpgrade === false) {
            report("Automatic minor version upgrades are disabled: remove autoMinorVersionUpgrade: false.");
        }
    }),
});

/** The rotation interval in days of a SecretRotation's rotationRules; 0 for cron schedules (accepted), undefined when absent. */
export function rotationIntervalDays(rules: unknown): number | undefined {
    const r = (rules ?? {}) as { automaticallyAfterDays?: number; scheduleExpression?: string };
    if (typeof r.automaticallyAfterDays === "number") {
        return r.automaticallyAfterDays;
    }
    const expr = (r.scheduleExpression ?? "").trim();
    const rate = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/.exec(expr);
    if (rate) {
        return rate[2].startsWith("hour") ? Number(rate[1]) / 24 : Number(rate[1]);
    }
    return expr.startsWith("cron(") ? 0 : undefined;
}

/** RDS rotates the master user secrets it manages every 7 days unless a SecretRotation says otherwise. */
export const RDS_MANAGED_ROTATION_DAYS = 7;

function checkRotations(what: string, rotations: PolicyResource[], maximumDays: number, urn: string, report: ReportViolation): void {
    if (rotations.length === 0) {
        report(`${what} has no aws.secretsmanager.SecretRotation.`, urn);
        return;
    }
    const intervals = rotations.map((r) => rotationIntervalDays(read(r.props, "rotationRules")));
    if (!intervals.some((d) => d !== undefined && d <= maximumDays)) {
        report(`${what} is rotated every ${intervals.map((d) => d ?? "unknown").join("/")} days; the maximum is ${maximumDays}.`, urn);
    }
}

export const secretsRotation = stackPolicy({
    name: "secrets-rotation-enabled",
    description:
        "Every Secrets Manager secret, and every RDS-managed master user secret, " +
        "must be rotated automatically within the configured interval.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add an aws.secretsmanager.SecretRotation for each secret (secretId = the secret's ARN; " +
        "for an RDS-managed master secret, the cluster's masterUserSecrets[0].secretArn) " +
        "with rotationRules.automaticallyAfterDays <= the maximum or a rate()/cron() scheduleExpression.",
    anchors: {
        requirements: ["REQ-004"],
        securityHub: ["SecretsManager.1", "SecretsManager.4"],
        awsConfig: ["secretsmanager-rotation-enabled-check", "secretsmanager-secret-periodic-rotation"],
        checkov: ["CKV2_AWS_57", "CKV_AWS_304"],
        frameworks: FRAMEWORKS,
    },
    configSchema: {
        properties: {
            maximumRotationDays: {
                type: "integer",
                minimum: 1,
                maximum: 365,
                default: 90,
                description: "Longest allowed rotation interval in days.",
            },
        },
    },
    validateStack: (args, report) => {
        const { maximumRotationDays } = args.getConfig<{ maximumRotationDays: number }>();
        const rotations = args.resources.filter((r) => r.isType(aws.secretsmanager.SecretRotation));
        for (const secret of args.resources.filter((r) => r.isType(aws.secretsmanager.Secret))) {
            const ids = identifiersOf(secret, "name");
            checkRotations(
                `Secret '${secret.name}'`,
                rotations.filter((r) => refersTo(r, "secretId", secret, ids)),
                maximumRotationDays,
                secret.urn,
                report,
            );
        }
        for (const cluster of args.resources.filter(
            (r) => r.isType(aws.rds.Cluster) && read(r.props, "manageMasterUserPassword") === true,
        )) {
            const secrets = read(cluster.props, "masterUserSecrets");
            const secretArns = (Array.isArray(secrets) ? (secrets as Array<{ secretArn?: string }>) : [])
                .map((s) => s.secretArn)
                .filter((a) => a !== undefined && !isUnknown(a));
            const matching = rotations.filter((r) => secretArns.includes(read(r.props, "secretId")) || dependsOn(r, "secretId", cluster));
            const what = `The RDS-managed master user secret of cluster '${cluster.name}'`;
            if (matching.length > 0) {
                checkRotations(what, matching, maximumRotationDays, cluster.urn, report);
            } else if (RDS_MANAGED_ROTATION_DAYS > maximumRotationDays) {
                report(
                    `${what} is rotated by RDS every ${RDS_MANAGED_ROTATION_DAYS} days by default; ` +
                        `the maximum is ${maximumRotationDays}: add an aws.secretsmanager.SecretRotation.`,
                    cluster.urn,
                );
            }
        }
    },
});

/** Production clusters of the stack, with the instances that belong to them. */
function productionClusters(args: StackValidationArgs): Array<{ cluster: PolicyResource; instances: PolicyResource[] }> {
    const { productionEnvironments } = args.getConfig<ProductionConfig>();
    const instances = args.resources.filter((r) => r.isType(aws.rds.ClusterInstance));
    return args.resources
        .filter((r) => r.isType(aws.rds.Cluster) && isProduction(r.props, args.stackTags, productionEnvironments))
        .map((cluster) => {
            const ids = identifiersOf(cluster, "clusterIdentifier");
            return { cluster, instances: instances.filter((i) => refersTo(i, "clusterIdentifier", cluster, ids)) };
        });
}

export const clusterMultiAz = stackPolicy({
    name: "aurora-cluster-multi-az",
    description: "Production Aurora clusters must have at least two instances in distinct Availability Zones.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Declare a writer and at least one reader aws.rds.ClusterInstance with " +
        "clusterIdentifier set to the cluster, each with a different availabilityZone.",
    anchors: {
        requirements: ["REQ-001"],
        securityHub: ["RDS.15"],
        awsConfig: ["rds-cluster-multi-az-enabled"],
        checkov: [],
        frameworks: ["HIPAA"],
    },
    configSchema: { properties: { ...productionSchema } },
    validateStack: (args, report) => {
        for (const { cluster, instances } of productionClusters(args)) {
            const zones = new Set(
                instances.map((i) => read(i.props, "availabilityZone")).filter((z) => typeof z === "string" && z !== "" && !isUnknown(z)),
            );
            if (instances.length < 2 || zones.size < 2) {
                report(
                    `Production cluster '${cluster.name}' has ${instances.length} instance(s) ` +
                        `in ${zones.size} distinct Availability Zone(s); at least 2 of each are required.`,
                    cluster.urn,
                );
            }
        }
    },
});

export const clusterActivityStream = stackPolicy({
    name: "aurora-cluster-activity-stream",
    description: "Production Aurora clusters must have a Database Activity Stream.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Declare an aws.rds.ClusterActivityStream with resourceArn set to the cluster's ARN " +
        "and kmsKeyId set to a customer-managed key (requires a supported instance class).",
    anchors: { requirements: ["REQ-010"], securityHub: [], awsConfig: [], checkov: [], frameworks: [] },
    configSchema: { properties: { ...productionSchema } },
    validateStack: (args, report) => {
        const streams = args.resources.filter((r) => r.isType(aws.rds.ClusterActivityStream));
        for (const { cluster } of productionClusters(args)) {
            if (!streams.some((s) => refersTo(s, "resourceArn", cluster))) {
                report(`Production cluster '${cluster.name}' has no aws.rds.ClusterActivityStream.`, cluster.urn);
            }
        }
    },
});

/** Every DBClusterIdentifier / DBInstanceIdentifier dimension value of an alarm (plain or metric-math). */
function alarmDimensions(alarm: PolicyResource): Array<[string, unknown]> {
    const queries = read(alarm.props, "metricQueries");
    const sets = [
        read(alarm.props, "dimensions"),
        ...(Array.isArray(queries) ? (queries as Array<{ metric?: { dimensions?: unknown } }>) : []).map((q) => q.metric?.dimensions),
    ];
    return sets.flatMap((d) => (d !== null && typeof d === "object" ? Object.entries(d as Record<string, unknown>) : []));
}

/**
 * Whether `alarm` watches the cluster or one of its instances: by a known dimension value, or (the
 * value unknown in a preview) by its dimensions depending on the cluster or instance resource.
 */
function watches(alarm: PolicyResource, cluster: PolicyResource, instances: PolicyResource[]): boolean {
    const clusterIds = identifiersOf(cluster, "clusterIdentifier");
    const instanceIds = instances.flatMap((i) => identifiersOf(i, "identifier"));
    const byValue = alarmDimensions(alarm).some(
        ([k, v]) =>
            (k === "DBClusterIdentifier" && clusterIds.includes(v as string)) ||
            (k === "DBInstanceIdentifier" && instanceIds.includes(v as string)),
    );
    return byValue || [cluster, ...instances].some((r) => dependsOn(alarm, "dimensions", r) || dependsOn(alarm, "metricQueries", r));
}

/** Known non-empty alarmActions, or unknown ones (computed from a topic or function of the stack). */
function notifies(alarm: PolicyResource): boolean {
    const actions = read(alarm.props, "alarmActions");
    return isUnknown(actions) || (Array.isArray(actions) && actions.length > 0);
}

export const clusterAlarms = stackPolicy({
    name: "aurora-cluster-alarms",
    description:
        "Production Aurora clusters must have CloudWatch alarms on the " +
        "cluster or its instances, and every one of them must notify someone.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Declare aws.cloudwatch.MetricAlarm resources with dimensions DBClusterIdentifier " +
        "(or DBInstanceIdentifier) and alarmActions pointing at an SNS topic.",
    anchors: {
        requirements: ["REQ-006"],
        securityHub: ["CloudWatch.15"],
        awsConfig: ["cloudwatch-alarm-action-check"],
        checkov: [],
        frameworks: ["HIPAA", "PCI DSS"],
    },
    configSchema: { properties: { ...productionSchema } },
    validateStack: (args, report) => {
        const alarms = args.resources.filter((r) => r.isType(aws.cloudwatch.MetricAlarm));
        for (const { cluster, instances } of productionClusters(args)) {
            const watching = alarms.filter((a) => watches(a, cluster, instances));
            if (watching.length === 0) {
                report(
                    `Production cluster '${cluster.name}' has no CloudWatch alarm on its DBClusterIdentifier or DBInstanceIdentifier.`,
                    cluster.urn,
                );
            }
            for (const alarm of watching.filter((a) => !notifies(a))) {
                report(
                    `Alarm '${alarm.name}' on production cluster '${cluster.name}' has no alarmActions: ` +
                        `it notifies nobody (Security Hub CloudWatch.15).`,
                    alarm.urn,
                );
            }
        }
    },
});

export const identityMonitoringPolicies: GuardrailPolicy[] = [
    clusterIamAuth,
    clusterManagedMasterPassword,
    instanceEnhancedMonitoring,
    instancePerformanceInsights,
    postgresLogExports,
    logGroupRetention,
    instanceAutoMinorVersionUpgrade,
    secretsRotation,
    clusterMultiAz,
    clusterActivityStream,
    clusterAlarms,
];
