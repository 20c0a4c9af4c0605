/**
 * The DatabaseBootstrap component as the program declares it (mock engine): where the function runs,
 * what it may reach and read, when Pulumi invokes it. tests/bootstrap-database.spec.ts runs its
 * handler against a real PostgreSQL 17.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DatabaseBootstrap, DatabaseBootstrapArgs, buildBootstrapBundle, unchangedBundle } from "../components/bootstrap";
import { ENV } from "../functions/bootstrap/settings";
import { MOCK_ACCOUNT_ID, ProgramRun } from "../tools/mock-engine";
import { STACKS, errorOf, expectEvery, ofType, one, policyDoc, runComponent, stackRun } from "./helpers";

const FUNCTION = "aws:lambda/function:Function";
const INVOCATION = "aws:lambda/invocation:Invocation";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

function keyArn(run: ProgramRun, purpose: string): string {
    return ofType(run, "aws:kms/key:Key").find((k) => k.inputs.tags.Purpose === purpose)!.state.arn;
}

describe("components/bootstrap: the database's roles, users, pgaudit and extensions deployed by the stack (REQ-004, REQ-009)", () => {
    for (const stack of STACKS) {
        it(
            `REQ-003 ${stack}: the function runs on Node.js 22 in the database subnets, ` +
                `its group reaching only the database port and Secrets Manager`,
            async () => {
                const run = await stackRun(stack);
                const fn = one(run, FUNCTION, "-bootstrap");
                expect(fn.inputs).to.include({ name: `aurora-${stack}-bootstrap`, runtime: "nodejs22.x", handler: "index.handler" });
                expect(fn.inputs.vpcConfig.subnetIds).to.deep.equal(run.outputs.dbSubnetIds);
                const group = one(run, "aws:ec2/securityGroup:SecurityGroup", "-bootstrap-sg");
                expect(fn.inputs.vpcConfig.securityGroupIds).to.deep.equal([group.id]);
                expect(group.inputs.egress, "no inline egress").to.equal(undefined);
                const egress = ofType(run, EGRESS).filter((r) => r.inputs.securityGroupId === group.id);
                const proxyGroup =
                    run.outputs.proxyEndpoint === undefined ? undefined : one(run, "aws:ec2/securityGroup:SecurityGroup", "-proxy-sg");
                const postgresTo = egress
                    .filter((r) => r.inputs.fromPort === 5432 && r.inputs.toPort === 5432)
                    .map((r) => r.inputs.referencedSecurityGroupId);
                expect(
                    postgresTo,
                    "PostgreSQL only to the DB security group, and to the proxy's (verify mode) where there is one",
                ).to.have.members(proxyGroup ? [run.outputs.dbSecurityGroupId, proxyGroup.id] : [run.outputs.dbSecurityGroupId]);
                expect(egress.filter((r) => r.inputs.fromPort !== 5432).map((r) => [r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([
                    [443, 443],
                ]);
                if (proxyGroup) {
                    const rule = one(run, INGRESS, "-proxy-from-bootstrap");
                    expect(rule.inputs).to.include({
                        securityGroupId: proxyGroup.id,
                        referencedSecurityGroupId: group.id,
                        fromPort: 5432,
                        toPort: 5432,
                    });
                    // DatabaseBootstrap declared it before: the alias keeps the deployed rule's URN.
                    const bootstrap = run.resources.find((r) => r.type === "aurora:bootstrap:DatabaseBootstrap")!;
                    expect(rule.options.aliasParents, "the rule's former parent").to.deep.equal([bootstrap.urn]);
                }
                const https = egress.find((r) => r.inputs.fromPort === 443)!;
                const endpointGroup =
                    stack === "dev"
                        ? one(run, "aws:ec2/securityGroup:SecurityGroup", "-bootstrap-endpoint-sg").id
                        : run.outputs.endpointSecurityGroupId;
                expect(https.inputs.referencedSecurityGroupId, "HTTPS only to the Secrets Manager endpoint's group").to.equal(
                    endpointGroup,
                );
                const dbIngress = one(run, INGRESS, "-db-from-bootstrap");
                expect(dbIngress.inputs).to.include({
                    securityGroupId: run.outputs.dbSecurityGroupId,
                    referencedSecurityGroupId: group.id,
                    fromPort: 5432,
                    toPort: 5432,
                });
            },
        );

        it(`REQ-002 ${stack}: its log group is encrypted with the logs key; its role reads only the database's secrets`, async () => {
            const run = await stackRun(stack);
            const fn = one(run, FUNCTION, "-bootstrap");
            const logGroup = one(run, "aws:cloudwatch/logGroup:LogGroup", "-bootstrap");
            expect(logGroup.inputs).to.include({ name: `/aws/lambda/aurora-${stack}-bootstrap`, kmsKeyId: keyArn(run, "logs") });
            expect(fn.inputs.loggingConfig.logGroup).to.equal(logGroup.inputs.name);
            const role = one(run, "aws:iam/role:Role", "-bootstrap");
            expect(fn.inputs.role).to.equal(role.state.arn);
            expect(policyDoc(role.inputs.assumeRolePolicy).Statement.map((s) => s.Principal.Service)).to.deep.equal([
                "lambda.amazonaws.com",
            ]);
            const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => a.inputs.role === role.id)
                .map((a) => a.inputs.policyArn);
            // With IAM authentication on the proxy, verify logs each user in through it under the applications' own connect policies.
            const proxyIamAuth =
                run.outputs.proxyEndpoint !== undefined &&
                one(run, "aws:rds/proxy:Proxy", "-proxy").inputs.auths.every((a: { iamAuth: string }) => a.iamAuth === "REQUIRED");
            expect(attached, "only the per-user proxy connect policies").to.have.members(
                proxyIamAuth ? Object.values(run.outputs.proxyConnectPolicyArns as Record<string, string>) : [],
            );
            const statements = policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "-bootstrap").inputs.policy).Statement;
            const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
            expect(bySid.ReadTheDatabaseSecrets.Resource).to.have.members([
                run.outputs.masterSecretArn,
                ...Object.values(run.outputs.appSecretArns),
            ]);
            expect(bySid.DecryptThemThroughSecretsManager).to.deep.include({ Action: "kms:Decrypt", Resource: keyArn(run, "secrets") });
            expect(bySid.WriteItsOwnLog.Resource).to.equal(`${logGroup.state.arn}:*`);
            expect(bySid.VerifyTheIamAdminLogin.Resource).to.equal(
                `arn:aws:rds-db:eu-west-1:${MOCK_ACCOUNT_ID}:dbuser:${run.outputs.clusterResourceId}/iam_admin`,
            );
            const wildcard = statements.filter((s) => s.Resource === "*");
            expect(
                wildcard.map((s) => s.Sid),
                "only the ENI actions, which have no resource scope",
            ).to.deep.equal(["AttachToTheDatabaseSubnets"]);
            expectEvery(
                wildcard[0].Action as string[],
                (a) => a.startsWith("ec2:") && /NetworkInterface|PrivateIpAddresses/.test(a),
                "wildcard actions other than ENI management",
            );
        });

        it(
            `REQ-004 ${stack}: Pulumi invokes it in apply mode after every ` +
                `instance and secret exists; its summary and name are stack outputs`,
            async () => {
                const run = await stackRun(stack);
                const fn = one(run, FUNCTION, "-bootstrap");
                const invocation = one(run, INVOCATION, "-bootstrap");
                expect(invocation.inputs.functionName).to.equal(fn.inputs.name);
                expect(JSON.parse(invocation.inputs.input)).to.deep.equal({ mode: "apply" });
                expect(invocation.inputs.triggers.desiredState).to.match(/^[0-9a-f]{64}$/);
                const waitsFor = invocation.options.dependsOn;
                for (const instance of ofType(run, "aws:rds/clusterInstance:ClusterInstance")) {
                    expect(waitsFor, `invocation waits for ${instance.name}`).to.include(instance.urn);
                }
                for (const version of ofType(run, "aws:secretsmanager/secretVersion:SecretVersion")) {
                    expect(waitsFor, `invocation waits for ${version.name}`).to.include(version.urn);
                }
                expect(run.outputs.bootstrapFunctionName).to.equal(`aurora-${stack}-bootstrap`);
                expect(run.outputs.bootstrapResult).to.include({ mode: "apply" });
                const env = fn.inputs.environment.variables;
                expect(env[ENV.host]).to.equal(run.outputs.writerEndpoint);
                expect(env[ENV.caFile]).to.equal("/var/runtime/ca-cert.pem");
                expect(Number(env[ENV.expectedMaxConnections])).to.equal(run.outputs.maxConnections[`aurora-${stack}-instance-1`]);
                expect(JSON.parse(env[ENV.expectedSettings])).to.include({
                    "rds.force_ssl": "1",
                    password_encryption: "scram-sha-256",
                    log_min_duration_statement: "1000",
                });
                expect(JSON.parse(env[ENV.appUsers]).map((u: { name: string }) => u.name)).to.deep.equal(
                    Object.keys(run.outputs.appSecretArns),
                );
                const size = Object.entries(env as Record<string, string>).reduce((n, [k, v]) => n + k.length + v.length, 0);
                expect(size, "Lambda allows 4 KB of environment variables").to.be.below(4096);
            },
        );
    }

    it("the bundle is reused only while every file it was built from is unchanged (esbuild's inputs, hashed)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-bundle-"));
        const built = buildBootstrapBundle(dir);
        expect(unchangedBundle(dir), "unchanged inputs: the same bundle").to.deep.equal(built);
        expect(fs.readdirSync(dir), "only the bundle is in the folder Lambda receives").to.deep.equal(["index.js"]);
        const recordFile = `${dir}.inputs.json`;
        const record = JSON.parse(fs.readFileSync(recordFile, "utf8")) as {
            esbuild: string;
            options: string;
            inputs: Record<string, string>;
        };
        const handler = Object.keys(record.inputs).find((f) => f.endsWith("functions/bootstrap/handler.ts"))!;
        expect(Object.keys(record.inputs), "pg and the AWS SDK are inputs too")
            .to.include.members([handler])
            .and.satisfy((files: string[]) => files.some((f) => f.includes("node_modules/pg/")));
        fs.writeFileSync(recordFile, JSON.stringify({ ...record, inputs: { ...record.inputs, [handler]: "0".repeat(64) } }));
        expect(unchangedBundle(dir), "a changed input: build again").to.equal(undefined);
        fs.writeFileSync(recordFile, JSON.stringify({ ...record, esbuild: "0.0.0" }));
        expect(unchangedBundle(dir), "another esbuild: build again").to.equal(undefined);
        fs.writeFileSync(recordFile, JSON.stringify({ ...record, options: record.options.replace('"minify":true', '"minify":false') }));
        expect(unchangedBundle(dir), "other build settings: build again").to.equal(undefined);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(recordFile, { force: true });
    });

    it(
        "dev (no VPC endpoints): one Secrets Manager endpoint in one subnet, " +
            "without private DNS, whose own name the function is given",
        async () => {
            const run = await stackRun("dev");
            const endpoint = one(run, "aws:ec2/vpcEndpoint:VpcEndpoint", "-bootstrap-secretsmanager");
            expect(endpoint.inputs).to.include({
                serviceName: "com.amazonaws.eu-west-1.secretsmanager",
                vpcEndpointType: "Interface",
                privateDnsEnabled: false,
            });
            expect(endpoint.inputs.subnetIds).to.deep.equal([run.outputs.dbSubnetIds[0]]);
            const endpointGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "-bootstrap-endpoint-sg");
            expect(endpoint.inputs.securityGroupIds).to.deep.equal([endpointGroup.id]);
            const ingress = ofType(run, INGRESS).filter((r) => r.inputs.securityGroupId === endpointGroup.id);
            expect(ingress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort])).to.deep.equal([
                [one(run, "aws:ec2/securityGroup:SecurityGroup", "-bootstrap-sg").id, 443],
            ]);
            const env = one(run, FUNCTION, "-bootstrap").inputs.environment.variables;
            expect(env[ENV.secretsManagerEndpoint]).to.equal(`https://${endpoint.state.dnsEntries[0].dnsName}`);
            expect(env, "no CloudWatch Logs endpoint: the audit probe cannot be read back").to.not.have.property(ENV.auditLogGroup);
            for (const stack of ["staging", "prod"]) {
                const other = await stackRun(stack);
                expect(
                    ofType(other, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.name.includes("bootstrap")),
                    `${stack} uses the stack's endpoints`,
                ).to.be.empty;
                expect(one(other, FUNCTION, "-bootstrap").inputs.environment.variables[ENV.auditLogGroup]).to.equal(
                    other.outputs.postgresqlLogGroupName,
                );
            }
        },
    );

    /** A cluster described by hand (no instance resources to wait for). */
    const TEST_CLUSTER: DatabaseBootstrapArgs["cluster"] = {
        writerEndpoint: "t-boot.cluster-x.eu-west-1.rds.amazonaws.com",
        port: 5432,
        databaseName: "app",
        resourceId: "cluster-ABC",
        masterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-x",
        masterUsername: "dbadmin",
        iamAdminDbUser: "iam_admin",
        instances: [{ identifier: "t-boot-instance-1", instanceClass: "db.t4g.medium", maxConnections: 100 }],
    };
    const args = (overrides: Partial<DatabaseBootstrapArgs> = {}): DatabaseBootstrapArgs => ({
        namePrefix: "t-boot",
        region: "eu-west-1",
        vpcId: "vpc-0123456789abcdef0",
        vpcCidr: "10.90.0.0/16",
        dbSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        dbSecurityGroupId: "sg-0000000000000db00",
        privateApiAccess: true,
        cluster: TEST_CLUSTER,
        appSecrets: [],
        secretsKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/secrets",
        logsKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/logs",
        expectedSettings: {},
        postgresqlLogGroup: {
            name: "/aws/rds/cluster/t-boot/postgresql",
            arn: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/rds/cluster/t-boot/postgresql",
        },
        tags: { Environment: "test" },
        ...overrides,
    });

    it("an existing VPC whose endpoints are not ours: HTTPS to the VPC CIDR; the trigger changes with the desired state", async () => {
        const run = await runComponent(() => new DatabaseBootstrap("boot-existing", args()));
        const https = ofType(run, EGRESS).find((r) => r.inputs.fromPort === 443)!;
        expect(https.inputs).to.include({ cidrIpv4: "10.90.0.0/16" });
        const renamed = await runComponent(
            () => new DatabaseBootstrap("boot-existing-2", args({ cluster: { ...TEST_CLUSTER, iamAdminDbUser: "ops_admin" } })),
        );
        expect(one(renamed, INVOCATION).inputs.triggers.desiredState, "another IAM admin user re-runs the bootstrap").to.not.equal(
            one(run, INVOCATION).inputs.triggers.desiredState,
        );
    });

    it("refuses reserved, duplicated and _clone-colliding user names, a bad schema and log retention, naming each field", async () => {
        const secret = (name: string) => ({
            name,
            access: "readonly" as const,
            arn: undefined as never,
            initialVersion: undefined as never,
        });
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new DatabaseBootstrap(
                        "boot-bad",
                        args({
                            appSecrets: [secret("app"), secret("app"), secret("app_clone"), secret("readwrite")],
                            schema: "pg_x",
                            logRetentionDays: 4,
                        }),
                    ),
            ),
        );
        expect(error.message).to.include('appSecrets = "app": is listed twice');
        expect(error.message).to.include('appSecrets = "app_clone": collides with the _clone user that rotation creates for app');
        expect(error.message).to.include('appSecrets = "readwrite": is reserved');
        expect(error.message).to.include('schema = "pg_x": must be a lowercase schema name');
        expect(error.message).to.include("logRetentionDays = 4: must be one of CloudWatch Logs");
    });
});
