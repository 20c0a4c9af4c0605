/**
 * components/operator-access.ts: the opt-in Session Manager path into the database subnets, off in
 * every committed stack, least-privilege when on.
 */
import { expect } from "chai";
import { OperatorAccess, OPERATOR_AMI, SESSION_MANAGER_ENDPOINT_SERVICES } from "../components/operator-access";
import { mandatoryViolations } from "../tools/policy-runner";
import { previewStack } from "../tools/preview";
import { PreviewResult } from "../tools/preview";
import { STACKS, configProblems, errorOf, ofType, one, policyDoc, runComponent, stackRun } from "./helpers";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/stack-files";

describe("components/operator-access: Session Manager port forwarding (opt-in)", () => {
    let on: PreviewResult;
    before(async () => {
        on = await previewStack(
            "prod",
            { "aurora:operatorAccess": "true" },
            JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "policies", "config.prod.json"), "utf8")),
        );
    });

    it("is off in every committed stack (prod included): no instance, no endpoints for it, no outputs", async () => {
        for (const stack of STACKS) {
            const run = await stackRun(stack);
            expect(ofType(run, "aurora:access:OperatorAccess"), stack).to.be.empty;
            expect(ofType(run, "aws:ec2/instance:Instance"), stack).to.be.empty;
            expect(run.outputs, stack).to.not.have.property("operatorAccessPolicyArn");
        }
    });

    it(
        "REQ-003 on: a private, IMDSv2-only instance in a database subnet with no inbound rule, " +
            "reaching only the database port and HTTPS in the VPC",
        () => {
            const instance = one(on, "aws:ec2/instance:Instance");
            expect(instance.inputs.associatePublicIpAddress).to.equal(false);
            expect(on.outputs.dbSubnetIds).to.include(instance.inputs.subnetId);
            const template = one(on, "aws:ec2/launchTemplate:LaunchTemplate");
            expect(template.inputs).to.deep.include({ imageId: OPERATOR_AMI, instanceType: "t4g.nano" });
            expect(template.inputs.metadataOptions).to.include({ httpTokens: "required", httpPutResponseHopLimit: 1 });
            expect(template.inputs.blockDeviceMappings[0].ebs.encrypted).to.equal("true");
            const group = one(on, "aws:ec2/securityGroup:SecurityGroup", "-operator-sg");
            expect(group.inputs.ingress ?? []).to.deep.equal([]);
            const egress = ofType(on, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
                (r) => r.inputs.securityGroupId === group.state.id,
            );
            expect(egress.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4])).to.have.deep.members([
                [5432, on.outputs.dbSecurityGroupId],
                [443, "10.40.0.0/16"],
            ]);
            const fromOperator = ofType(on, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                (r) => r.inputs.referencedSecurityGroupId === group.state.id,
            );
            expect(fromOperator.map((r) => [r.inputs.securityGroupId, r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([
                [on.outputs.dbSecurityGroupId, 5432, 5432],
            ]);
        },
    );

    it("REQ-003 on: the ssm, ssmmessages and ec2messages endpoints with private DNS, HTTPS from the instance only", () => {
        const endpoints = ofType(on, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) =>
            /\.(ssm|ssmmessages|ec2messages)$/.test(e.inputs.serviceName),
        );
        expect(endpoints.map((e) => e.inputs.serviceName.split(".").pop())).to.have.members([...SESSION_MANAGER_ENDPOINT_SERVICES]);
        const group = one(on, "aws:ec2/securityGroup:SecurityGroup", "-ssm-endpoints-sg");
        expect(group.inputs.ingress).to.deep.equal([
            {
                protocol: "tcp",
                fromPort: 443,
                toPort: 443,
                securityGroups: [one(on, "aws:ec2/securityGroup:SecurityGroup", "-operator-sg").state.id],
                description: "HTTPS from the operator access instance",
            },
        ]);
        for (const e of endpoints) {
            expect(e.inputs).to.include({ privateDnsEnabled: true, vpcEndpointType: "Interface" });
            expect(e.inputs.securityGroupIds).to.deep.equal([group.state.id]);
        }
    });

    it("REQ-009 on: operators may only start this document on this instance (fixed hosts and port) and end their own sessions", () => {
        const statements = policyDoc(one(on, "aws:iam/policy:Policy", "-operator").inputs.policy).Statement;
        const document = one(on, "aws:ssm/document:Document");
        expect(statements).to.deep.equal([
            {
                Sid: "StartPortForwardingWithTheDatabaseDocumentOnly",
                Effect: "Allow",
                Action: "ssm:StartSession",
                Resource: [one(on, "aws:ec2/instance:Instance").state.arn, document.state.arn],
                Condition: { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } },
            },
            {
                Sid: "EndOwnSessions",
                Effect: "Allow",
                Action: ["ssm:TerminateSession", "ssm:ResumeSession"],
                Resource: "arn:aws:ssm:*:123456789012:session/${aws:userid}-*",
            },
        ]);
        const content = JSON.parse(document.inputs.content);
        expect(document.inputs.documentType).to.equal("Session");
        expect(content.sessionType).to.equal("Port");
        expect(content.parameters.host.allowedValues).to.deep.equal([on.outputs.writerEndpoint, on.outputs.readerEndpoint]);
        expect(content.parameters.portNumber.allowedValues).to.deep.equal(["5432"]);
        expect(JSON.parse(one(on, "aws:iam/role:Role", "-operator-instance").inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal(
            { Service: "ec2.amazonaws.com" },
        );
        expect(one(on, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-operator-instance-ssm").inputs.policyArn).to.equal(
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        );
    });

    it(
        "REQ-002 on: session starts go from CloudTrail through EventBridge " +
            "into a log group encrypted with the logs key; the pack passes prod",
        () => {
            const group = one(on, "aws:cloudwatch/logGroup:LogGroup", "-sessions");
            const logsKey = ofType(on, "aws:kms/key:Key").find((k) => k.inputs.tags.Purpose === "logs")!;
            expect(group.inputs).to.include({
                name: "/aws/ssm/aurora-prod-operator-sessions",
                kmsKeyId: logsKey.state.arn,
                retentionInDays: 365,
            });
            const pattern = JSON.parse(one(on, "aws:cloudwatch/eventRule:EventRule").inputs.eventPattern);
            expect(pattern.detail).to.deep.equal({
                eventSource: ["ssm.amazonaws.com"],
                eventName: ["StartSession"],
                requestParameters: { documentName: [on.outputs.operatorAccessDocumentName] },
            });
            expect(one(on, "aws:cloudwatch/eventTarget:EventTarget").inputs.arn).to.equal(group.state.arn);
            expect(
                policyDoc(one(on, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy").inputs.policyDocument).Statement[0].Resource,
            ).to.equal(`${group.state.arn}:*`);
            expect(mandatoryViolations(on.policyViolations)).to.deep.equal([]);
            expect(on.outputs).to.include({ operatorSessionLogGroupName: "/aws/ssm/aurora-prod-operator-sessions" });
        },
    );

    it("existing VPC with a hub's endpoints: operatorAccessEndpoints=false creates none; a new VPC refuses it", async () => {
        const run = await runComponent(
            () =>
                new OperatorAccess("hub-access", {
                    namePrefix: "hub",
                    region: "eu-west-1",
                    vpcId: "vpc-0123",
                    vpcCidr: "10.0.0.0/16",
                    subnetIds: ["subnet-a", "subnet-b"],
                    dbSecurityGroupId: "sg-db",
                    port: 5432,
                    hosts: ["w.example", "r.example"],
                    createEndpoints: false,
                    logsKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/logs",
                    tags: { Environment: "prod" },
                }),
        );
        expect(ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint")).to.be.empty;
        expect(ofType(run, "aws:ec2/instance:Instance")).to.have.length(1);
        expect(configProblems({ "aurora:operatorAccess": "true", "aurora:operatorAccessEndpoints": "false" })).to.include(
            "aurora:operatorAccessEndpoints = false: a new VPC has no other way to reach Session Manager; " +
                "only with aurora:existingVpcId may a hub provide the endpoints",
        );
        expect(configProblems({ "aurora:operatorAccess": "true" })).to.equal("");
    });

    it("validates its arguments in one error", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new OperatorAccess("bad-access", {
                        namePrefix: "Bad_Prefix",
                        region: "eu-west-1",
                        vpcId: "vpc-1",
                        vpcCidr: "10.0.0.0/16",
                        subnetIds: ["s"],
                        dbSecurityGroupId: "sg",
                        port: 5432,
                        hosts: [],
                        instanceType: "m7g.large",
                        logsKmsKeyArn: "k",
                        tags: {},
                    }),
            ),
        );
        expect(error.message).to.include("namePrefix").and.include('instanceType = "m7g.large": must be t4g.nano, t4g.micro or t4g.small');
    });
});
