import { expect } from "chai";
import { ENDPOINT_SERVICES, Network, NetworkArgs, selectZones } from "../components/network";
import { outputValue } from "../tools/mock-engine";
import { previewStack } from "../tools/preview";
import { NETWORK_DEFAULTS } from "../components/defaults";
import { STACKS, expectEvery, configProblems, stackConfig, errorOf, ofType, one, runComponent, stackRun } from "./helpers";

const wiring = {
    namePrefix: "t-net",
    region: "eu-west-1",
    logsKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/logs",
    tags: { Environment: "test" },
};

const base: Extract<NetworkArgs, { mode: "new" }> = { ...NETWORK_DEFAULTS, ...wiring, vpcCidr: "10.50.0.0/16" };

const existing: Extract<NetworkArgs, { mode: "existing" }> = {
    ...wiring,
    dbPort: NETWORK_DEFAULTS.dbPort,
    flowLogsTrafficType: NETWORK_DEFAULTS.flowLogsTrafficType,
    flowLogsRetentionDays: NETWORK_DEFAULTS.flowLogsRetentionDays,
    vpcEndpoints: NETWORK_DEFAULTS.vpcEndpoints,
    mode: "existing",
    existingVpcId: "vpc-0123456789abcdef0",
    existingDbSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    appSecurityGroupIds: ["sg-0123456789abcdef0", "sg-0123456789abcdef1"],
    allowedCidrs: ["10.8.0.0/16"],
};

describe("components/network: private, isolated network (REQ-003)", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it(`REQ-003 ${stack}: no internet gateway, NAT or route out anywhere; subnets never map public IPs`, async () => {
                const run = await stackRun(stack);
                for (const type of [
                    "aws:ec2/internetGateway:InternetGateway",
                    "aws:ec2/natGateway:NatGateway",
                    "aws:ec2/route:Route",
                    "aws:ec2/eip:Eip",
                ]) {
                    expect(ofType(run, type), type).to.be.empty;
                }
                for (const table of ofType(run, "aws:ec2/routeTable:RouteTable")) {
                    expect(table.inputs.routes ?? [], table.name).to.be.empty;
                }
                const subnets = ofType(run, "aws:ec2/subnet:Subnet");
                expectEvery(subnets, (s) => s.inputs.mapPublicIpOnLaunch === false);
            });

            it(`REQ-001 ${stack}: one database subnet per AZ in 3 distinct AZs, all in the DB subnet group`, async () => {
                const run = await stackRun(stack);
                const dbSubnets = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.inputs.tags.Tier === "database");
                expect(new Set(dbSubnets.map((s) => s.inputs.availabilityZone)).size).to.equal(3);
                const group = one(run, "aws:rds/subnetGroup:SubnetGroup");
                expect(group.inputs.subnetIds).to.deep.equal(dbSubnets.map((s) => s.id));
                // Each DB subnet is associated with the isolated DB route table.
                const dbTable = one(run, "aws:ec2/routeTable:RouteTable", "-db-rt");
                const associations = ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) =>
                    dbSubnets.some((s) => s.id === a.inputs.subnetId),
                );
                expect(associations.map((a) => a.inputs.routeTableId)).to.deep.equal(dbSubnets.map(() => dbTable.id));
            });

            it(
                `REQ-003 ${stack}: the DB security group admits only the DB port ` +
                    `from the application group, with descriptions, and has no egress`,
                async () => {
                    const run = await stackRun(stack);
                    const dbGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "-db-sg");
                    expect(dbGroup.inputs.ingress, "no inline rules").to.equal(undefined);
                    expect(dbGroup.inputs.egress, "no inline egress: Terraform removes AWS's default allow-all").to.equal(undefined);
                    const appGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "-app-sg");
                    const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                        (r) => r.inputs.securityGroupId === dbGroup.id,
                    );
                    // The application group, the database bootstrap function, and (where they exist) the rotation function and the proxy.
                    const allowedSources = ["-app-sg", "-bootstrap-sg", "-rotation-sg", "-proxy-sg"].flatMap((suffix) =>
                        ofType(run, "aws:ec2/securityGroup:SecurityGroup")
                            .filter((g) => g.name.endsWith(suffix))
                            .map((g) => g.id),
                    );
                    expect(ingress.map((r) => r.inputs.referencedSecurityGroupId)).to.have.members(allowedSources);
                    for (const rule of ingress) {
                        expect(rule.inputs).to.include({ ipProtocol: "tcp", fromPort: 5432, toPort: 5432 });
                        expect(rule.inputs.description).to.match(/^PostgreSQL from /);
                        expect(rule.inputs.cidrIpv4).to.equal(undefined);
                    }
                    const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
                    expect(egress.filter((r) => r.inputs.securityGroupId === dbGroup.id)).to.be.empty;
                    expect(egress.map((r) => r.inputs)).to.deep.include.members([
                        {
                            region: appGroup.inputs.region,
                            securityGroupId: appGroup.id,
                            referencedSecurityGroupId: dbGroup.id,
                            ipProtocol: "tcp",
                            fromPort: 5432,
                            toPort: 5432,
                            description: "PostgreSQL to the database",
                            tags: egress[0].inputs.tags,
                        },
                    ]);
                },
            );

            it(`REQ-003 ${stack}: no 0.0.0.0/0 or ::/0 in any input`, async () => {
                const run = await stackRun(stack);
                const text = JSON.stringify(run.resources.map((r) => r.inputs));
                expect(text).to.not.include("0.0.0.0/0");
                expect(text).to.not.include("::/0");
            });

            it(`REQ-003 ${stack}: the default security group is stripped of all rules`, async () => {
                const run = await stackRun(stack);
                const group = one(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
                expect(group.inputs.ingress).to.equal(undefined);
                expect(group.inputs.egress).to.equal(undefined);
                expect(group.inputs.vpcId).to.equal(one(run, "aws:ec2/vpc:Vpc").id);
            });

            it(`REQ-002 ${stack}: VPC flow logs go to a KMS-encrypted log group with retention`, async () => {
                const run = await stackRun(stack);
                const group = one(run, "aws:cloudwatch/logGroup:LogGroup", "-flow-logs");
                const logsKey = ofType(run, "aws:kms/key:Key").find((k) => k.inputs.tags.Purpose === "logs")!;
                expect(group.inputs.kmsKeyId).to.equal(logsKey.state.arn);
                expect(group.inputs.retentionInDays).to.equal(stackConfig(stack).network.flowLogsRetentionDays);
                const flowLog = one(run, "aws:ec2/flowLog:FlowLog");
                expect(flowLog.inputs).to.include({
                    logDestination: group.state.arn,
                    logDestinationType: "cloud-watch-logs",
                    trafficType: stackConfig(stack).network.flowLogsTrafficType,
                });
                const role = one(run, "aws:iam/role:Role", "-flow-logs");
                expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({
                    Service: "vpc-flow-logs.amazonaws.com",
                });
                const policy = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "-flow-logs").inputs.policy);
                expect(policy.Statement[0].Resource).to.deep.equal([group.state.arn, `${group.state.arn}:*`]);
            });
        });
    }

    it("interface endpoints exist for every AWS API private workloads need in staging and prod, not in dev", async () => {
        for (const stack of ["staging", "prod"]) {
            const run = await stackRun(stack);
            const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint");
            expect(endpoints.map((e) => e.inputs.serviceName).sort()).to.deep.equal(
                ENDPOINT_SERVICES.map((s) => `com.amazonaws.eu-west-1.${s}`).sort(),
            );
            expectEvery(endpoints, (e) => e.inputs.privateDnsEnabled && e.inputs.vpcEndpointType === "Interface");
            const endpointGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "-endpoints-sg");
            const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                (r) => r.inputs.securityGroupId === endpointGroup.id,
            );
            expect(rules.map((r) => r.inputs)).to.have.length(1);
            expect(rules[0].inputs).to.include({ fromPort: 443, toPort: 443, cidrIpv4: one(run, "aws:ec2/vpc:Vpc").inputs.cidrBlock });
        }
        // dev: only the bootstrap function's own Secrets Manager endpoint, in one subnet (components/bootstrap.ts).
        const devEndpoints = ofType(await stackRun("dev"), "aws:ec2/vpcEndpoint:VpcEndpoint");
        expect(devEndpoints.map((e) => [e.inputs.serviceName, e.inputs.subnetIds.length])).to.deep.equal([
            ["com.amazonaws.eu-west-1.secretsmanager", 1],
        ]);
    });

    it("REQ-003: listed private CIDRs get their own described rule on the DB port", async () => {
        const run = await runComponent(
            () =>
                new Network("net-cidrs", {
                    ...base,
                    namePrefix: "t-cidrs",
                    allowedCidrs: ["10.60.0.0/16", "192.168.1.0/24"],
                    dbPort: 6432,
                }),
        );
        const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
            r.name.includes("-db-from-cidr-"),
        );
        expect(rules.map((r) => [r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([
            ["10.60.0.0/16", 6432, 6432],
            ["192.168.1.0/24", 6432, 6432],
        ]);
        expectEvery(rules, (r) => r.inputs.description.includes("private range"));
    });

    it("splits the VPC into sixteenths: database subnets first, application subnets from the ninth", async () => {
        const run = await runComponent(
            () => new Network("net-split", { ...base, namePrefix: "t-split", azCount: 2, vpcCidr: "10.70.0.0/24" }),
        );
        const cidrs = ofType(run, "aws:ec2/subnet:Subnet").map((s) => `${s.inputs.tags.Tier}:${s.inputs.cidrBlock}`);
        expect(cidrs).to.deep.equal([
            "database:10.70.0.0/28",
            "database:10.70.0.16/28",
            "application:10.70.0.128/28",
            "application:10.70.0.144/28",
        ]);
    });

    it(
        "existing VPC: uses the given subnets, one rule per application group and CIDR, " + "endpoints in the DB subnets, no VPC resources",
        async () => {
            let network: Network | undefined;
            const run = await runComponent(() => (network = new Network("net-existing", existing)));
            expect(ofType(run, "aws:ec2/vpc:Vpc")).to.be.empty;
            expect(ofType(run, "aws:ec2/subnet:Subnet")).to.be.empty;
            expect(ofType(run, "aws:ec2/flowLog:FlowLog")).to.be.empty;
            expect(one(run, "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds).to.deep.equal(existing.existingDbSubnetIds);
            const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
                r.name.includes("-db-from-"),
            );
            expect(ingress.map((r) => r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4)).to.deep.equal([
                ...existing.appSecurityGroupIds,
                ...existing.allowedCidrs,
            ]);
            expectEvery(
                ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint"),
                (e) => JSON.stringify(e.inputs.subnetIds) === JSON.stringify(existing.existingDbSubnetIds),
                "endpoints outside the database subnets",
            );
            expect(await outputValue(network!.dbSubnetAzs)).to.deep.equal(["eu-west-1a", "eu-west-1b"]);
            expect(await outputValue(network!.vpcCidr)).to.equal("10.90.0.0/16");
            expect(await outputValue(network!.appSubnetIds)).to.deep.equal([]);
        },
    );

    it("existing VPC: subnets that are all in one AZ are rejected with the AZ named", async () => {
        let network: Network | undefined;
        await runComponent(
            () =>
                (network = new Network("net-one-az", {
                    ...existing,
                    namePrefix: "t-one-az",
                    existingDbSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef3"],
                })),
        );
        const error = await errorOf(() => outputValue(network!.dbSubnetAzs));
        expect(error.message).to.include("the subnets are all in eu-west-1a; they must span at least two AZs");
    });

    it("rejects an azCount the region cannot satisfy (checked when the AZ list is known)", () => {
        expect(selectZones(["eu-west-1a", "eu-west-1b", "eu-west-1c"], 3, "eu-west-1")).to.deep.equal([
            "eu-west-1a",
            "eu-west-1b",
            "eu-west-1c",
        ]);
        expect(() => selectZones(["us-west-1a", "us-west-1c"], 3, "us-west-1")).to.throw(
            "azCount = 3: region us-west-1 has only 2 available AZs (us-west-1a, us-west-1c)",
        );
    });

    it("rejects arguments AWS would refuse or that would open the database, naming each field and value", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new Network("net-bad", {
                        ...base,
                        azCount: 1,
                        dbPort: 80,
                        flowLogsRetentionDays: 2,
                        allowedCidrs: ["0.0.0.0/0"],
                        vpcCidr: "1.2.3.0/24",
                    }),
            ),
        );
        for (const fragment of [
            "azCount = 1",
            "dbPort = 80",
            "flowLogsRetentionDays = 2",
            'allowedCidrs = "0.0.0.0/0"',
            'vpcCidr = "1.2.3.0/24"',
        ]) {
            expect(error.message).to.include(fragment);
        }
        const single = await errorOf(() =>
            runComponent(() => new Network("net-single", { ...existing, existingDbSubnetIds: ["subnet-0123456789abcdef0"] })),
        );
        expect(single.message).to.include("existingDbSubnetIds");
        const closed = await errorOf(() =>
            runComponent(() => new Network("net-closed", { ...existing, appSecurityGroupIds: [], allowedCidrs: [] })),
        );
        expect(closed.message).to.include("appSecurityGroupIds and allowedCidrs are both empty");
    });

    // The component and config loading share one rule set (validateNetworkSettings); these used to pass the component.
    const sharedRules: Array<[string, Record<string, unknown>, string]> = [
        ["a /28 VPC (its subnets would be /32)", { vpcCidr: "10.40.0.0/28" }, 'vpcCidr = "10.40.0.0/28": must be a /16 to /24 block'],
        ["a /12 VPC", { vpcCidr: "10.0.0.0/12" }, 'vpcCidr = "10.0.0.0/12": must be a /16 to /24 block'],
        [
            "an unknown flow log traffic type",
            { flowLogsTrafficType: "ACCEPT" },
            'flowLogsTrafficType = "ACCEPT": must be one of "ALL", "REJECT"',
        ],
        [
            "subnets given to a new VPC",
            { existingDbSubnetIds: ["subnet-0123456789abcdef0"] },
            "existingDbSubnetIds and appSecurityGroupIds only apply with existingVpcId",
        ],
    ];
    for (const [what, overrides, message] of sharedRules) {
        it(`refuses ${what}, as config loading does`, async () => {
            const error = await errorOf(() =>
                runComponent(() => new Network(`net-rule-${what.replace(/\W+/g, "-")}`, { ...base, ...overrides } as typeof base)),
            );
            expect(error.message).to.include(message);
        });
    }
    const existingRules: Array<[string, Record<string, unknown>, string]> = [
        ["a malformed VPC id", { existingVpcId: "vpc-nothex" }, 'existingVpcId = "vpc-nothex": must be a VPC id'],
        [
            "the same subnet twice",
            { existingDbSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"] },
            "must list at least two distinct subnet ids",
        ],
        ["a malformed security group id", { appSecurityGroupIds: ["sg-x"] }, 'appSecurityGroupIds = "sg-x": must be a security group id'],
    ];
    for (const [what, overrides, message] of existingRules) {
        it(`existing VPC: refuses ${what}, as config loading does`, async () => {
            const error = await errorOf(() =>
                runComponent(() => new Network(`net-rule-${what.replace(/\W+/g, "-")}`, { ...existing, ...overrides } as typeof existing)),
            );
            expect(error.message).to.include(message);
        });
    }
});

describe("components/network: workloads in other VPCs (transit gateway or peering)", () => {
    const remote = ["10.60.0.0/16", "10.61.0.0/16"];

    it(
        "REQ-003: a transit gateway attachment in the database subnets, " +
            "and routes to the allowed CIDRs from the database route table only",
        async () => {
            const run = await runComponent(
                () =>
                    new Network("net-tgw", {
                        ...base,
                        namePrefix: "t-tgw",
                        allowedCidrs: remote,
                        transitGatewayId: "tgw-0123456789abcdef0",
                    }),
            );
            const attachment = one(run, "aws:ec2transitgateway/vpcAttachment:VpcAttachment");
            const dbSubnets = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.inputs.tags.Tier === "database");
            expect(attachment.inputs).to.include({ transitGatewayId: "tgw-0123456789abcdef0", vpcId: one(run, "aws:ec2/vpc:Vpc").id });
            expect(attachment.inputs.subnetIds, "attached in the database subnets").to.deep.equal(dbSubnets.map((s) => s.id));
            const dbTable = one(run, "aws:ec2/routeTable:RouteTable", "-db-rt");
            const routes = ofType(run, "aws:ec2/route:Route");
            expect(routes.map((r) => [r.inputs.routeTableId, r.inputs.destinationCidrBlock, r.inputs.transitGatewayId])).to.deep.equal(
                remote.map((cidr) => [dbTable.id, cidr, "tgw-0123456789abcdef0"]),
            );
            for (const route of routes) {
                expect(route.options.dependsOn, route.name).to.include(attachment.urn);
            }
        },
    );

    it(
        "REQ-003: an accepted peering connection gets routes to the " +
            "allowed CIDRs from the database route table only, and no attachment",
        async () => {
            const run = await runComponent(
                () =>
                    new Network("net-pcx", {
                        ...base,
                        namePrefix: "t-pcx",
                        allowedCidrs: remote,
                        vpcPeeringConnectionId: "pcx-0123456789abcdef0",
                    }),
            );
            expect(ofType(run, "aws:ec2transitgateway/vpcAttachment:VpcAttachment")).to.be.empty;
            const dbTable = one(run, "aws:ec2/routeTable:RouteTable", "-db-rt");
            expect(
                ofType(run, "aws:ec2/route:Route").map((r) => [
                    r.inputs.routeTableId,
                    r.inputs.destinationCidrBlock,
                    r.inputs.vpcPeeringConnectionId,
                ]),
            ).to.deep.equal(remote.map((cidr) => [dbTable.id, cidr, "pcx-0123456789abcdef0"]));
        },
    );

    it("refuses malformed ids, both at once, an existing VPC, and no CIDRs to route, naming each field", async () => {
        const cases: Array<[Partial<NetworkArgs>, string]> = [
            [{ transitGatewayId: "tgw-x", allowedCidrs: remote }, 'transitGatewayId = "tgw-x": must be a transit gateway id'],
            [
                { vpcPeeringConnectionId: "peer", allowedCidrs: remote },
                'vpcPeeringConnectionId = "peer": must be a VPC peering connection id',
            ],
            [
                { transitGatewayId: "tgw-0123456789abcdef0", vpcPeeringConnectionId: "pcx-0123456789abcdef0", allowedCidrs: remote },
                "transitGatewayId and vpcPeeringConnectionId are both set",
            ],
            [{ transitGatewayId: "tgw-0123456789abcdef0" }, "transitGatewayId needs allowedCidrs"],
        ];
        for (const [i, [overrides, message]] of cases.entries()) {
            const error = await errorOf(() =>
                runComponent(() => new Network(`net-remote-bad-${i}`, { ...base, namePrefix: `t-rb${i}`, ...overrides } as NetworkArgs)),
            );
            expect(error.message, message).to.include(message);
        }
        const existingVpc = await errorOf(() =>
            // What a plain-JavaScript caller can pass despite the types: refused, not ignored.
            runComponent(
                () => new Network("net-remote-existing", { ...existing, vpcPeeringConnectionId: "pcx-0123456789abcdef0" } as NetworkArgs),
            ),
        );
        expect(existingVpc.message).to.include("vpcPeeringConnectionId applies only to a new VPC");
    });

    it("the stack config names the aurora:* keys, and the pack still passes a stack routed through a transit gateway", async () => {
        const refused = configProblems({ "aurora:transitGatewayId": "tgw-0123456789abcdef0" });
        expect(refused).to.include("aurora:transitGatewayId needs aurora:allowedCidrs");
        const routed = await previewStack("prod", {
            "aurora:transitGatewayId": "tgw-0123456789abcdef0",
            "aurora:allowedCidrs": JSON.stringify(remote),
        });
        expect(routed.policyViolations.filter((v) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
        expect(ofType(routed, "aws:ec2/route:Route")).to.have.length(2);
    });
});
