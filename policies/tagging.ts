/**
 * REQ-012: every taggable AWS resource carries the organisation's required tags.
 */
import { ResourceValidationArgs } from "@pulumi/policy";
import { GuardrailPolicy, resourcePolicy, tagsOf } from "./util";

/**
 * AWS types known to support tags, so that a resource that omits `tags` altogether is still checked.
 * Any other `aws:` type is checked when its props contain `tags` or `tagsAll`; types without tags
 * (aws.kms.Alias, aws.iam.RolePolicy, aws.ec2.RouteTableAssociation, aws.rds.ClusterActivityStream,
 * aws.secretsmanager.SecretVersion/SecretRotation, aws.cloudwatch.Dashboard (CloudWatch dashboards
 * cannot be tagged; the provider has no tags input), ...) never are.
 */
export const KNOWN_TAGGABLE_TYPES: readonly string[] = [
    "aws:backup/plan:Plan",
    "aws:backup/vault:Vault",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/eip:Eip",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:kms/key:Key",
    "aws:lambda/function:Function",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:rds/globalCluster:GlobalCluster",
    "aws:rds/instance:Instance",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/proxy:Proxy",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:secretsmanager/secret:Secret",
    "aws:sns/topic:Topic",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
];

export const DEFAULT_REQUIRED_TAGS = ["Environment", "Application", "Team", "CostCenter", "ManagedBy"];
export const DEFAULT_ALLOWED_ENVIRONMENTS = ["dev", "test", "qa", "staging", "prod"];

export function isTaggable(type: string, props: Record<string, any>): boolean {
    if (!type.startsWith("aws:")) {
        return false;
    }
    return KNOWN_TAGGABLE_TYPES.includes(type) || props.tags !== undefined || props.tagsAll !== undefined;
}

interface TaggingConfig {
    requiredTags: string[];
    allowedEnvironments: string[];
}

export const requiredTags = resourcePolicy({
    name: "required-tags",
    description: "Every taggable AWS resource must carry the required tags (non-empty), with Environment in the allowed set.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Add the missing tags to the resource, or once for all resources with the " +
        "AWS provider's defaultTags; use one of the allowed Environment values.",
    anchors: {
        requirements: ["REQ-012"],
        securityHub: ["RDS.28", "RDS.30", "RDS.33", "SecretsManager.5", "SNS.3"],
        awsConfig: ["required-tags"],
        checkov: [],
        frameworks: [],
    },
    configSchema: {
        properties: {
            requiredTags: {
                type: "array",
                items: { type: "string" },
                default: DEFAULT_REQUIRED_TAGS,
                description: "Tag keys every taggable resource must carry with a non-empty value (case-sensitive).",
            },
            allowedEnvironments: {
                type: "array",
                items: { type: "string" },
                default: DEFAULT_ALLOWED_ENVIRONMENTS,
                description: "Allowed values of the Environment tag.",
            },
        },
    },
    validateResource: (args: ResourceValidationArgs, report) => {
        if (!isTaggable(args.type, args.props)) {
            args.notApplicable(`${args.type} does not support tags`);
        }
        const config = args.getConfig<TaggingConfig>();
        const tags = { ...(args.provider?.props?.defaultTags?.tags ?? {}), ...tagsOf(args.props) };
        const missing = config.requiredTags.filter((k) => typeof tags[k] !== "string" || (tags[k] as string).trim() === "");
        if (missing.length > 0) {
            report(`Missing required tags: ${missing.join(", ")}.`);
        }
        const env = tags.Environment;
        if (typeof env === "string" && env.trim() !== "" && !config.allowedEnvironments.includes(env)) {
            report(`Environment tag '${env}' is not one of the allowed values: ${config.allowedEnvironments.join(", ")}.`);
        }
    },
});

export const taggingPolicies: GuardrailPolicy[] = [requiredTags];
