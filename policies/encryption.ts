/**
 * REQ-002: encryption at rest with customer-managed KMS keys, and TLS in transit for Aurora PostgreSQL.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, validateResourceOfType } from "@pulumi/policy";
import {
    GuardrailPolicy,
    identifiersOf,
    isAwsManagedKey,
    isCustomerManagedKey,
    isUnknown,
    read,
    resourcePolicy,
    stackPolicy,
    validateTypes,
} from "./util";

/** Frameworks whose AWS Config conformance packs (or Security Hub standards) include the matching control. */
const HIPAA_PCI = ["HIPAA", "PCI DSS"];

export const clusterStorageEncrypted = resourcePolicy({
    name: "rds-cluster-storage-encrypted-cmk",
    description: "RDS/Aurora cluster storage must be encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set `storageEncrypted: true` and `kmsKeyId` to the ARN of a customer-managed key (not alias/aws/rds). " +
        "Encryption cannot be added to an existing cluster: restore a snapshot into an encrypted cluster.",
    anchors: {
        requirements: ["REQ-002"],
        securityHub: ["RDS.27"],
        awsConfig: ["rds-cluster-encrypted-at-rest"],
        checkov: ["CKV_AWS_96", "CKV_AWS_327"],
        frameworks: HIPAA_PCI,
    },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
        if (cluster.storageEncrypted !== true) {
            report("Cluster storage is not encrypted: set storageEncrypted to true.");
        }
        // An unknown key (preview) is checked by kms-key-references-customer-managed, through the resource graph.
        const key = read(cluster, "kmsKeyId");
        if (!key) {
            report("Cluster storage does not use a customer-managed KMS key: set kmsKeyId.");
        } else if (!isUnknown(key) && isAwsManagedKey(key)) {
            report(`Cluster storage uses the AWS managed key '${key}': use a customer-managed key.`);
        }
    }),
});

export const performanceInsightsCmk = resourcePolicy({
    name: "rds-performance-insights-cmk",
    description: "Performance Insights data must be encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Where performanceInsightsEnabled is true, set performanceInsightsKmsKeyId " +
        "to a customer-managed key ARN (on the cluster and on each cluster instance).",
    anchors: { requirements: ["REQ-002", "REQ-006"], securityHub: [], awsConfig: [], checkov: ["CKV_AWS_354"], frameworks: [] },
    validateResource: validateTypes([aws.rds.Cluster, aws.rds.ClusterInstance, aws.rds.Instance], (p, _args, report) => {
        const key = read(p, "performanceInsightsKmsKeyId");
        if (p.performanceInsightsEnabled === true && !isUnknown(key) && !isCustomerManagedKey(key)) {
            report(
                `Performance Insights is enabled without a customer-managed key: ` +
                    `set performanceInsightsKmsKeyId (got '${key ?? "unset"}').`,
            );
        }
    }),
});

export const activityStreamCmk = resourcePolicy({
    name: "rds-activity-stream-cmk",
    description: "Database Activity Streams must be encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set kmsKeyId of the aws.rds.ClusterActivityStream to a customer-managed key ARN.",
    anchors: { requirements: ["REQ-002", "REQ-010"], securityHub: [], awsConfig: [], checkov: ["CKV_AWS_246"], frameworks: [] },
    validateResource: validateResourceOfType(aws.rds.ClusterActivityStream, (stream, _args, report) => {
        const key = read(stream, "kmsKeyId");
        if (!isUnknown(key) && !isCustomerManagedKey(key)) {
            report(`Activity stream is not encrypted with a customer-managed key: set kmsKeyId (got '${key || "unset"}').`);
        }
    }),
});

export const secretsCmk = resourcePolicy({
    name: "secrets-encrypted-with-cmk",
    description: "Secrets Manager secrets, including RDS-managed master user secrets, must be encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set kmsKeyId on aws.secretsmanager.Secret, and masterUserSecretKmsKeyId on clusters " +
        "with manageMasterUserPassword, to a customer-managed key (not aws/secretsmanager).",
    anchors: {
        requirements: ["REQ-002", "REQ-004"],
        securityHub: [],
        awsConfig: ["secretsmanager-using-cmk"],
        checkov: ["CKV_AWS_149"],
        frameworks: HIPAA_PCI,
    },
    validateResource: [
        validateResourceOfType(aws.secretsmanager.Secret, (secret, _args, report) => {
            const key = read(secret, "kmsKeyId");
            if (!isUnknown(key) && !isCustomerManagedKey(key)) {
                report(`Secret is not encrypted with a customer-managed key: set kmsKeyId (got '${key || "aws/secretsmanager"}').`);
            }
        }),
        validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
            const key = read(cluster, "masterUserSecretKmsKeyId");
            if (cluster.manageMasterUserPassword === true && !isUnknown(key) && !isCustomerManagedKey(key)) {
                report(
                    "The RDS-managed master user secret uses the AWS managed key: set masterUserSecretKmsKeyId to a customer-managed key.",
                );
            }
        }),
    ],
});

export const logGroupCmk = resourcePolicy({
    name: "cloudwatch-log-group-cmk",
    description: "CloudWatch log groups must be encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set kmsKeyId on the aws.cloudwatch.LogGroup to a customer-managed " +
        "key whose policy allows the logs.<region>.amazonaws.com principal.",
    anchors: {
        requirements: ["REQ-002", "REQ-006"],
        securityHub: [],
        awsConfig: ["cloudwatch-log-group-encrypted"],
        checkov: ["CKV_AWS_158"],
        frameworks: HIPAA_PCI,
    },
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
        if (!read(group, "kmsKeyId")) {
            report("Log group is not encrypted with a customer-managed key: set kmsKeyId.");
        }
    }),
});

export const snsTopicCmk = resourcePolicy({
    name: "sns-topic-cmk",
    description: "SNS topics must be encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set kmsMasterKeyId on the aws.sns.Topic to a customer-managed key (not alias/aws/sns, which CloudWatch alarms cannot use).",
    anchors: {
        requirements: ["REQ-002"],
        securityHub: ["SNS.1"],
        awsConfig: ["sns-encrypted-kms"],
        checkov: ["CKV_AWS_26"],
        frameworks: HIPAA_PCI,
    },
    validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
        const key = read(topic, "kmsMasterKeyId");
        if (!isUnknown(key) && !isCustomerManagedKey(key)) {
            report(`Topic is not encrypted with a customer-managed key: set kmsMasterKeyId (got '${key || "unset"}').`);
        }
    }),
});

export const kmsKeyRotation = resourcePolicy({
    name: "kms-key-rotation-enabled",
    description: "Symmetric customer-managed KMS keys must have automatic key rotation enabled.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set enableKeyRotation: true on the aws.kms.Key (optionally rotationPeriodInDays).",
    anchors: {
        requirements: ["REQ-002"],
        securityHub: ["KMS.4"],
        awsConfig: ["cmk-backing-key-rotation-enabled"],
        checkov: ["CKV_AWS_7"],
        frameworks: HIPAA_PCI,
    },
    validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
        const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (spec === "SYMMETRIC_DEFAULT" && key.enableKeyRotation !== true) {
            report("KMS key rotation is not enabled: set enableKeyRotation to true.");
        }
    }),
});

export const kmsKeyDeletionWindow = resourcePolicy({
    name: "kms-key-deletion-window",
    description: "KMS keys must keep a deletion waiting period long enough to cancel an accidental deletion.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Leave deletionWindowInDays unset (30 days) or set it to at least the configured minimum.",
    anchors: {
        requirements: ["REQ-002", "REQ-008"],
        securityHub: ["KMS.3"],
        awsConfig: ["kms-cmk-not-scheduled-for-deletion"],
        checkov: [],
        frameworks: HIPAA_PCI,
    },
    configSchema: {
        properties: {
            minimumDeletionWindowDays: {
                type: "integer",
                minimum: 7,
                maximum: 30,
                default: 7,
                description: "Smallest allowed deletionWindowInDays (the provider default is 30).",
            },
        },
    },
    validateResource: validateResourceOfType(aws.kms.Key, (key, args, report) => {
        const { minimumDeletionWindowDays } = args.getConfig<{ minimumDeletionWindowDays: number }>();
        if (key.deletionWindowInDays !== undefined && key.deletionWindowInDays < minimumDeletionWindowDays) {
            report(`KMS key deletionWindowInDays is ${key.deletionWindowInDays}; it must be at least ${minimumDeletionWindowDays}.`);
        }
    }),
});

const TLS_VERSIONS = ["TLSv1.2", "TLSv1.3"];

/** What is missing from an aurora-postgresql cluster parameter group for TLS-only connections (empty = compliant). */
export function tlsGaps(parameters: unknown): string[] {
    const list = Array.isArray(parameters) ? (parameters as Array<{ name?: string; value?: unknown }>) : [];
    const value = (name: string) => {
        const p = list.find((x) => x.name === name);
        return p === undefined ? undefined : String(p.value);
    };
    const gaps: string[] = [];
    if (value("rds.force_ssl") !== "1") {
        gaps.push(`rds.force_ssl must be 1 (got ${value("rds.force_ssl") ?? "unset"})`);
    }
    const min = value("ssl_min_protocol_version");
    if (min === undefined || !TLS_VERSIONS.includes(min)) {
        gaps.push(`ssl_min_protocol_version must be one of ${TLS_VERSIONS.join(", ")} (got ${min ?? "unset"})`);
    }
    return gaps;
}

const isAuroraPostgresFamily = (family: unknown) => typeof family === "string" && family.startsWith("aurora-postgresql");

export const parameterGroupTls = resourcePolicy({
    name: "aurora-postgresql-parameter-group-tls",
    description: "Aurora PostgreSQL cluster parameter groups must force TLS 1.2 or later.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add parameters { name: 'rds.force_ssl', value: '1' } and { name: " +
        "'ssl_min_protocol_version', value: 'TLSv1.2' } to the aws.rds.ClusterParameterGroup.",
    anchors: { requirements: ["REQ-002", "REQ-007"], securityHub: [], awsConfig: [], checkov: [], frameworks: [] },
    validateResource: validateResourceOfType(aws.rds.ClusterParameterGroup, (group, args, report) => {
        if (!isAuroraPostgresFamily(group.family)) {
            args.notApplicable("Only aurora-postgresql parameter group families are checked");
        }
        for (const gap of tlsGaps(group.parameters)) {
            report(`Cluster parameter group does not enforce TLS: ${gap}.`);
        }
    }),
});

export const clusterUsesTlsParameterGroup = stackPolicy({
    name: "aurora-postgresql-cluster-tls-parameter-group",
    description: "Aurora PostgreSQL clusters must use a cluster parameter group, declared in the same stack, that forces TLS 1.2 or later.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Create an aws.rds.ClusterParameterGroup (family aurora-postgresql<major>) with rds.force_ssl=1 and " +
        "ssl_min_protocol_version=TLSv1.2, and set the cluster's dbClusterParameterGroupName to its name.",
    anchors: { requirements: ["REQ-002", "REQ-007"], securityHub: [], awsConfig: [], checkov: [], frameworks: [] },
    validateStack: (args, report) => {
        const groups = args.resources.filter((r) => r.isType(aws.rds.ClusterParameterGroup));
        const clusters = args.resources.filter((r) => r.isType(aws.rds.Cluster) && r.props.engine === "aurora-postgresql");
        for (const cluster of clusters) {
            const name = read(cluster.props, "dbClusterParameterGroupName");
            if (typeof name !== "string" || name === "" || name.startsWith("default.")) {
                report(
                    "Cluster uses the default cluster parameter group, which does not force TLS: set dbClusterParameterGroupName.",
                    cluster.urn,
                );
                continue;
            }
            const group = groups.find(
                (g: PolicyResource) =>
                    (cluster.propertyDependencies.dbClusterParameterGroupName ?? []).some((d) => d.urn === g.urn) ||
                    identifiersOf(g, "name").includes(name),
            );
            const label = isUnknown(name) ? "(known after the update)" : name;
            if (group === undefined) {
                report(
                    `Cluster parameter group '${label}' is not declared in this stack, so TLS enforcement cannot be verified.`,
                    cluster.urn,
                );
                continue;
            }
            const gaps = tlsGaps(read(group.props, "parameters"));
            if (gaps.length > 0) {
                report(`Cluster parameter group '${label}' does not enforce TLS: ${gaps.join("; ")}.`, cluster.urn);
            }
        }
    },
});

/** Every KMS key reference the pack checks, by resource type (the resource policies above check known values). */
export const KEY_REFERENCES: ReadonlyArray<readonly [string, string]> = [
    ["aws:rds/cluster:Cluster", "kmsKeyId"],
    ["aws:rds/cluster:Cluster", "masterUserSecretKmsKeyId"],
    ["aws:rds/cluster:Cluster", "performanceInsightsKmsKeyId"],
    ["aws:rds/clusterInstance:ClusterInstance", "performanceInsightsKmsKeyId"],
    ["aws:rds/instance:Instance", "kmsKeyId"],
    ["aws:rds/instance:Instance", "performanceInsightsKmsKeyId"],
    ["aws:rds/clusterActivityStream:ClusterActivityStream", "kmsKeyId"],
    ["aws:secretsmanager/secret:Secret", "kmsKeyId"],
    ["aws:cloudwatch/logGroup:LogGroup", "kmsKeyId"],
    ["aws:sns/topic:Topic", "kmsMasterKeyId"],
];

/** A customer-managed key of this stack: an aws.kms.Key, or an aws.kms.Alias that targets one. */
const isStackKey = (r: PolicyResource) =>
    r.isType(aws.kms.Key) || (r.isType(aws.kms.Alias) && (r.propertyDependencies.targetKeyId ?? []).some((k) => k.isType(aws.kms.Key)));

export const keyReferencesCustomerManaged = stackPolicy({
    name: "kms-key-references-customer-managed",
    description:
        "KMS key references computed from other resources (unknown until the update in a preview) " +
        "must come from a customer-managed key of the stack.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set the key property (kmsKeyId, masterUserSecretKmsKeyId, performanceInsightsKmsKeyId, kmsMasterKeyId) " +
        "to the arn of an aws.kms.Key (or an aws.kms.Alias of one) declared in the stack, or to a known key ARN.",
    anchors: {
        requirements: ["REQ-002"],
        securityHub: ["RDS.27", "SNS.1"],
        awsConfig: ["rds-cluster-encrypted-at-rest", "secretsmanager-using-cmk", "cloudwatch-log-group-encrypted"],
        checkov: [],
        frameworks: HIPAA_PCI,
    },
    validateStack: (args, report) => {
        for (const r of args.resources) {
            for (const [, property] of KEY_REFERENCES.filter(([type]) => type === r.type)) {
                const value = read(r.props, property);
                const sources = r.propertyDependencies[property] ?? [];
                if ((!isUnknown(value) && sources.length === 0) || sources.some(isStackKey)) {
                    continue;
                }
                const from = sources.length === 0 ? "no resource of this stack" : sources.map((d) => `${d.type} '${d.name}'`).join(", ");
                report(
                    isUnknown(value)
                        ? `${property} of ${r.type} '${r.name}' is unknown until the update and comes from ${from}, ` +
                              `not a KMS key: it cannot be a customer-managed key of this stack.`
                        : `${property} of ${r.type} '${r.name}' comes from ${from}, not a KMS key.`,
                    r.urn,
                );
            }
        }
    },
});

export const encryptionPolicies: GuardrailPolicy[] = [
    clusterStorageEncrypted,
    performanceInsightsCmk,
    activityStreamCmk,
    secretsCmk,
    logGroupCmk,
    snsTopicCmk,
    kmsKeyRotation,
    kmsKeyDeletionWindow,
    parameterGroupTls,
    clusterUsesTlsParameterGroup,
    keyReferencesCustomerManaged,
];
