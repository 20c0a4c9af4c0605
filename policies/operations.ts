/**
 * REQ-007 and REQ-006: running costs and operability of Aurora PostgreSQL (RDS Extended Support,
 * approved instance classes, Database Insights).
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { GuardrailPolicy, ProductionConfig, isProduction, isUnknown, productionSchema, read, resourcePolicy, validateTypes } from "./util";

export const EXTENDED_SUPPORT_DISABLED = "open-source-rds-extended-support-disabled";

export const extendedSupportOptOut = resourcePolicy({
    name: "rds-extended-support-opt-out",
    description:
        "RDS/Aurora databases should opt out of RDS Extended Support, " +
        "which is billed automatically once a major version leaves standard support.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        `Set engineLifecycleSupport: "${EXTENDED_SUPPORT_DISABLED}" (leaving it unset enrols the database ` +
        `in paid Extended Support) and plan major version upgrades before the end of standard support.`,
    anchors: { requirements: ["REQ-007"], securityHub: [], awsConfig: [], checkov: [], frameworks: [] },
    validateResource: validateTypes([aws.rds.Cluster, aws.rds.Instance, aws.rds.GlobalCluster], (p, _args, report) => {
        const lifecycle = read(p, "engineLifecycleSupport");
        if (!isUnknown(lifecycle) && lifecycle !== EXTENDED_SUPPORT_DISABLED) {
            report(
                `engineLifecycleSupport is '${lifecycle ?? "unset (open-source-rds-extended-support)"}': ` +
                    `set it to '${EXTENDED_SUPPORT_DISABLED}' to avoid Extended Support charges.`,
            );
        }
    }),
});

export const DEFAULT_ALLOWED_INSTANCE_CLASSES = [
    "db.serverless",
    "db.r8g.*",
    "db.r7g.*",
    "db.r7i.*",
    "db.r6g.*",
    "db.r6i.*",
    "db.x2g.*",
    "db.t4g.*",
];

/** Whether `instanceClass` matches one of `patterns` (exact, or a prefix ending in `*`). */
export function classAllowed(instanceClass: string, patterns: string[]): boolean {
    return patterns.some((p) => (p.endsWith("*") ? instanceClass.startsWith(p.slice(0, -1)) : instanceClass === p));
}

export const instanceClassAllowList = resourcePolicy({
    name: "rds-instance-class-allowed",
    description:
        "RDS/Aurora instances should use an instance class from the organisation's " +
        "allow-list (current Graviton/Intel generations, Serverless v2).",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        "Change instanceClass to an allowed class, or add the class (or a family " +
        "prefix such as db.r8g.*) to allowedInstanceClasses in the policy config.",
    anchors: { requirements: ["REQ-007"], securityHub: [], awsConfig: ["desired-instance-type"], checkov: [], frameworks: [] },
    configSchema: {
        properties: {
            allowedInstanceClasses: {
                type: "array",
                items: { type: "string" },
                minItems: 1,
                default: DEFAULT_ALLOWED_INSTANCE_CLASSES,
                description: "Allowed instance classes: exact names or prefixes ending in `*` (db.r7g.*).",
            },
        },
    },
    validateResource: validateTypes([aws.rds.ClusterInstance, aws.rds.Instance], (p, args, report) => {
        const { allowedInstanceClasses } = args.getConfig<{ allowedInstanceClasses: string[] }>();
        const instanceClass = read(p, "instanceClass");
        if (typeof instanceClass === "string" && !isUnknown(instanceClass) && !classAllowed(instanceClass, allowedInstanceClasses)) {
            report(`Instance class '${instanceClass}' is not in the allow-list: ${allowedInstanceClasses.join(", ")}.`);
        }
    }),
});

/** Database Insights modes, from least to most. */
const INSIGHTS_MODES = ["standard", "advanced"];

/** Performance Insights retention Database Insights' Advanced mode requires (15 months). */
export const ADVANCED_INSIGHTS_RETENTION_DAYS = 465;

export const databaseInsightsMode = resourcePolicy({
    name: "rds-database-insights-mode",
    description:
        "Database Insights' Advanced mode needs Performance Insights with at least 465 days of retention; " +
        "production Aurora clusters should use at least the configured mode.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        `Set databaseInsightsMode on the aws.rds.Cluster ("advanced" for production), with performanceInsightsEnabled: ` +
        `true and performanceInsightsRetentionPeriod >= ${ADVANCED_INSIGHTS_RETENTION_DAYS}.`,
    anchors: { requirements: ["REQ-006"], securityHub: [], awsConfig: [], checkov: [], frameworks: [] },
    configSchema: {
        properties: {
            ...productionSchema,
            productionMode: {
                type: "string",
                enum: INSIGHTS_MODES,
                default: "standard",
                description:
                    "Least Database Insights mode production clusters should use (unset = standard; " +
                    '"advanced" is billed per vCPU and keeps 15 months of data).',
            },
        },
    },
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
        const { productionMode, productionEnvironments } = args.getConfig<ProductionConfig & { productionMode: string }>();
        const mode = read(cluster, "databaseInsightsMode") ?? "standard";
        if (isUnknown(mode)) {
            return;
        }
        if (mode === "advanced") {
            const retention = read(cluster, "performanceInsightsRetentionPeriod");
            if (
                read(cluster, "performanceInsightsEnabled") !== true ||
                (typeof retention === "number" ? retention : 7) < ADVANCED_INSIGHTS_RETENTION_DAYS
            ) {
                report(
                    `Database Insights Advanced mode needs performanceInsightsEnabled: ` +
                        `true and performanceInsightsRetentionPeriod >= ${ADVANCED_INSIGHTS_RETENTION_DAYS} on the cluster.`,
                );
            }
        }
        if (
            isProduction(args.props, args.stackTags, productionEnvironments) &&
            INSIGHTS_MODES.indexOf(mode) < INSIGHTS_MODES.indexOf(productionMode)
        ) {
            report(
                `Production cluster uses Database Insights mode '${mode}'; ` +
                    `production clusters should use at least '${productionMode}': set databaseInsightsMode.`,
            );
        }
    }),
});

export const operationsPolicies: GuardrailPolicy[] = [extendedSupportOptOut, instanceClassAllowList, databaseInsightsMode];
