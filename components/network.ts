/**
 * The database's network: isolated subnets with no route out, a subnet group, a security group that
 * admits only the application on the database port, flow logs and interface endpoints (REQ-003).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems, checkIdentifier, checkIntegerRange, checkLogRetention, checkOneOf, checkPrivateCidr, subnetCidrs } from "./validation";
import { assumeRolePolicy, deploymentAccount, policyDocument } from "./iam";

/** AWS services that private workloads (rotation functions, the proxy, monitoring) reach through endpoints. */
export const ENDPOINT_SERVICES = ["secretsmanager", "kms", "logs", "monitoring", "rds"] as const;

/** What every network has, new VPC or existing. */
interface NetworkCommonSettings {
    /** Private CIDRs allowed to connect on the database port. Default none. */
    readonly allowedCidrs: readonly string[];
    /** Database port (1150 to 65535). */
    readonly dbPort: number;
    /** Flow log traffic type: ALL, or REJECT to log only refused connections. */
    readonly flowLogsTrafficType: "ALL" | "REJECT";
    /** Flow log group retention in days (a CloudWatch Logs retention value). */
    readonly flowLogsRetentionDays: number;
    /** Create interface endpoints for ENDPOINT_SERVICES. */
    readonly vpcEndpoints: boolean;
}

/** A new, isolated VPC the component creates. */
export interface NewVpcSettings extends NetworkCommonSettings {
    readonly mode: "new";
    /** CIDR of the new VPC (private, /16 to /24). Split into sixteenths: database subnets first, application subnets from the ninth. */
    readonly vpcCidr: string;
    /** Availability Zones used (2 to 6; one database and one application subnet each). */
    readonly azCount: number;
    /**
     * Workloads in other VPCs through a transit gateway: the database subnets are attached to it and
     * `allowedCidrs` are routed to it from the database route table only.
     * @default "" (none)
     */
    readonly transitGatewayId?: string;
    /**
     * Workloads in a peered VPC: an accepted peering connection that `allowedCidrs` are routed
     * through from the database route table only.
     * @default "" (none)
     */
    readonly vpcPeeringConnectionId?: string;
}

/** Subnets of a VPC that another team or stack owns (its routes, endpoints and peering are theirs). */
export interface ExistingVpcSettings extends NetworkCommonSettings {
    readonly mode: "existing";
    /** The VPC (vpc-...). */
    readonly existingVpcId: string;
    /** Isolated subnets for the database, at least two in distinct AZs. */
    readonly existingDbSubnetIds: readonly string[];
    /** Application security groups allowed to connect (a new VPC creates its own). */
    readonly appSecurityGroupIds: readonly string[];
}

/** The network's settings: a new VPC or an existing one, told apart by `mode`. */
export type NetworkSettings = NewVpcSettings | ExistingVpcSettings;

/** The wiring every network needs besides its settings. */
interface NetworkWiring {
    /** Prefix of every physical name, e.g. `aurora-prod`. */
    readonly namePrefix: string;
    /** Region the network is created in (each resource's `region`; endpoint service names are regional). */
    readonly region: string;
    /** KMS key ARN that encrypts the flow log group (the logs key). */
    readonly logsKmsKeyArn: pulumi.Input<string>;
    /** Tags applied to every taggable resource. */
    readonly tags: Record<string, string>;
}

export type NetworkArgs = NetworkSettings & NetworkWiring;

/**
 * Whether workloads in the database subnets (rotation functions, the proxy) reach AWS APIs: a new VPC
 * only through our endpoints; an existing VPC may have its own endpoints or NAT.
 */
export function reachesAwsApisPrivately(network: NetworkSettings): boolean {
    return network.vpcEndpoints || network.mode === "existing";
}

/** The CIDR of a new VPC: private, and /16 to /24. */
export function checkVpcCidr(cidr: string): string | undefined {
    const prefix = Number(cidr.split("/")[1]);
    // Each tier's subnets are /prefix+4 blocks; a /24 VPC gives /28 subnets, AWS's smallest.
    return (
        checkPrivateCidr(cidr) ??
        (prefix >= 16 && prefix <= 24
            ? undefined
            : "must be a /16 to /24 block (it is split into one database and one application subnet per AZ)")
    );
}

/**
 * Every rule of the network settings, once: the component checks its arguments with it and config
 * loading checks the stack file with it; `name` maps a field to the caller's name for it.
 */
export function validateNetworkSettings(s: NetworkSettings, problems: Problems, name: (field: string) => string): void {
    // Plain-JavaScript callers are not held to the union: fields of the other mode are refused, not ignored.
    const given = s as Partial<Omit<NewVpcSettings, "mode"> & Omit<ExistingVpcSettings, "mode">>;
    for (const cidr of s.allowedCidrs) {
        problems.check(name("allowedCidrs"), cidr, checkPrivateCidr(cidr));
    }
    problems.check(name("dbPort"), s.dbPort, checkIntegerRange(s.dbPort, 1150, 65535));
    problems.check(name("flowLogsTrafficType"), s.flowLogsTrafficType, checkOneOf(s.flowLogsTrafficType, ["ALL", "REJECT"]));
    problems.check(name("flowLogsRetentionDays"), s.flowLogsRetentionDays, checkLogRetention(s.flowLogsRetentionDays));
    if (s.mode === "new") {
        problems.check(name("azCount"), s.azCount, checkIntegerRange(s.azCount, 2, 6));
        problems.check(name("vpcCidr"), s.vpcCidr, checkVpcCidr(s.vpcCidr));
        if ((given.existingDbSubnetIds ?? []).length > 0 || (given.appSecurityGroupIds ?? []).length > 0) {
            problems.add(
                `${name("existingDbSubnetIds")} and ${name("appSecurityGroupIds")} only apply with ${name("existingVpcId")}; ` +
                    `a new VPC creates its own subnets and application security group`,
            );
        }
    } else {
        problems.check(
            name("existingVpcId"),
            s.existingVpcId,
            /^vpc-[0-9a-f]{8,17}$/.test(s.existingVpcId) ? undefined : "must be a VPC id such as vpc-0123456789abcdef0",
        );
        const badSubnet = s.existingDbSubnetIds.find((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id));
        if (s.existingDbSubnetIds.length < 2 || new Set(s.existingDbSubnetIds).size !== s.existingDbSubnetIds.length) {
            problems.check(
                name("existingDbSubnetIds"),
                s.existingDbSubnetIds,
                `must list at least two distinct subnet ids (in different AZs) when ${name("existingVpcId")} is set`,
            );
        } else if (badSubnet !== undefined) {
            problems.check(name("existingDbSubnetIds"), badSubnet, "must be a subnet id such as subnet-0123456789abcdef0");
        }
        const badGroup = s.appSecurityGroupIds.find((id) => !/^sg-[0-9a-f]{8,17}$/.test(id));
        problems.check(
            name("appSecurityGroupIds"),
            badGroup,
            badGroup === undefined ? undefined : "must be a security group id such as sg-0123456789abcdef0",
        );
        if (s.appSecurityGroupIds.length === 0 && s.allowedCidrs.length === 0) {
            problems.add(
                `${name("appSecurityGroupIds")} and ${name("allowedCidrs")} are both empty: with an existing VPC, ` +
                    `name the application security groups and/or private CIDRs allowed to reach the database`,
            );
        }
    }
    validateRemoteNetwork(
        {
            mode: s.mode,
            allowedCidrs: s.allowedCidrs,
            transitGatewayId: given.transitGatewayId,
            vpcPeeringConnectionId: given.vpcPeeringConnectionId,
        },
        problems,
        name,
    );
}

/** Rules for reaching the database from other VPCs; `name` maps a field to the caller's name for it. */
function validateRemoteNetwork(
    s: {
        readonly mode: NetworkSettings["mode"];
        readonly allowedCidrs: readonly string[];
        readonly transitGatewayId?: string;
        readonly vpcPeeringConnectionId?: string;
    },
    problems: Problems,
    name: (field: string) => string,
): void {
    const tgw = s.transitGatewayId ?? "";
    const pcx = s.vpcPeeringConnectionId ?? "";
    if (tgw !== "" && !/^tgw-[0-9a-f]{8,17}$/.test(tgw)) {
        problems.check(name("transitGatewayId"), tgw, "must be a transit gateway id such as tgw-0123456789abcdef0");
    }
    if (pcx !== "" && !/^pcx-[0-9a-f]{8,17}$/.test(pcx)) {
        problems.check(name("vpcPeeringConnectionId"), pcx, "must be a VPC peering connection id such as pcx-0123456789abcdef0");
    }
    if (tgw !== "" && pcx !== "") {
        problems.add(
            `${name("transitGatewayId")} and ${name("vpcPeeringConnectionId")} are both set: route the other VPCs through one of them`,
        );
    }
    if ((tgw !== "" || pcx !== "") && s.mode === "existing") {
        problems.add(
            `${name(tgw !== "" ? "transitGatewayId" : "vpcPeeringConnectionId")} applies only to a new VPC: ` +
                `an existing VPC's routes belong to the network that owns it`,
        );
    } else if ((tgw !== "" || pcx !== "") && s.allowedCidrs.length === 0) {
        problems.add(
            `${name(tgw !== "" ? "transitGatewayId" : "vpcPeeringConnectionId")} needs ${name("allowedCidrs")}: ` +
                `the other VPCs' CIDRs are what is routed to it and allowed on the database port`,
        );
    }
}

/** The first `azCount` available zones; fails the preview when the region has fewer. */
export function selectZones(available: readonly string[], azCount: number, region: string): string[] {
    if (available.length < azCount) {
        throw new Error(`azCount = ${azCount}: region ${region} has only ${available.length} available AZs (${available.join(", ")})`);
    }
    return available.slice(0, azCount);
}

/** Isolated database network (new VPC or existing subnets), DB subnet group and security groups. */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    /** Database subnet ids, one per AZ. */
    public readonly dbSubnetIds: pulumi.Output<string[]>;
    /** Availability Zones of the database subnets, in the same order. */
    public readonly dbSubnetAzs: pulumi.Output<string[]>;
    /** Application subnet ids (new VPC only; empty for an existing VPC). */
    public readonly appSubnetIds: pulumi.Output<string[]>;
    public readonly dbSubnetGroupName: pulumi.Output<string>;
    /** The security group attached to the cluster. */
    public readonly dbSecurityGroupId: pulumi.Output<string>;
    /** Security groups whose members may connect to the database (created or given). */
    public readonly appSecurityGroupIds: pulumi.Output<string[]>;
    /** How many application security groups there are (rules elsewhere are declared per group). */
    public readonly appSecurityGroupCount: number;
    /**
     * The application security group this component created and whose egress it owns (new VPC only):
     * components in front of the database (the proxy) add their own egress rule to it.
     */
    public readonly managedAppSecurityGroupId: pulumi.Output<string> | undefined;
    /** Security group of the interface endpoints (undefined when endpoints are off). */
    public readonly endpointSecurityGroupId: pulumi.Output<string | undefined>;
    /** The VPC's CIDR block. */
    public readonly vpcCidr: pulumi.Output<string>;
    private readonly admit: (clientName: string, securityGroupId: pulumi.Input<string>) => aws.vpc.SecurityGroupIngressRule;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:network:Network", name, {}, opts);
        const problems = new Problems();
        validateNetworkSettings(args, problems, (field) => field);
        problems.throwIfAny(this, `Invalid Network arguments for '${name}':`);

        const tags = (suffix: string) => ({ ...args.tags, Name: `${args.namePrefix}-${suffix}` });
        let appSecurityGroupIds: pulumi.Output<string[]>;
        let endpointSubnetIds: pulumi.Output<string[]>;

        if (args.mode === "new") {
            const vpc = new aws.ec2.Vpc(
                `${name}-vpc`,
                { region: args.region, cidrBlock: args.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags("vpc") },
                { parent: this },
            );
            // Take away every rule of the default security group so nothing can use it by accident.
            new aws.ec2.DefaultSecurityGroup(
                `${name}-default-sg`,
                { region: args.region, vpcId: vpc.id, tags: tags("default-do-not-use") },
                { parent: this },
            );

            const zones = aws
                .getAvailabilityZonesOutput({ state: "available", region: args.region }, { parent: this })
                .names.apply((names) => selectZones(names, args.azCount, args.region));
            const newPrefix = Number(args.vpcCidr.split("/")[1]) + 4;
            const tiers = {
                db: subnetCidrs(args.vpcCidr, newPrefix, 0, args.azCount),
                app: subnetCidrs(args.vpcCidr, newPrefix, 8, args.azCount),
            };
            const routeTables: Partial<Record<"db" | "app", aws.ec2.RouteTable>> = {};
            const subnetsOf = (tier: "db" | "app") => {
                // A route table with only the implicit local route: no internet gateway, no NAT.
                const routeTable = new aws.ec2.RouteTable(
                    `${name}-${tier}-rt`,
                    { region: args.region, vpcId: vpc.id, tags: tags(`${tier}-isolated`) },
                    { parent: this },
                );
                routeTables[tier] = routeTable;
                return tiers[tier].map((cidr, i) => {
                    const subnet = new aws.ec2.Subnet(
                        `${name}-${tier}-${i}`,
                        {
                            region: args.region,
                            vpcId: vpc.id,
                            cidrBlock: cidr,
                            availabilityZone: zones[i],
                            mapPublicIpOnLaunch: false,
                            tags: { ...tags(`${tier}-${i}`), Tier: tier === "db" ? "database" : "application" },
                        },
                        { parent: this },
                    );
                    new aws.ec2.RouteTableAssociation(
                        `${name}-${tier}-${i}`,
                        { region: args.region, subnetId: subnet.id, routeTableId: routeTable.id },
                        { parent: this },
                    );
                    return subnet;
                });
            };
            const dbSubnets = subnetsOf("db");
            const appSubnets = subnetsOf("app");
            this.routeToOtherVpcs(name, args, vpc.id, dbSubnets, routeTables.db!, tags);

            const flowLogGroup = new aws.cloudwatch.LogGroup(
                `${name}-flow-logs`,
                {
                    region: args.region,
                    name: `/aws/vpc/flow-logs/${args.namePrefix}`,
                    retentionInDays: args.flowLogsRetentionDays,
                    kmsKeyId: args.logsKmsKeyArn,
                    tags: tags("flow-logs"),
                },
                { parent: this },
            );
            const { accountId } = deploymentAccount(this);
            const flowLogRole = new aws.iam.Role(
                `${name}-flow-logs`,
                {
                    name: `${args.namePrefix}-flow-logs`,
                    assumeRolePolicy: accountId.apply((account) => assumeRolePolicy("vpc-flow-logs.amazonaws.com", account)),
                    tags: tags("flow-logs"),
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-flow-logs`,
                {
                    role: flowLogRole.name,
                    policy: flowLogGroup.arn.apply((arn) =>
                        policyDocument([
                            {
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                                Resource: [arn, `${arn}:*`],
                            },
                        ]),
                    ),
                },
                { parent: this },
            );
            new aws.ec2.FlowLog(
                `${name}-flow-log`,
                {
                    region: args.region,
                    vpcId: vpc.id,
                    trafficType: args.flowLogsTrafficType,
                    logDestinationType: "cloud-watch-logs",
                    logDestination: flowLogGroup.arn,
                    iamRoleArn: flowLogRole.arn,
                    maxAggregationInterval: 60,
                    tags: tags("flow-log"),
                },
                { parent: this },
            );

            const appSecurityGroup = new aws.ec2.SecurityGroup(
                `${name}-app-sg`,
                {
                    region: args.region,
                    vpcId: vpc.id,
                    name: `${args.namePrefix}-app`,
                    description: `Applications allowed to reach the ${args.namePrefix} database; attach it to their ENIs`,
                    revokeRulesOnDelete: true,
                    tags: tags("app"),
                },
                { parent: this },
            );
            this.vpcId = vpc.id;
            this.vpcCidr = vpc.cidrBlock;
            this.dbSubnetIds = pulumi.all(dbSubnets.map((s) => s.id));
            this.dbSubnetAzs = pulumi.all(dbSubnets.map((s) => s.availabilityZone));
            this.appSubnetIds = pulumi.all(appSubnets.map((s) => s.id));
            appSecurityGroupIds = pulumi.all([appSecurityGroup.id]);
            endpointSubnetIds = this.appSubnetIds;
        } else {
            const subnets = args.existingDbSubnetIds.map((id) => aws.ec2.getSubnetOutput({ id, region: args.region }, { parent: this }));
            this.vpcId = pulumi.output(args.existingVpcId);
            this.vpcCidr = aws.ec2.getVpcOutput({ id: args.existingVpcId, region: args.region }, { parent: this }).cidrBlock;
            this.dbSubnetIds = pulumi.output([...args.existingDbSubnetIds]);
            this.dbSubnetAzs = pulumi.all(subnets.map((s) => s.availabilityZone)).apply((azs) => {
                if (new Set(azs).size < 2) {
                    throw new pulumi.ResourceError(
                        `existingDbSubnetIds = ${JSON.stringify(args.existingDbSubnetIds)}: ` +
                            `the subnets are all in ${azs[0]}; they must span at least two AZs`,
                        this,
                        true,
                    );
                }
                return azs;
            });
            this.appSubnetIds = pulumi.output([]);
            appSecurityGroupIds = pulumi.output([...args.appSecurityGroupIds]);
            endpointSubnetIds = this.dbSubnetIds;
        }
        this.appSecurityGroupIds = appSecurityGroupIds;
        this.appSecurityGroupCount = args.mode === "new" ? 1 : args.appSecurityGroupIds.length;

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-db`,
            {
                region: args.region,
                name: `${args.namePrefix}-db`,
                description: `Isolated database subnets of ${args.namePrefix}`,
                subnetIds: this.dbSubnetIds,
                tags: tags("db"),
            },
            { parent: this },
        );
        this.dbSubnetGroupName = subnetGroup.name;

        // No egress rules: Aurora answers on established connections and starts none of its own.
        const dbSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-db-sg`,
            {
                region: args.region,
                vpcId: this.vpcId,
                name: `${args.namePrefix}-db`,
                // The description is immutable (changing it replaces the group), so it names no port.
                description: `Aurora PostgreSQL ${args.namePrefix}: the database port from the application only`,
                revokeRulesOnDelete: true,
                tags: tags("db"),
            },
            { parent: this },
        );
        this.dbSecurityGroupId = dbSecurityGroup.id;
        this.admit = (clientName, securityGroupId) =>
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-db-from-${clientName}`,
                {
                    region: args.region,
                    securityGroupId: dbSecurityGroup.id,
                    referencedSecurityGroupId: securityGroupId,
                    ipProtocol: "tcp",
                    fromPort: args.dbPort,
                    toPort: args.dbPort,
                    description: `PostgreSQL from ${clientName}`,
                    tags: tags(`db-from-${clientName}`),
                },
                { parent: this },
            );
        for (let i = 0; i < this.appSecurityGroupCount; i++) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-db-from-app-${i}`,
                {
                    region: args.region,
                    securityGroupId: dbSecurityGroup.id,
                    referencedSecurityGroupId: appSecurityGroupIds[i],
                    ipProtocol: "tcp",
                    fromPort: args.dbPort,
                    toPort: args.dbPort,
                    description: `PostgreSQL from application security group ${i + 1}`,
                    tags: tags(`db-from-app-${i}`),
                },
                { parent: this },
            );
        }
        args.allowedCidrs.forEach((cidr, i) => {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-db-from-cidr-${i}`,
                {
                    region: args.region,
                    securityGroupId: dbSecurityGroup.id,
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: args.dbPort,
                    toPort: args.dbPort,
                    description: `PostgreSQL from private range ${cidr}`,
                    tags: tags(`db-from-cidr-${i}`),
                },
                { parent: this },
            );
        });
        if (args.mode === "new") {
            // The application group may only talk to the database on its port, to the proxy (secrets.ts) and to
            // the interface endpoints: the routes the docs tell applications to use. Other egress is the user's call.
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-app-to-db`,
                {
                    region: args.region,
                    securityGroupId: appSecurityGroupIds[0],
                    referencedSecurityGroupId: dbSecurityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: args.dbPort,
                    toPort: args.dbPort,
                    description: "PostgreSQL to the database",
                    tags: tags("app-to-db"),
                },
                { parent: this },
            );
        }

        this.endpointSecurityGroupId = args.vpcEndpoints
            ? this.createEndpoints(name, args, endpointSubnetIds, tags)
            : pulumi.output(undefined);
        this.managedAppSecurityGroupId = args.mode === "new" ? appSecurityGroupIds[0] : undefined;
        if (this.managedAppSecurityGroupId !== undefined && args.vpcEndpoints) {
            // Applications read their secrets from Secrets Manager through its interface endpoint.
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-app-to-endpoints`,
                {
                    region: args.region,
                    securityGroupId: this.managedAppSecurityGroupId,
                    referencedSecurityGroupId: this.endpointSecurityGroupId as pulumi.Output<string>,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    description: "HTTPS to the interface endpoints (Secrets Manager for the application secrets)",
                    tags: tags("app-to-endpoints"),
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            dbSubnetIds: this.dbSubnetIds,
            appSubnetIds: this.appSubnetIds,
            dbSubnetGroupName: this.dbSubnetGroupName,
            dbSecurityGroupId: this.dbSecurityGroupId,
            appSecurityGroupIds: this.appSecurityGroupIds,
            endpointSecurityGroupId: this.endpointSecurityGroupId,
        });
    }

    /**
     * Routes the allowed CIDRs of other VPCs from the database route table only (never the application
     * tier, never 0.0.0.0/0), through the transit gateway (with an attachment in the database subnets)
     * or the peering connection the stack names.
     */
    private routeToOtherVpcs(
        name: string,
        args: NetworkArgs,
        vpcId: pulumi.Output<string>,
        dbSubnets: aws.ec2.Subnet[],
        dbRouteTable: aws.ec2.RouteTable,
        tags: (suffix: string) => Record<string, string>,
    ): void {
        // Only a new VPC's routes are ours to set (validateRemoteNetwork refuses them for an existing one).
        const transitGatewayId = args.mode === "new" ? (args.transitGatewayId ?? "") : "";
        const vpcPeeringConnectionId = args.mode === "new" ? (args.vpcPeeringConnectionId ?? "") : "";
        if (transitGatewayId === "" && vpcPeeringConnectionId === "") {
            return;
        }
        const attachment =
            transitGatewayId === ""
                ? undefined
                : new aws.ec2transitgateway.VpcAttachment(
                      `${name}-tgw`,
                      {
                          region: args.region,
                          transitGatewayId,
                          vpcId,
                          subnetIds: dbSubnets.map((s) => s.id),
                          dnsSupport: "enable",
                          tags: tags("tgw"),
                      },
                      { parent: this },
                  );
        args.allowedCidrs.forEach((cidr, i) => {
            new aws.ec2.Route(
                `${name}-db-to-remote-${i}`,
                {
                    region: args.region,
                    routeTableId: dbRouteTable.id,
                    destinationCidrBlock: cidr,
                    ...(attachment ? { transitGatewayId } : { vpcPeeringConnectionId }),
                },
                { parent: this, dependsOn: attachment ? [attachment] : [] },
            );
        });
    }

    /**
     * Admits a client's security group (a service declared elsewhere, e.g. an ECS service or a Lambda
     * function) on the database port, with its own described rule; `clientName` names the rule.
     */
    allowClient(clientName: string, securityGroupId: pulumi.Input<string>): aws.vpc.SecurityGroupIngressRule {
        const problems = new Problems();
        problems.check("clientName", clientName, checkIdentifier(clientName, 40));
        problems.throwIfAny(this, `Invalid Network.allowClient arguments:`);
        return this.admit(clientName, securityGroupId);
    }

    private createEndpoints(
        name: string,
        args: NetworkArgs,
        subnetIds: pulumi.Output<string[]>,
        tags: (suffix: string) => Record<string, string>,
    ): pulumi.Output<string> {
        const endpointSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-endpoints-sg`,
            {
                region: args.region,
                vpcId: this.vpcId,
                name: `${args.namePrefix}-endpoints`,
                description: `Interface endpoints of ${args.namePrefix}: HTTPS from inside the VPC only`,
                revokeRulesOnDelete: true,
                tags: tags("endpoints"),
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-endpoints-https`,
            {
                region: args.region,
                securityGroupId: endpointSecurityGroup.id,
                cidrIpv4: this.vpcCidr,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "HTTPS to AWS APIs from inside the VPC",
                tags: tags("endpoints-https"),
            },
            { parent: this },
        );
        for (const service of ENDPOINT_SERVICES) {
            new aws.ec2.VpcEndpoint(
                `${name}-${service}`,
                {
                    region: args.region,
                    vpcId: this.vpcId,
                    serviceName: `com.amazonaws.${args.region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds,
                    securityGroupIds: [endpointSecurityGroup.id],
                    tags: tags(`${service}-endpoint`),
                },
                { parent: this },
            );
        }
        return endpointSecurityGroup.id;
    }
}
