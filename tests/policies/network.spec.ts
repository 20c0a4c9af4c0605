import { expect } from "chai";
import { instanceNotPublic, noPublicDatabaseIngress, publicIngressFindings, subnetGroupPrivate } from "../../policies/network";
import { compliantStack, check, expectNone, expectViolations, mutate, res, stackOf } from "./harness";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

describe("private access policies (REQ-003)", () => {
    const s = compliantStack("prod");

    describe("rds-instance-not-publicly-accessible", () => {
        it("REQ-003: passes private cluster instances and instances that leave the flag unset", async () => {
            expectNone(await check(instanceNotPublic, [s.writer, s.reader, mutate(s.writer, { publiclyAccessible: undefined })]));
        });
        it("REQ-003: flags a public cluster instance and a public standalone instance", async () => {
            expectViolations(
                await check(instanceNotPublic, mutate(s.writer, { publiclyAccessible: true })),
                "DB instance is publicly accessible: set publiclyAccessible to false.",
            );
            expectViolations(
                await check(instanceNotPublic, res("aws:rds/instance:Instance", "legacy", { publiclyAccessible: true })),
                "publicly accessible",
            );
        });
    });

    describe("security-group-no-public-database-ingress", () => {
        it("REQ-003: passes rules from a security group or private CIDRs, and egress rules", async () => {
            expectNone(await check(noPublicDatabaseIngress, [s.ingress, s.ingressCidr, s.egress, s.dbSg]));
            expectNone(
                await check(
                    noPublicDatabaseIngress,
                    res(SG_RULE, "egress-all", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }),
                ),
            );
        });
        it("REQ-003: flags a vpc.SecurityGroupIngressRule opening 5432 to 0.0.0.0/0 or ::/0", async () => {
            expectViolations(
                await check(noPublicDatabaseIngress, mutate(s.ingressCidr, { cidrIpv4: "0.0.0.0/0" })),
                "Security group ingress exposes the database to the internet: " +
                    "port 5432 open to 0.0.0.0/0. Allow only the application security group or private CIDRs.",
            );
            expectViolations(
                await check(noPublicDatabaseIngress, mutate(s.ingressCidr, { cidrIpv4: undefined, cidrIpv6: "::/0" })),
                "port 5432 open to ::/0",
            );
        });
        it("REQ-003: flags all-protocol rules (-1) and full TCP ranges as all ports", async () => {
            expectViolations(
                await check(
                    noPublicDatabaseIngress,
                    mutate(s.ingressCidr, { ipProtocol: "-1", fromPort: undefined, toPort: undefined, cidrIpv4: "0.0.0.0/0" }),
                ),
                "all ports open to 0.0.0.0/0",
            );
            expectViolations(
                await check(
                    noPublicDatabaseIngress,
                    res(SG_RULE, "wide", { type: "ingress", protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] }),
                ),
                "all ports open to 0.0.0.0/0",
            );
        });
        it("REQ-003: flags an inline ingress block of aws.ec2.SecurityGroup covering the DB ports", async () => {
            const sg = mutate(s.dbSg, {
                ingress: [{ protocol: "tcp", fromPort: 3000, toPort: 6000, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
            });
            expectViolations(
                await check(noPublicDatabaseIngress, sg),
                "port 5432 open to 0.0.0.0/0",
                "port 5432 open to ::/0",
                "port 3306 open to 0.0.0.0/0",
                "port 3306 open to ::/0",
            );
            expectNone(
                await check(
                    noPublicDatabaseIngress,
                    res(SG, "web", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }),
                ),
            );
            expectNone(
                await check(
                    noPublicDatabaseIngress,
                    res(SG, "udp", { ingress: [{ protocol: "udp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] }] }),
                ),
            );
        });
        it("REQ-003: flags an aws.ec2.SecurityGroupRule of type ingress on the DB port", async () => {
            expectViolations(
                await check(
                    noPublicDatabaseIngress,
                    res(SG_RULE, "pg", {
                        type: "ingress",
                        protocol: "6",
                        fromPort: 5432,
                        toPort: 5432,
                        cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"],
                    }),
                ),
                "port 5432 open to 0.0.0.0/0",
            );
        });
        it("REQ-003: the database port list is configurable", async () => {
            const rule = mutate(s.ingressCidr, { fromPort: 6432, toPort: 6432, cidrIpv4: "0.0.0.0/0" });
            expectNone(await check(noPublicDatabaseIngress, rule));
            expectViolations(
                await check(noPublicDatabaseIngress, rule, {
                    config: { "security-group-no-public-database-ingress": { databasePorts: [6432] } },
                }),
                "port 6432 open to 0.0.0.0/0",
            );
        });
        it("publicIngressFindings is empty without an open CIDR", async () => {
            expect(
                publicIngressFindings({ protocol: "-1", fromPort: 0, toPort: 0, cidrs: ["10.0.0.0/8", undefined] }, [5432]),
            ).to.deep.equal([]);
        });
    });

    describe("rds-subnet-group-private (stack)", () => {
        const base = () => ({
            subnetGroup: s.subnetGroup,
            subnetA: s.subnetA,
            subnetB: s.subnetB,
            routeTable: s.routeTable,
            assocA: s.assocA,
            assocB: s.assocB,
        });
        it("REQ-003: passes isolated subnets whose route table has no internet route", async () =>
            expectNone(await check(subnetGroupPrivate, stackOf(base()))));
        it("REQ-003: flags a member subnet with mapPublicIpOnLaunch", async () => {
            const [v] = expectViolations(
                await check(subnetGroupPrivate, stackOf({ ...base(), subnetB: mutate(s.subnetB, { mapPublicIpOnLaunch: true }) })),
                "DB subnet group includes subnet 'subnet-02' with mapPublicIpOnLaunch enabled.",
            );
            expect(v.urn).to.equal(s.subnetGroup.urn);
        });
        it("REQ-003: flags subnets whose route table has an inline route to an internet gateway", async () => {
            const routeTable = mutate(s.routeTable, { routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0abc" }] });
            expectViolations(
                await check(subnetGroupPrivate, stackOf({ ...base(), routeTable })),
                "DB subnet group includes subnet 'subnet-01' whose route table routes to an internet gateway.",
                "subnet 'subnet-02' whose route table routes to an internet gateway",
            );
        });
        it(
            "REQ-003: flags subnets whose route table has an aws.ec2.Route to " + "an internet gateway, not to a NAT or VPC endpoint",
            async () => {
                const igwRoute = res("aws:ec2/route:Route", "default-route", {
                    routeTableId: "rtb-01",
                    destinationCidrBlock: "0.0.0.0/0",
                    gatewayId: "igw-0abc",
                });
                expectViolations(
                    await check(subnetGroupPrivate, [...stackOf(base()), igwRoute]),
                    "subnet 'subnet-01' whose route table",
                    "subnet 'subnet-02' whose route table",
                );
                const natRoute = res("aws:ec2/route:Route", "nat-route", {
                    routeTableId: "rtb-01",
                    destinationCidrBlock: "0.0.0.0/0",
                    natGatewayId: "nat-0abc",
                });
                const vgw = res("aws:ec2/route:Route", "vgw-route", {
                    routeTableId: "rtb-01",
                    destinationCidrBlock: "10.9.0.0/16",
                    gatewayId: "vgw-0abc",
                });
                expectNone(await check(subnetGroupPrivate, [...stackOf(base()), natRoute, vgw]));
            },
        );
        it("REQ-003: ignores public subnets that are not in a DB subnet group", async () => {
            const publicSubnet = res("aws:ec2/subnet:Subnet", "public", { mapPublicIpOnLaunch: true }, { state: { id: "subnet-09" } });
            expectNone(await check(subnetGroupPrivate, [...stackOf(base()), publicSubnet]));
        });
    });
});
