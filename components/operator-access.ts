/**
 * An opt-in, audited way for operators into the isolated database subnets, without opening them:
 * Session Manager port forwarding through one minimal managed instance (no public IP, no inbound
 * rule, IMDSv2 only, encrypted root volume), reaching only the cluster's endpoints on the database
 * port.
 *
 * Why not EC2 Instance Connect Endpoint: its tunnels accept only ports 22 and 3389, so it cannot
 * reach PostgreSQL on 5432 (see docs/operator-access.md).
 *
 * Operators get one policy: start a session on this instance with this component's port-forwarding
 * document only (the document fixes the host to the writer or reader endpoint and the port to the
 * database port), and end their own sessions. Every session start is recorded by CloudTrail with the
 * document and its parameters; the session log group (encrypted with the logs key) receives the
 * session records Session Manager writes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems, checkIdentifier } from "./validation";
import { assumeRolePolicy, deploymentAccount, policyDocument } from "./iam";

/** The interface endpoints Session Manager needs in a VPC without a route out. */
export const SESSION_MANAGER_ENDPOINT_SERVICES = ["ssm", "ssmmessages", "ec2messages"] as const;

/** Amazon Linux 2023 for arm64, resolved by EC2 at launch (no AMI id to keep current). */
export const OPERATOR_AMI = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

export interface OperatorAccessArgs {
    readonly namePrefix: string;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidr: pulumi.Input<string>;
    /** Subnets for the instance (the first) and the endpoints (all): the database subnets. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Security group of the database; an ingress rule from the instance on `port` is added to it. */
    readonly dbSecurityGroupId: pulumi.Input<string>;
    /** Database port. */
    readonly port: number;
    /** Hosts operators may forward to: the writer and reader endpoints. */
    readonly hosts: pulumi.Input<string>[];
    /**
     * Create the ssm, ssmmessages and ec2messages interface endpoints. Default true; false where a hub VPC provides them
     * (their private DNS would conflict).
     */
    readonly createEndpoints?: boolean;
    /** Instance type of the forwarding instance. Default `t4g.nano` (arm64, matching {@link OPERATOR_AMI}). */
    readonly instanceType?: string;
    /** KMS key for the session log group and the root volume (the logs key). */
    readonly logsKmsKeyArn: pulumi.Input<string>;
    /** Retention of the session log group, days. Default 365. */
    readonly logRetentionDays?: number;
    readonly tags: Record<string, string>;
}

export class OperatorAccess extends pulumi.ComponentResource {
    public readonly instanceId: pulumi.Output<string>;
    public readonly documentName: pulumi.Output<string>;
    /** Attach to the operators' role: the only permissions the access path needs. */
    public readonly operatorPolicyArn: pulumi.Output<string>;
    public readonly sessionLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: OperatorAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:access:OperatorAccess", name, {}, opts);
        const problems = new Problems();
        problems.check("namePrefix", args.namePrefix, checkIdentifier(args.namePrefix));
        const instanceType = args.instanceType ?? "t4g.nano";
        problems.check(
            "instanceType",
            instanceType,
            /^t4g\.(nano|micro|small)$/.test(instanceType) ? undefined : "must be t4g.nano, t4g.micro or t4g.small (arm64, for the image)",
        );
        problems.throwIfAny(this, `Invalid OperatorAccess arguments for '${name}':`);
        const prefix = args.namePrefix;
        const tags = (suffix: string) => ({ ...args.tags, Name: `${prefix}-${suffix}` });
        const { partition, accountId } = deploymentAccount(this);

        const group = new aws.ec2.SecurityGroup(
            `${name}-operator-sg`,
            {
                name: `${prefix}-operator-access`,
                description: `Session Manager port forwarding into ${prefix}: no inbound, out to the database and HTTPS in the VPC`,
                vpcId: args.vpcId,
                tags: tags("operator-access"),
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-operator-to-db`,
            {
                securityGroupId: group.id,
                referencedSecurityGroupId: args.dbSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                description: "to the database port",
                tags: tags("operator-access"),
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-operator-https`,
            {
                securityGroupId: group.id,
                cidrIpv4: args.vpcCidr,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "to the Session Manager endpoints in the VPC",
                tags: tags("operator-access"),
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-db-from-operator`,
            {
                securityGroupId: args.dbSecurityGroupId,
                referencedSecurityGroupId: group.id,
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                description: "from the operator access instance",
                tags: tags("operator-access"),
            },
            { parent: this },
        );

        if (args.createEndpoints ?? true) {
            const endpointGroup = new aws.ec2.SecurityGroup(
                `${name}-ssm-endpoints-sg`,
                {
                    name: `${prefix}-ssm-endpoints`,
                    description: `Session Manager endpoints of ${prefix}: HTTPS from the operator access instance only`,
                    vpcId: args.vpcId,
                    ingress: [
                        {
                            protocol: "tcp",
                            fromPort: 443,
                            toPort: 443,
                            securityGroups: [group.id],
                            description: "HTTPS from the operator access instance",
                        },
                    ],
                    tags: tags("ssm-endpoints"),
                },
                { parent: this },
            );
            for (const service of SESSION_MANAGER_ENDPOINT_SERVICES) {
                new aws.ec2.VpcEndpoint(
                    `${name}-${service}`,
                    {
                        vpcId: args.vpcId,
                        serviceName: `com.amazonaws.${args.region}.${service}`,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: true,
                        subnetIds: args.subnetIds,
                        securityGroupIds: [endpointGroup.id],
                        tags: tags(`${service}-endpoint`),
                    },
                    { parent: this },
                );
            }
        }

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-sessions`,
            {
                name: `/aws/ssm/${prefix}-operator-sessions`,
                kmsKeyId: args.logsKmsKeyArn,
                retentionInDays: args.logRetentionDays ?? 365,
                tags: tags("operator-sessions"),
            },
            { parent: this },
        );

        const role = new aws.iam.Role(
            `${name}-operator-instance`,
            {
                name: `${prefix}-operator-instance`,
                assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"),
                tags: tags("operator-instance"),
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-operator-instance-ssm`,
            { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
            { parent: this },
        );
        const profile = new aws.iam.InstanceProfile(
            `${name}-operator-instance`,
            { name: `${prefix}-operator-instance`, role: role.name, tags: tags("operator-instance") },
            { parent: this },
        );

        const template = new aws.ec2.LaunchTemplate(
            `${name}-operator`,
            {
                name: `${prefix}-operator-access`,
                imageId: OPERATOR_AMI,
                instanceType,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [group.id],
                metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
                // The root volume holds no data (the instance only forwards); encrypted with the account's EBS key.
                blockDeviceMappings: [
                    { deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 8, volumeType: "gp3", deleteOnTermination: "true" } },
                ],
                tags: tags("operator-access"),
            },
            { parent: this },
        );
        const instance = new aws.ec2.Instance(
            `${name}-operator`,
            {
                launchTemplate: { id: template.id, version: "$Latest" },
                subnetId: pulumi.output(args.subnetIds).apply((ids) => ids[0]),
                associatePublicIpAddress: false,
                tags: tags("operator-access"),
            },
            { parent: this },
        );

        const document = new aws.ssm.Document(
            `${name}-port-forwarding`,
            {
                name: `${prefix}-database-port-forwarding`,
                documentType: "Session",
                documentFormat: "JSON",
                content: pulumi.all(args.hosts).apply((hosts) =>
                    JSON.stringify({
                        schemaVersion: "1.0",
                        description: `Port forwarding to the ${prefix} database endpoints on port ${args.port} only`,
                        sessionType: "Port",
                        parameters: {
                            host: { type: "String", description: "Writer or reader endpoint", allowedValues: hosts },
                            portNumber: { type: "String", allowedValues: [String(args.port)], default: String(args.port) },
                            localPortNumber: { type: "String", allowedPattern: "^[0-9]{1,5}$", default: String(args.port) },
                        },
                        properties: {
                            type: "LocalPortForwarding",
                            host: "{{ host }}",
                            portNumber: "{{ portNumber }}",
                            localPortNumber: "{{ localPortNumber }}",
                        },
                    }),
                ),
                tags: tags("database-port-forwarding"),
            },
            { parent: this },
        );

        // Session records: CloudTrail's StartSession calls with this
        // document (who, from where, which host), routed by EventBridge into the encrypted log group.
        // Needs a CloudTrail trail recording management events (most accounts have an organisation trail).
        const rule = new aws.cloudwatch.EventRule(
            `${name}-sessions`,
            {
                name: `${prefix}-operator-sessions`,
                description: `Session Manager sessions into ${prefix} (from CloudTrail) to its operator session log group`,
                eventPattern: document.name.apply((documentName) =>
                    JSON.stringify({
                        source: ["aws.ssm"],
                        "detail-type": ["AWS API Call via CloudTrail"],
                        detail: {
                            eventSource: ["ssm.amazonaws.com"],
                            eventName: ["StartSession"],
                            requestParameters: { documentName: [documentName] },
                        },
                    }),
                ),
                tags: tags("operator-sessions"),
            },
            { parent: this },
        );
        new aws.cloudwatch.LogResourcePolicy(
            `${name}-sessions`,
            {
                policyName: `${prefix}-operator-sessions`,
                policyDocument: logGroup.arn.apply((arn) =>
                    policyDocument([
                        {
                            Sid: "EventBridgeWritesSessionRecords",
                            Effect: "Allow",
                            Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: `${arn}:*`,
                        },
                    ]),
                ),
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-sessions`, { rule: rule.name, arn: logGroup.arn }, { parent: this });

        const policy = new aws.iam.Policy(
            `${name}-operator`,
            {
                name: `${prefix}-operator-access`,
                description: `Port forwarding into ${prefix} through its operator access instance and document only`,
                policy: pulumi.all([instance.arn, document.arn, partition, accountId]).apply(([instanceArn, documentArn, part, account]) =>
                    policyDocument([
                        {
                            Sid: "StartPortForwardingWithTheDatabaseDocumentOnly",
                            Effect: "Allow",
                            Action: "ssm:StartSession",
                            Resource: [instanceArn, documentArn],
                            Condition: { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } },
                        },
                        {
                            Sid: "EndOwnSessions",
                            Effect: "Allow",
                            Action: ["ssm:TerminateSession", "ssm:ResumeSession"],
                            Resource: `arn:${part}:ssm:*:${account}:session/\${aws:userid}-*`,
                        },
                    ]),
                ),
                tags: tags("operator-access"),
            },
            { parent: this },
        );

        this.instanceId = instance.id;
        this.documentName = document.name;
        this.operatorPolicyArn = policy.arn;
        this.sessionLogGroupName = logGroup.name;
        this.registerOutputs({
            instanceId: this.instanceId,
            documentName: this.documentName,
            operatorPolicyArn: this.operatorPolicyArn,
            sessionLogGroupName: this.sessionLogGroupName,
        });
    }
}
