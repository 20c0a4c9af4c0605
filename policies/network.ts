/**
 * REQ-003: databases reachable only from private networks.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { GuardrailPolicy, dependsOn, identifiersOf, isUnknown, read, refersTo, resourcePolicy, stackPolicy, validateTypes } from "./util";

const FRAMEWORKS = ["HIPAA", "PCI DSS"];

export const instanceNotPublic = resourcePolicy({
    name: "rds-instance-not-publicly-accessible",
    description: "RDS and Aurora DB instances must not be publicly accessible.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove publiclyAccessible (or set it to false) and place the instances in private subnets.",
    anchors: {
        requirements: ["REQ-003"],
        securityHub: ["RDS.2"],
        awsConfig: ["rds-instance-public-access-check"],
        checkov: ["CKV_AWS_17"],
        frameworks: FRAMEWORKS,
    },
    validateResource: validateTypes([aws.rds.ClusterInstance, aws.rds.Instance], (instance, _args, report) => {
        if (instance.publiclyAccessible === true) {
            report("DB instance is publicly accessible: set publiclyAccessible to false.");
        }
    }),
});

const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];
const ALL_PROTOCOLS = ["-1", "all"];
const TCP = ["tcp", "6"];

/** One ingress permission, normalised over the three ways the AWS provider declares them. */
interface Ingress {
    protocol: unknown;
    fromPort: unknown;
    toPort: unknown;
    cidrs: unknown[];
}

/** The findings for one ingress permission: which database ports (or all ports) it opens to the internet. */
export function publicIngressFindings(rule: Ingress, databasePorts: number[]): string[] {
    const open = rule.cidrs.filter((c): c is string => typeof c === "string" && OPEN_CIDRS.includes(c));
    if (open.length === 0) {
        return [];
    }
    const protocol = String(rule.protocol ?? "").toLowerCase();
    const from = Number(rule.fromPort);
    const to = Number(rule.toPort);
    const ports = ALL_PROTOCOLS.includes(protocol)
        ? ["all ports"]
        : TCP.includes(protocol)
          ? from <= 0 && to >= 65535
              ? ["all ports"]
              : databasePorts.filter((p) => from <= p && p <= to).map((p) => `port ${p}`)
          : [];
    return ports.flatMap((p) => open.map((cidr) => `${p} open to ${cidr}`));
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

interface NetworkConfig {
    databasePorts: number[];
}

const databasePortsSchema = {
    properties: {
        databasePorts: {
            type: "array" as const,
            items: { type: "integer" as const },
            default: [5432, 3306],
            description: "Database ports that must never be reachable from 0.0.0.0/0 or ::/0.",
        },
    },
};

function reportAll(findings: string[], report: (m: string) => void) {
    for (const f of findings) {
        report(
            `Security group ingress exposes the database to the internet: ` +
                `${f}. Allow only the application security group or private CIDRs.`,
        );
    }
}

export const noPublicDatabaseIngress = resourcePolicy({
    name: "security-group-no-public-database-ingress",
    description: "Security groups must not open database ports (or all ports) to 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Replace the 0.0.0.0/0 or ::/0 source with referencedSecurityGroupId of " +
        "the application security group, or with the private CIDRs that need access.",
    anchors: {
        requirements: ["REQ-003"],
        securityHub: ["EC2.19", "EC2.18"],
        awsConfig: ["restricted-common-ports", "vpc-sg-open-only-to-authorized-ports"],
        checkov: ["CKV_AWS_277"],
        frameworks: FRAMEWORKS,
    },
    configSchema: databasePortsSchema,
    validateResource: [
        validateResourceOfType(aws.ec2.SecurityGroup, (sg, args, report) => {
            const { databasePorts } = args.getConfig<NetworkConfig>();
            for (const rule of list(read(sg, "ingress")) as Array<Record<string, any>>) {
                const cidrs = [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)];
                reportAll(
                    publicIngressFindings({ protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs }, databasePorts),
                    report,
                );
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, report) => {
            const { databasePorts } = args.getConfig<NetworkConfig>();
            const cidrs = [read(rule, "cidrIpv4"), read(rule, "cidrIpv6")];
            reportAll(
                publicIngressFindings({ protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs }, databasePorts),
                report,
            );
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, report) => {
            if (rule.type !== "ingress") {
                args.notApplicable("Only ingress rules are checked");
            }
            const { databasePorts } = args.getConfig<NetworkConfig>();
            const cidrs = [...list(read(rule, "cidrBlocks")), ...list(read(rule, "ipv6CidrBlocks"))];
            reportAll(
                publicIngressFindings({ protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs }, databasePorts),
                report,
            );
        }),
    ],
});

const isIgw = (gatewayId: unknown) => typeof gatewayId === "string" && gatewayId.startsWith("igw-");

/** An internet gateway by id, or (its id unknown in a preview) by depending on an aws.ec2.InternetGateway of the stack. */
const toIgw = (r: PolicyResource, key: string, value: unknown) =>
    isIgw(value) || (r.propertyDependencies[key] ?? []).some((d) => d.isType(aws.ec2.InternetGateway));

export const subnetGroupPrivate = stackPolicy({
    name: "rds-subnet-group-private",
    description: "DB subnet groups must contain only private subnets: no public IP on launch and no route to an internet gateway.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Use subnets with mapPublicIpOnLaunch false, associated with route tables that have no " +
        "0.0.0.0/0 route to an igw-* gateway (use VPC endpoints or a NAT gateway in another tier).",
    anchors: {
        requirements: ["REQ-003"],
        securityHub: ["RDS.46", "EC2.15"],
        awsConfig: ["no-unrestricted-route-to-igw", "subnet-auto-assign-public-ip-disabled"],
        checkov: ["CKV_AWS_130"],
        frameworks: FRAMEWORKS,
    },
    validateStack: (args, report) => {
        const ofType = (cls: { new (...rest: any[]): any }) => args.resources.filter((r) => r.isType(cls));
        const subnets = ofType(aws.ec2.Subnet);
        const associations = ofType(aws.ec2.RouteTableAssociation);
        const routeTables = ofType(aws.ec2.RouteTable);
        const routes = ofType(aws.ec2.Route);

        const routesToIgw = (table: PolicyResource): boolean =>
            list(read(table.props, "routes")).some((r) => toIgw(table, "routes", (r as Record<string, unknown>).gatewayId)) ||
            routes.some((r) => toIgw(r, "gatewayId", read(r.props, "gatewayId")) && refersTo(r, "routeTableId", table));

        for (const group of ofType(aws.rds.SubnetGroup)) {
            const ids = list(read(group.props, "subnetIds"));
            const members = subnets.filter((s) => dependsOn(group, "subnetIds", s) || identifiersOf(s).some((id) => ids.includes(id)));
            for (const subnet of members) {
                const id = read(subnet.props, "id");
                const label = typeof id === "string" && !isUnknown(id) ? id : subnet.name;
                if (read(subnet.props, "mapPublicIpOnLaunch") === true) {
                    report(`DB subnet group includes subnet '${label}' with mapPublicIpOnLaunch enabled.`, group.urn);
                }
                const tables = associations
                    .filter((a) => refersTo(a, "subnetId", subnet))
                    .flatMap((a) => routeTables.filter((t) => refersTo(a, "routeTableId", t)));
                if (tables.some(routesToIgw)) {
                    report(`DB subnet group includes subnet '${label}' whose route table routes to an internet gateway.`, group.urn);
                }
            }
        }
    },
});

export const networkPolicies: GuardrailPolicy[] = [instanceNotPublic, noPublicDatabaseIngress, subnetGroupPrivate];
