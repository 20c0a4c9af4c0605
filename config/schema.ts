/**
 * Every `aurora:*` configuration key: its type, default and one-line description.
 *
 * This list is the single source of truth. `Pulumi.yaml` declares the same keys (a test keeps the two
 * in step, because the Pulumi SDK never reads `Pulumi.yaml` itself), the README's table is checked
 * against it, and `loadConfig` rejects any `aurora:*` key that is not listed here.
 *
 * Defaults are the production-safe values; `Pulumi.dev.yaml` and `Pulumi.staging.yaml` relax them.
 */

import { DEFAULT_RUNBOOK_BASE_URL } from "../components/alarm-settings";

/** Pulumi's project-config types (`Pulumi.yaml` has no number type, so fractions are strings). */
export type ConfigKeyType = "string" | "integer" | "boolean" | "array";

export interface ConfigKeySpec {
    /** The key without the `aurora:` namespace. */
    readonly key: string;
    readonly type: ConfigKeyType;
    /** The default; absent for keys every stack must set. */
    readonly default?: string | number | boolean | string[];
    readonly description: string;
}

export const CONFIG_NAMESPACE = "aurora";

export const CONFIG_KEYS: readonly ConfigKeySpec[] = [
    // Identity and tagging
    {
        key: "environment",
        type: "string",
        description:
            "Environment name: dev, test, qa, staging or prod (the Environment tag; prod turns on the production-only guard rails).",
    },
    { key: "application", type: "string", default: "aurora", description: "Application tag value." },
    { key: "team", type: "string", description: "Team tag value: the team that owns and is paged for this database." },
    { key: "costCenter", type: "string", description: "CostCenter tag value." },
    {
        key: "extraTags",
        type: "array",
        default: [],
        description: "Additional tags as Key=Value strings, applied to every taggable resource.",
    },
    {
        key: "protectResources",
        type: "boolean",
        default: true,
        description: "Set Pulumi's protect option on the cluster and KMS keys (must stay true in prod).",
    },

    // Network
    { key: "vpcCidr", type: "string", default: "10.40.0.0/16", description: "CIDR of the new VPC (private RFC 1918 range, /16 to /24)." },
    { key: "azCount", type: "integer", default: 3, description: "Availability Zones to spread subnets and instances over (2 to 6)." },
    { key: "existingVpcId", type: "string", default: "", description: "Use this existing VPC instead of creating one (vpc-...)." },
    {
        key: "existingDbSubnetIds",
        type: "array",
        default: [],
        description: "Existing isolated subnets for the database (at least two, in distinct AZs); required with existingVpcId.",
    },
    {
        key: "appSecurityGroupIds",
        type: "array",
        default: [],
        description: "Security groups of the applications allowed to connect (existing-VPC mode; a new VPC gets its own).",
    },
    { key: "allowedCidrs", type: "array", default: [], description: "Private (RFC 1918) CIDRs allowed to connect to the database port." },
    { key: "dbPort", type: "integer", default: 5432, description: "PostgreSQL port (1150 to 65535)." },
    { key: "flowLogsTrafficType", type: "string", default: "ALL", description: "VPC flow log traffic type: ALL or REJECT." },
    {
        key: "flowLogsRetentionDays",
        type: "integer",
        default: 365,
        description: "Retention of the VPC flow log group, in days (a CloudWatch Logs retention value).",
    },
    {
        key: "vpcEndpoints",
        type: "boolean",
        default: true,
        description: "Create interface endpoints for Secrets Manager, KMS, CloudWatch Logs, Monitoring and RDS.",
    },
    {
        key: "transitGatewayId",
        type: "string",
        default: "",
        description:
            "Transit gateway (tgw-...) for workloads in other VPCs (new VPC only): " +
            "the database subnets are attached and allowedCidrs routed to it from the database route table only.",
    },
    {
        key: "vpcPeeringConnectionId",
        type: "string",
        default: "",
        description:
            "Accepted VPC peering connection (pcx-...) for workloads in a peered VPC (new VPC only): " +
            "allowedCidrs are routed through it from the database route table only.",
    },

    // Engine and instances
    {
        key: "engineVersion",
        type: "string",
        default: "17",
        description:
            "Engine version: a major (recommended; AWS applies minor upgrades) " +
            "or a creatable major.minor. The parameter group family is derived from it.",
    },
    {
        key: "allowMajorVersionUpgrade",
        type: "boolean",
        default: false,
        description:
            "Allow this update to move to a new major version (set with the new engineVersion; see docs/major-version-upgrade.md).",
    },
    {
        key: "extendedSupport",
        type: "boolean",
        default: false,
        description: "Stay on a major past its end of standard support in paid RDS Extended Support (default: opt out).",
    },
    {
        key: "instanceClass",
        type: "string",
        default: "db.r7g.large",
        description: "Instance class of every instance (db.serverless for Aurora Serverless v2).",
    },
    { key: "readerCount", type: "integer", default: 2, description: "Readers besides the writer (1 to 15), spread across AZs." },
    {
        key: "instanceClassOverrides",
        type: "array",
        default: [],
        description: "Per-instance classes as instance-N=class (instance-1 is the initial writer).",
    },
    {
        key: "serverlessMinCapacity",
        type: "string",
        default: "0.5",
        description: "Serverless v2 minimum ACU (0 to 256, steps of 0.5; 0 pauses idle instances).",
    },
    { key: "serverlessMaxCapacity", type: "string", default: "16", description: "Serverless v2 maximum ACU (1 to 256, steps of 0.5)." },
    {
        key: "serverlessAutoPauseSeconds",
        type: "integer",
        default: 300,
        description: "Idle seconds before a 0-ACU Serverless v2 instance pauses (300 to 86400).",
    },
    {
        key: "readerAutoScalingMaxReaders",
        type: "integer",
        default: 0,
        description: "Aurora Auto Scaling of readers: most readers, declared ones included (readerCount + 1 to 15); 0 = off.",
    },
    {
        key: "readerAutoScalingMetric",
        type: "string",
        default: "RDSReaderAverageCPUUtilization",
        description: "Tracked metric: RDSReaderAverageCPUUtilization or RDSReaderAverageDatabaseConnections.",
    },
    {
        key: "readerAutoScalingTarget",
        type: "integer",
        default: 60,
        description: "Target of the metric: percent CPU (10 to 90) or connections per reader.",
    },
    {
        key: "readerAutoScalingScaleInCooldownSeconds",
        type: "integer",
        default: 300,
        description: "Seconds after a scale-in before the next (0 to 86400).",
    },
    {
        key: "readerAutoScalingScaleOutCooldownSeconds",
        type: "integer",
        default: 300,
        description: "Seconds after a scale-out before the next (0 to 86400).",
    },
    {
        key: "maxConnections",
        type: "integer",
        default: 0,
        description: "max_connections of every instance; 0 uses AWS's default for the instance class.",
    },
    {
        key: "caCertificate",
        type: "string",
        default: "rds-ca-rsa2048-g1",
        description: "Certificate authority of the instances' server certificates.",
    },
    {
        key: "storageType",
        type: "string",
        default: "aurora",
        description: "Cluster storage: aurora (pay per I/O) or aurora-iopt1 (I/O-Optimized).",
    },

    // Database and access
    { key: "databaseName", type: "string", default: "app", description: "Initial database name." },
    {
        key: "masterUsername",
        type: "string",
        default: "dbadmin",
        description: "Master user (administration only); its password is generated and rotated in Secrets Manager.",
    },
    {
        key: "blueGreenTargetEngineVersion",
        type: "string",
        default: "",
        description: 'Engine version a Blue/Green upgrade will go to (a higher major): its parameter groups are declared ahead; "" = none.',
    },
    {
        key: "masterPassword",
        type: "string",
        default: "managed",
        description: "managed (RDS keeps the master password) or secret (this stack's own secret; needed for Global Database, Blue/Green).",
    },
    {
        key: "iamAdminDbUser",
        type: "string",
        default: "iam_admin",
        description: "Database user that the IAM admin policy may connect as (rds-db:connect).",
    },
    {
        key: "iamAdminRoleName",
        type: "string",
        default: "",
        description: "IAM role to attach the IAM admin policy to (empty: attach it yourself).",
    },
    {
        key: "clusterParameters",
        type: "array",
        default: [],
        description:
            "Cluster parameter overrides as name=value, checked against PostgreSQL " +
            "17's settings and Aurora's own (security parameters cannot be weakened).",
    },
    {
        key: "instanceParameters",
        type: "array",
        default: [],
        description:
            "Instance parameter overrides as name=value, checked against PostgreSQL 17's settings and Aurora's own (docs/parameters.md).",
    },

    // Data safety
    {
        key: "backupRetentionDays",
        type: "integer",
        default: 30,
        description:
            "Automated backup and point-in-time recovery window in days (7 to 35); " +
            "with drBackup, AWS Backup takes it over after creation (backupPlanRetentionDays).",
    },
    {
        key: "backupWindow",
        type: "string",
        default: "02:00-03:00",
        description: "Daily backup window, UTC, hh24:mi-hh24:mi (at least 30 minutes).",
    },
    {
        key: "maintenanceWindow",
        type: "string",
        default: "sun:04:00-sun:05:00",
        description: "Weekly maintenance window, UTC, ddd:hh24:mi-ddd:hh24:mi (at least 30 minutes, not overlapping backups).",
    },
    {
        key: "deletionProtection",
        type: "boolean",
        default: true,
        description: "Deletion protection on the cluster (cannot be false in prod).",
    },
    {
        key: "applyImmediately",
        type: "boolean",
        default: false,
        description: "Apply cluster and instance modifications at once instead of in the maintenance window.",
    },

    // Monitoring and audit
    {
        key: "performanceInsightsRetentionDays",
        type: "integer",
        default: 7,
        description: "Performance Insights retention: 7 (free), 31 x n up to 713, or 731 (at least 465 for advanced Database Insights).",
    },
    {
        key: "databaseInsightsMode",
        type: "string",
        default: "standard",
        description: "CloudWatch Database Insights: standard (free) or advanced (billed per vCPU-hour; needs 465+ days of retention).",
    },
    {
        key: "monitoringIntervalSeconds",
        type: "integer",
        default: 15,
        description: "Enhanced Monitoring interval in seconds: 1, 5, 10, 15, 30 or 60.",
    },
    { key: "logRetentionDays", type: "integer", default: 365, description: "Retention of the exported PostgreSQL log groups, in days." },
    {
        key: "activityStream",
        type: "boolean",
        default: true,
        description: "Database Activity Stream to Kinesis, encrypted with its own key (not on db.t* or Serverless v2).",
    },
    {
        key: "activityStreamMode",
        type: "string",
        default: "async",
        description: "Activity stream mode: async (favours performance) or sync.",
    },

    // Secrets and connection management
    {
        key: "masterRotationDays",
        type: "integer",
        default: 30,
        description: "Rotation interval of the RDS-managed master user secret, in days (1 to 90).",
    },
    {
        key: "appUsers",
        type: "array",
        default: ["app:readwrite"],
        description: "Application database users as name:readwrite or name:readonly; each gets a secret rotated with alternating users.",
    },
    {
        key: "appRotationDays",
        type: "integer",
        default: 30,
        description: "Rotation interval of the application user secrets, in days (1 to 90).",
    },
    {
        key: "proxy",
        type: "boolean",
        default: true,
        description: "RDS Proxy in front of the cluster (TLS required; not with Serverless v2 auto-pause).",
    },
    {
        key: "proxyIamAuth",
        type: "boolean",
        default: true,
        description: "Require IAM authentication for clients of the proxy (otherwise the users' passwords).",
    },
    {
        key: "proxyIdleClientTimeoutSeconds",
        type: "integer",
        default: 1800,
        description: "Seconds an idle client connection to the proxy stays open (1 to 28800).",
    },
    {
        key: "proxyMaxConnectionsPercent",
        type: "integer",
        default: 75,
        description: "Share of the writer's max_connections the proxy may open (1 to 100).",
    },
    {
        key: "proxyMaxIdleConnectionsPercent",
        type: "integer",
        default: 50,
        description: "Share of max_connections the proxy keeps open while idle (0 to proxyMaxConnectionsPercent).",
    },
    {
        key: "proxyBorrowTimeoutSeconds",
        type: "integer",
        default: 120,
        description: "Seconds a client waits for a pooled connection before an error (0 to 3600).",
    },

    // Alarms and notifications
    {
        key: "alarmEmails",
        type: "array",
        default: [],
        description: "Email addresses subscribed to the alert topic (alarms and RDS events).",
    },
    {
        key: "alarmHttpsEndpoints",
        type: "array",
        default: [],
        description: "HTTPS endpoints (https://...) subscribed to the alert topic, e.g. an incident tool's webhook.",
    },
    {
        key: "cpuAlarmPercent",
        type: "integer",
        default: 80,
        description: "CPUUtilization alarm threshold per instance, percent (1 to 100).",
    },
    {
        key: "cpuAlarmPeriods",
        type: "integer",
        default: 2,
        description: "Consecutive 2-minute periods above the CPU threshold before the alarm fires (1 to 30).",
    },
    {
        key: "connectionsAlarmPercent",
        type: "integer",
        default: 80,
        description: "DatabaseConnections alarm threshold, percent of each instance's max_connections (1 to 100).",
    },
    {
        key: "freeableMemoryAlarmPercent",
        type: "integer",
        default: 10,
        description: "FreeableMemory alarm threshold, percent of the instance class memory (1 to 100).",
    },
    {
        key: "freeLocalStorageAlarmPercent",
        type: "integer",
        default: 10,
        description: "FreeLocalStorage alarm threshold, percent of the estimated local storage (2 x class memory) (1 to 100).",
    },
    {
        key: "replicaLagAlarmMs",
        type: "integer",
        default: 1000,
        description: "AuroraReplicaLagMaximum alarm threshold on the cluster, in milliseconds (1 to 3600000).",
    },
    {
        key: "drLagAlarmMs",
        type: "integer",
        default: 10000,
        description:
            "With drMode global-database: AuroraGlobalDBRPOLag and AuroraGlobalDBReplicationLag alarm threshold, " +
            "in milliseconds (100 to 3600000).",
    },
    {
        key: "deadlockAlarmMinutes",
        type: "integer",
        default: 5,
        description: "Consecutive minutes with deadlocks before the alarm fires (1 to 60).",
    },
    {
        key: "xidWarningThreshold",
        type: "integer",
        default: 1000000000,
        description: "MaximumUsedTransactionIDs warning alarm level (below xidCriticalThreshold).",
    },
    {
        key: "xidCriticalThreshold",
        type: "integer",
        default: 1500000000,
        description:
            "MaximumUsedTransactionIDs critical alarm level (above the warning level, below 2146483648 where Aurora goes read-only).",
    },
    {
        key: "acuUtilizationAlarmPercent",
        type: "integer",
        default: 90,
        description: "ACUUtilization alarm threshold for Serverless v2 instances, percent (1 to 100).",
    },
    {
        key: "operatorAccess",
        type: "boolean",
        default: false,
        description:
            "Session Manager port forwarding into the database subnets through " +
            "one managed instance (see docs/operator-access.md); off unless set.",
    },
    {
        key: "operatorAccessEndpoints",
        type: "boolean",
        default: true,
        description:
            "Create the ssm, ssmmessages and ec2messages endpoints for operator " +
            "access (false only with existingVpcId, where a hub provides them).",
    },
    {
        key: "runbookBaseUrl",
        type: "string",
        default: DEFAULT_RUNBOOK_BASE_URL,
        description:
            "https URL of this repository's docs/ folder (no trailing /): " +
            "alarm descriptions link <url>/runbooks.md#<alarm>. The default is a placeholder.",
    },

    // Disaster recovery (AWS Backup with a cross-region copy; optionally an Aurora Global Database)
    {
        key: "drBackup",
        type: "boolean",
        default: true,
        description: "AWS Backup plan with continuous backup and a copy of every recovery point to drRegion.",
    },
    {
        key: "drRegion",
        type: "string",
        default: "eu-central-1",
        description: "Region that receives the backup copies and, with drMode global-database, the secondary cluster (not aws:region).",
    },
    {
        key: "drMode",
        type: "string",
        default: "backup-copy",
        description:
            "backup-copy (the AWS Backup copy alone, RPO hours) or global-database: also an Aurora Global Database " +
            "with a secondary cluster in drRegion (RPO about a second; needs masterPassword secret; docs/global-database.md).",
    },
    {
        key: "drVpcCidr",
        type: "string",
        default: "10.41.0.0/16",
        description: "With drMode global-database: CIDR of the secondary region's new VPC (private, /16 to /24, apart from vpcCidr).",
    },
    {
        key: "drInstanceCount",
        type: "integer",
        default: 2,
        description:
            "With drMode global-database: instances of the secondary cluster, of the writer's class (1 to 16; at least 2 in prod).",
    },
    {
        key: "backupSchedule",
        type: "string",
        default: "cron(30 5 * * ? *)",
        description:
            "AWS Backup daily schedule at a fixed UTC time, cron(M H * * ? *); " +
            "the job must start outside the RDS backup and maintenance windows.",
    },
    {
        key: "backupPlanRetentionDays",
        type: "integer",
        default: 35,
        description: "Days recovery points stay in the primary vault (1 to 35, the continuous backup limit).",
    },
    { key: "drCopyRetentionDays", type: "integer", default: 35, description: "Days the copies stay in the DR vault (1 to 36500)." },
    {
        key: "backupVaultLock",
        type: "boolean",
        default: false,
        description: "Lock both vaults in governance mode so recovery points cannot be deleted early.",
    },
];

/** Looks up a key's spec; throws for keys that are not declared (a programming error). */
export function specOf(key: string): ConfigKeySpec {
    const spec = CONFIG_KEYS.find((s) => s.key === key);
    if (!spec) {
        throw new Error(`config key '${key}' is not declared in config/schema.ts`);
    }
    return spec;
}
