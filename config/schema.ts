/**
 * Every `aurora:*` configuration key: its type, default and one-line description.
 *
 * This list is the single source of truth. `Pulumi.yaml` declares the same keys (a test keeps the two
 * in step, because the Pulumi SDK never reads `Pulumi.yaml` itself), the README's table is checked
 * against it, and `loadConfig` rejects any `aurora:*` key that is not listed here.
 *
 * Defaults are the production-safe values; `Pulumi.dev.yaml` and `Pulumi.staging.yaml` relax them.
 */

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
    { key: "environment", type: "string", description: "Environment name: dev, test, qa, staging or prod (the Environment tag; prod turns on the production-only guard rails)." },
    { key: "application", type: "string", default: "aurora", description: "Application tag value." },
    { key: "team", type: "string", description: "Team tag value: the team that owns and is paged for this database." },
    { key: "costCenter", type: "string", description: "CostCenter tag value." },
    { key: "extraTags", type: "array", default: [], description: "Additional tags as Key=Value strings, applied to every taggable resource." },
    { key: "protectResources", type: "boolean", default: true, description: "Set Pulumi's protect option on the cluster and KMS keys (must stay true in prod)." },

    // Network
    { key: "vpcCidr", type: "string", default: "10.40.0.0/16", description: "CIDR of the new VPC (private RFC 1918 range, /16 to /24)." },
    { key: "azCount", type: "integer", default: 3, description: "Availability Zones to spread subnets and instances over (2 to 6)." },
    { key: "existingVpcId", type: "string", default: "", description: "Use this existing VPC instead of creating one (vpc-...)." },
    { key: "existingDbSubnetIds", type: "array", default: [], description: "Existing isolated subnets for the database (at least two, in distinct AZs); required with existingVpcId." },
    { key: "appSecurityGroupIds", type: "array", default: [], description: "Security groups of the applications allowed to connect (existing-VPC mode; a new VPC gets its own)." },
    { key: "allowedCidrs", type: "array", default: [], description: "Private (RFC 1918) CIDRs allowed to connect to the database port." },
    { key: "dbPort", type: "integer", default: 5432, description: "PostgreSQL port (1150 to 65535)." },
    { key: "flowLogsTrafficType", type: "string", default: "ALL", description: "VPC flow log traffic type: ALL or REJECT." },
    { key: "flowLogsRetentionDays", type: "integer", default: 365, description: "Retention of the VPC flow log group, in days (a CloudWatch Logs retention value)." },
    { key: "vpcEndpoints", type: "boolean", default: true, description: "Create interface endpoints for Secrets Manager, KMS, CloudWatch Logs, Monitoring and RDS." },
];

/** Looks up a key's spec; throws for keys that are not declared (a programming error). */
export function specOf(key: string): ConfigKeySpec {
    const spec = CONFIG_KEYS.find((s) => s.key === key);
    if (!spec) {
        throw new Error(`config key '${key}' is not declared in config/schema.ts`);
    }
    return spec;
}
