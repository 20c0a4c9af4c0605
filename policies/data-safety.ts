/**
 * REQ-005 and REQ-008: production data survives mistakes (deletion protection, final snapshot,
 * backup retention, Pulumi `protect`).
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import {
    GuardrailPolicy,
    ProductionConfig,
    isProduction,
    isSetOrUnknown,
    productionSchema,
    read,
    resourcePolicy,
    validateTypes,
} from "./util";

/** Production-only policies call this first: non-production resources are "not applicable". */
function requireProduction(args: ResourceValidationArgs): void {
    const { productionEnvironments } = args.getConfig<ProductionConfig>();
    if (!isProduction(args.props, args.stackTags, productionEnvironments)) {
        args.notApplicable("Only production resources (Environment stack tag or resource tag) are checked");
    }
}

export const clusterDeletionProtection = resourcePolicy({
    name: "rds-cluster-deletion-protection",
    description: "Production RDS/Aurora clusters (and Aurora global clusters) must have deletion protection enabled.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set deletionProtection: true on the aws.rds.Cluster (and the aws.rds.GlobalCluster).",
    anchors: {
        requirements: ["REQ-008"],
        securityHub: ["RDS.7"],
        awsConfig: ["rds-cluster-deletion-protection-enabled"],
        checkov: ["CKV_AWS_139"],
        frameworks: ["HIPAA"],
    },
    configSchema: { properties: { ...productionSchema } },
    validateResource: validateTypes([aws.rds.Cluster, aws.rds.GlobalCluster], (cluster, args, report) => {
        requireProduction(args);
        if (cluster.deletionProtection !== true) {
            report("Production cluster does not have deletion protection: set deletionProtection to true.");
        }
    }),
});

export const clusterFinalSnapshot = resourcePolicy({
    name: "rds-cluster-final-snapshot",
    description: "Production RDS/Aurora clusters must take a final snapshot when deleted.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set skipFinalSnapshot: false and a finalSnapshotIdentifier on the aws.rds.Cluster.",
    anchors: { requirements: ["REQ-008"], securityHub: [], awsConfig: [], checkov: [], frameworks: [] },
    configSchema: { properties: { ...productionSchema } },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
        requireProduction(args);
        if (cluster.skipFinalSnapshot === true) {
            report("Production cluster skips the final snapshot: set skipFinalSnapshot to false.");
        } else if (!isSetOrUnknown(read(cluster, "finalSnapshotIdentifier"))) {
            report(
                "Production cluster has no finalSnapshotIdentifier, so deleting it fails or loses the data: set finalSnapshotIdentifier.",
            );
        }
    }),
});

export const clusterBackupRetention = resourcePolicy({
    name: "rds-cluster-backup-retention",
    description: "Production RDS/Aurora clusters must keep automated backups for at least the configured number of days.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Set backupRetentionPeriod on the aws.rds.Cluster to at least the configured minimum (the provider default is 1 day).",
    anchors: {
        requirements: ["REQ-005"],
        securityHub: ["RDS.50"],
        awsConfig: ["rds-cluster-backup-retention-check"],
        checkov: ["CKV_AWS_133"],
        frameworks: ["HIPAA", "PCI DSS"],
    },
    configSchema: {
        properties: {
            ...productionSchema,
            minimumRetentionDays: {
                type: "integer",
                minimum: 1,
                maximum: 35,
                default: 7,
                description: "Smallest allowed backupRetentionPeriod in days.",
            },
        },
    },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
        requireProduction(args);
        const { minimumRetentionDays } = args.getConfig<ProductionConfig & { minimumRetentionDays: number }>();
        const retention = cluster.backupRetentionPeriod ?? 1;
        if (retention < minimumRetentionDays) {
            report(
                `Production cluster keeps backups for ${retention} day(s); ` +
                    `the minimum is ${minimumRetentionDays}: raise backupRetentionPeriod.`,
            );
        }
    }),
});

export const clusterCopyTagsToSnapshot = resourcePolicy({
    name: "rds-cluster-copy-tags-to-snapshot",
    description: "Production RDS/Aurora clusters should copy their tags to snapshots, so backups stay attributable.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Set copyTagsToSnapshot: true on the aws.rds.Cluster.",
    anchors: {
        requirements: ["REQ-008", "REQ-012"],
        securityHub: ["RDS.16"],
        awsConfig: ["rds-pgsql-cluster-copy-tags-to-snapshot-check"],
        checkov: ["CKV_AWS_313"],
        frameworks: [],
    },
    configSchema: { properties: { ...productionSchema } },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
        requireProduction(args);
        if (cluster.copyTagsToSnapshot !== true) {
            report("Production cluster does not copy tags to snapshots: set copyTagsToSnapshot to true.");
        }
    }),
});

export const productionResourcesProtected = resourcePolicy({
    name: "production-data-resources-protected",
    description: "Production KMS keys and RDS/Aurora clusters (global clusters too) must carry Pulumi's `protect` resource option.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Pass { protect: true } in the resource options of production aws.kms.Key, aws.rds.Cluster and aws.rds.GlobalCluster resources.",
    anchors: { requirements: ["REQ-008"], securityHub: [], awsConfig: [], checkov: [], frameworks: [] },
    configSchema: { properties: { ...productionSchema } },
    validateResource: validateTypes([aws.kms.Key, aws.rds.Cluster, aws.rds.GlobalCluster], (_props, args, report) => {
        requireProduction(args);
        if (args.opts.protect !== true) {
            report(`Production ${args.type} is not protected: set the protect resource option so that pulumi destroy cannot delete it.`);
        }
    }),
});

export const dataSafetyPolicies: GuardrailPolicy[] = [
    clusterDeletionProtection,
    clusterFinalSnapshot,
    clusterBackupRetention,
    clusterCopyTagsToSnapshot,
    productionResourcesProtected,
];
