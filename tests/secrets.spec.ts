import { expect } from "chai";
import { SECRETS_DEFAULTS } from "../components/defaults";
import { ROTATION_APPLICATION, Secrets, SecretsArgs } from "../components/secrets";
import { MOCK_ACCOUNT_ID, ProgramRun } from "../tools/mock-engine";
import { STACKS, expectEvery, configProblems, errorOf, ofType, one, policyDoc, runComponent, stackRun } from "./helpers";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";

function secretsKeyArn(run: ProgramRun): string {
    return ofType(run, "aws:kms/key:Key").find((k) => k.inputs.tags.Purpose === "secrets")!.state.arn;
}

/** Component arguments built in code: the defaults with prod's two application users. */
/** A cluster described by hand, as a caller whose cluster is managed elsewhere would. */
const TEST_CLUSTER: SecretsArgs["cluster"] = {
    clusterIdentifier: "t-sec",
    writerEndpoint: "t-sec.cluster-x.eu-west-1.rds.amazonaws.com",
    port: 5432,
    databaseName: "app",
    masterUsername: "dbadmin",
    iamAdminDbUser: "iam_admin",
    masterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-x",
    masterPassword: "managed",
    blueGreenTargetEngineVersion: "",
    instances: [{ identifier: "t-sec-instance-1", instanceClass: "db.r7g.xlarge", maxConnections: 3442 }],
    canAutoPause: false,
};

function componentArgs(overrides: Partial<SecretsArgs> = {}): SecretsArgs {
    return {
        ...SECRETS_DEFAULTS,
        appUsers: [
            { name: "app", access: "readwrite" },
            { name: "reporting", access: "readonly" },
        ],
        namePrefix: "t-sec",
        region: "eu-west-1",
        cluster: TEST_CLUSTER,
        privateApiAccess: true,
        secretsKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/secrets",
        vpcId: "vpc-0123456789abcdef0",
        vpcCidr: "10.0.0.0/16",
        dbSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        dbSecurityGroupId: "sg-0000000000000db00",
        clientSecurityGroupIds: ["sg-0000000000000a001", "sg-0000000000000a002"],
        clientSecurityGroupCount: 2,
        clientCidrs: ["10.8.0.0/16"],
        tags: { Environment: "prod" },
        ...overrides,
    };
}

describe("components/secrets: rotation without dropped connections, application users, RDS Proxy (REQ-004)", () => {
    for (const stack of STACKS) {
        it(`REQ-004 ${stack}: the RDS-managed master secret rotates every 30 days by managed rotation (no function of ours)`, async () => {
            const run = await stackRun(stack);
            const master = ofType(run, ROTATION).find((r) => r.name.endsWith("-master-rotation"))!;
            expect(master.inputs.secretId).to.equal(run.outputs.masterSecretArn);
            expect(master.inputs.rotationRules).to.deep.equal({ automaticallyAfterDays: 30 });
            expect(master.inputs.rotationLambdaArn).to.equal(undefined);
            expect(run.outputs.rotationSchedule.master).to.equal("every 30 days (RDS managed rotation)");
        });
    }

    for (const stack of ["staging", "prod"]) {
        it(
            `REQ-004 ${stack}: each application user has a CMK-encrypted ` +
                `secret in the rotation functions' shape, never the master password`,
            async () => {
                const run = await stackRun(stack);
                const secrets = ofType(run, SECRET);
                expect(secrets.map((s) => s.inputs.name)).to.deep.equal([`aurora-${stack}/app/app`, `aurora-${stack}/app/reporting`]);
                expectEvery(secrets, (s) => s.inputs.kmsKeyId === secretsKeyArn(run));
                for (const [user, version] of [
                    ["app", "-app-initial"],
                    ["reporting", "-reporting-initial"],
                ]) {
                    const v = one(run, "aws:secretsmanager/secretVersion:SecretVersion", version);
                    const value = JSON.parse(v.inputs.secretString);
                    expect(Object.keys(value).sort()).to.deep.equal([
                        "dbname",
                        "engine",
                        "host",
                        "masterarn",
                        "password",
                        "port",
                        "username",
                    ]);
                    expect(value).to.include({
                        engine: "postgres",
                        host: run.outputs.writerEndpoint,
                        port: 5432,
                        dbname: "app",
                        username: user,
                        masterarn: run.outputs.masterSecretArn,
                    });
                    expect(value.password).to.equal(one(run, "random:index/randomPassword:RandomPassword", version).state.result);
                    expect(v.options.ignoreChanges).to.deep.equal(["secretString", "versionStages"]);
                }
                const password = one(run, "random:index/randomPassword:RandomPassword", "-app-initial");
                expect(password.inputs).to.include({ length: 32, special: true });
                expect(password.inputs.overrideSpecial).to.not.match(/[/@"'\\ ]/);
                expect(run.outputs.appSecretArns).to.have.keys("app", "reporting");
            },
        );

        it(`REQ-004 ${stack}: alternating-users rotation from AWS's SAR application, in the DB subnets, every 30 days`, async () => {
            const run = await stackRun(stack);
            const app = one(run, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack");
            expect(app.inputs).to.include({
                applicationId: ROTATION_APPLICATION.applicationId,
                semanticVersion: ROTATION_APPLICATION.semanticVersion,
            });
            expect(app.inputs.capabilities).to.deep.equal(["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]);
            const rotationGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "-rotation-sg");
            expect(app.inputs.parameters).to.deep.equal({
                functionName: `aurora-${stack}-rotation`,
                endpoint: "https://secretsmanager.eu-west-1.amazonaws.com",
                vpcSubnetIds: run.outputs.dbSubnetIds.join(","),
                vpcSecurityGroupIds: rotationGroup.id,
                kmsKeyArn: secretsKeyArn(run),
                masterSecretArn: run.outputs.masterSecretArn,
                masterSecretKmsKeyArn: secretsKeyArn(run),
                excludeCharacters: "/@\"'\\ ",
            });
            for (const user of ["app", "reporting"]) {
                const rotation = one(run, ROTATION, `-${user}-rotation`);
                expect(rotation.inputs.rotationLambdaArn).to.equal(
                    `arn:aws:lambda:eu-west-1:${MOCK_ACCOUNT_ID}:function:aurora-${stack}-rotation`,
                );
                expect(rotation.inputs.rotationRules).to.deep.equal({ automaticallyAfterDays: 30 });
                expect(rotation.inputs.secretId).to.equal(one(run, SECRET, `-${user}`).id);
                expect(rotation.options.dependsOn).to.include(
                    one(run, "aws:secretsmanager/secretVersion:SecretVersion", `-${user}-initial`).urn,
                );
                // The user must exist before the first rotation: none on create, and only after the bootstrap ran.
                expect(rotation.inputs.rotateImmediately, `${rotation.name}.rotateImmediately`).to.equal(false);
                expect(rotation.options.dependsOn, `${rotation.name} waits for the database bootstrap`).to.include(
                    one(run, "aws:lambda/invocation:Invocation", "-bootstrap").urn,
                );
            }
        });

        it(`REQ-003 ${stack}: the rotation function may reach only the database port and HTTPS inside the VPC`, async () => {
            const run = await stackRun(stack);
            const group = one(run, "aws:ec2/securityGroup:SecurityGroup", "-rotation-sg");
            const dbGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "-db-sg");
            const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
                (r) => r.inputs.securityGroupId === group.id,
            );
            expect(
                egress.map((r) => [r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort]),
            ).to.deep.equal([
                [dbGroup.id, 5432, 5432],
                [one(run, "aws:ec2/vpc:Vpc").inputs.cidrBlock, 443, 443],
            ]);
            expect(
                ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                    (r) => r.inputs.securityGroupId === group.id,
                ),
            ).to.be.empty;
            const dbIngress = one(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "-db-from-rotation");
            expect(dbIngress.inputs).to.include({
                securityGroupId: dbGroup.id,
                referencedSecurityGroupId: group.id,
                fromPort: 5432,
                toPort: 5432,
            });
        });

        it(
            `REQ-004 ${stack}: RDS Proxy requires TLS and IAM auth, ` +
                `reads only the application secrets, pools within the writer's max_connections`,
            async () => {
                const run = await stackRun(stack);
                const proxy = one(run, "aws:rds/proxy:Proxy");
                expect(proxy.inputs).to.include({
                    name: `aurora-${stack}-proxy`,
                    engineFamily: "POSTGRESQL",
                    requireTls: true,
                    idleClientTimeout: 1800,
                    debugLogging: false,
                });
                expect(proxy.inputs.vpcSubnetIds).to.deep.equal(run.outputs.dbSubnetIds);
                const secretArns = ofType(run, SECRET).map((s) => s.state.arn);
                expect(proxy.inputs.auths).to.deep.equal(
                    ["app", "reporting"].map((u, i) => ({
                        authScheme: "SECRETS",
                        secretArn: secretArns[i],
                        iamAuth: "REQUIRED",
                        clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                        description: `application user ${u}`,
                    })),
                );
                const role = one(run, "aws:iam/role:Role", "-proxy");
                expect(proxy.inputs.roleArn).to.equal(role.state.arn);
                expect(policyDoc(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
                    {
                        Effect: "Allow",
                        Principal: { Service: "rds.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
                    },
                ]);
                const [read, decrypt, ...rest] = policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "-proxy").inputs.policy).Statement;
                expect(rest, "nothing beyond the two statements").to.be.empty;
                expect(read).to.deep.equal({
                    Sid: "ReadTheApplicationSecrets",
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: secretArns,
                });
                expect(decrypt).to.deep.equal({
                    Sid: "DecryptThemThroughSecretsManager",
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: secretsKeyArn(run),
                    Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
                });
                expect(read.Resource, "never the master secret").to.not.include(run.outputs.masterSecretArn);

                expect(one(run, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup").inputs.connectionPoolConfig).to.deep.equal({
                    maxConnectionsPercent: 75,
                    maxIdleConnectionsPercent: 50,
                    connectionBorrowTimeout: 120,
                });
                expect(run.outputs.proxyConnectionBudget).to.equal(Math.floor((1721 * 75) / 100));
                expect(one(run, "aws:rds/proxyTarget:ProxyTarget").inputs).to.include({
                    dbProxyName: `aurora-${stack}-proxy`,
                    targetGroupName: "default",
                    dbClusterIdentifier: `aurora-${stack}`,
                });
                const readOnly = one(run, "aws:rds/proxyEndpoint:ProxyEndpoint");
                expect(readOnly.inputs).to.include({ targetRole: "READ_ONLY", dbProxyEndpointName: `aurora-${stack}-proxy-ro` });
                expect(run.outputs.proxyEndpoint).to.match(/\.proxy-/);
                const proxyId = proxy.state.arn.split(":").pop();
                for (const user of ["app", "reporting"]) {
                    const connect = one(run, "aws:iam/policy:Policy", `-proxy-connect-${user}`);
                    expect(policyDoc(connect.inputs.policy).Statement).to.deep.equal([
                        // Both names alternating-users rotation gives the user, and nobody else's.
                        {
                            Sid: "ConnectThroughTheProxyAsOneUser",
                            Effect: "Allow",
                            Action: "rds-db:connect",
                            Resource: [user, `${user}_clone`].map(
                                (name) => `arn:aws:rds-db:eu-west-1:${MOCK_ACCOUNT_ID}:dbuser:${proxyId}/${name}`,
                            ),
                        },
                    ]);
                    expect(run.outputs.proxyConnectPolicyArns[user]).to.equal(connect.state.arn);
                }
                expect(run.outputs.proxyReadOnlyEndpoint).to.match(/\.endpoint\.proxy-/);
            },
        );

        it(
            `REQ-003 ${stack}: the proxy admits the application group and the ` +
                `verifying bootstrap function only, and talks only to the database`,
            async () => {
                const run = await stackRun(stack);
                const group = one(run, "aws:ec2/securityGroup:SecurityGroup", "-proxy-sg");
                const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                    (r) => r.inputs.securityGroupId === group.id,
                );
                const bootstrapGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "-bootstrap-sg").id;
                expect(ingress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort])).to.have.deep.members([
                    [run.outputs.appSecurityGroupIds[0], 5432],
                    [bootstrapGroup, 5432],
                ]);
                const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
                    (r) => r.inputs.securityGroupId === group.id,
                );
                expect(egress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([
                    [run.outputs.dbSecurityGroupId, 5432, 5432],
                ]);
            },
        );
    }

    it("dev has no proxy, no application users and no rotation function (no endpoints there)", async () => {
        const run = await stackRun("dev");
        expect(ofType(run, "aws:rds/proxy:Proxy")).to.be.empty;
        expect(ofType(run, SECRET)).to.be.empty;
        expect(ofType(run, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack")).to.be.empty;
        expect(run.outputs).to.not.have.property("proxyEndpoint");
    });

    it("proxy ingress covers every application group and private CIDR; password auth when IAM auth is off", async () => {
        const run = await runComponent(
            () => new Secrets("sec-rules", componentArgs({ proxy: { ...componentArgs().proxy, iamAuth: false } })),
        );
        const group = one(run, "aws:ec2/securityGroup:SecurityGroup", "-proxy-sg");
        const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs.securityGroupId === group.id,
        );
        expect(ingress.map((r) => r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4)).to.deep.equal([
            "sg-0000000000000a001",
            "sg-0000000000000a002",
            "10.8.0.0/16",
        ]);
        expectEvery(
            one(run, "aws:rds/proxy:Proxy").inputs.auths,
            (a: { iamAuth: string; description: string }) => a.iamAuth === "DISABLED",
            "proxy auths requiring IAM",
            (a: { description: string }) => a.description,
        );
    });

    it("the component rejects invalid settings with its own field names", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new Secrets(
                        "sec-bad",
                        componentArgs({
                            appRotationDays: 0,
                            cluster: { ...TEST_CLUSTER, canAutoPause: true },
                            appUsers: [{ name: "dbadmin", access: "readwrite" }],
                        }),
                    ),
            ),
        );
        expect(error.message).to.include("appRotationDays = 0: must be an integer from 1 to 90");
        expect(error.message).to.include("proxy.enabled cannot be combined with Serverless v2 auto-pause");
        expect(error.message).to.include('appUsers = "dbadmin": is reserved');
    });
});

describe("config: secrets and proxy validation", () => {
    const problems = configProblems;

    it("rotation intervals: 1 and 90 days accepted, 0 and 91 rejected", () => {
        for (const key of ["masterRotationDays", "appRotationDays"]) {
            expect(problems({ [`aurora:${key}`]: "1" })).to.equal("");
            expect(problems({ [`aurora:${key}`]: "90" })).to.equal("");
            expect(problems({ [`aurora:${key}`]: "0" })).to.include(`aurora:${key} = 0: must be an integer from 1 to 90`);
            expect(problems({ [`aurora:${key}`]: "91" })).to.include(`aurora:${key} = 91`);
        }
    });

    it("application users: shape, duplicates, reserved names and the _clone length limit", () => {
        expect(problems({ "aurora:appUsers": JSON.stringify([`a${"b".repeat(56)}:readonly`]) })).to.equal("");
        expect(problems({ "aurora:appUsers": JSON.stringify([`a${"b".repeat(57)}:readonly`]) })).to.include("at most 57 characters");
        expect(problems({ "aurora:appUsers": JSON.stringify(["app:admin"]) })).to.include(
            'aurora:appUsers = "app:admin": each entry must be name:readwrite or name:readonly',
        );
        expect(problems({ "aurora:appUsers": JSON.stringify(["app:readwrite", "app:readonly"]) })).to.include(
            'aurora:appUsers = "app": is listed twice',
        );
        for (const reserved of ["postgres", "rds_app", "pg_app", "dbadmin", "iam_admin"]) {
            expect(problems({ "aurora:appUsers": JSON.stringify([`${reserved}:readwrite`]) })).to.include(
                `aurora:appUsers = "${reserved}": is reserved`,
            );
        }
        expect(problems({ "aurora:appUsers": JSON.stringify(["App:readwrite"]) })).to.include("must be a lowercase PostgreSQL role name");
    });

    it("application users: the group role names and names that collide with a rotation's _clone user are refused", () => {
        for (const group of ["readwrite", "readonly"]) {
            expect(problems({ "aurora:appUsers": JSON.stringify([`${group}:readonly`]) })).to.include(
                `aurora:appUsers = "${group}": is reserved`,
            );
        }
        expect(problems({ "aurora:appUsers": JSON.stringify(["app:readwrite", "app_clone:readonly"]) })).to.include(
            'aurora:appUsers = "app_clone": collides with the _clone user that rotation creates for app',
        );
        expect(
            problems({ "aurora:appUsers": JSON.stringify(["app_clone:readonly"]) }),
            "a _clone name alone collides with nothing",
        ).to.equal("");
        expect(problems({ "aurora:appUsers": JSON.stringify(["ops:readonly"]), "aurora:iamAdminDbUser": "ops_clone" })).to.include(
            'aurora:appUsers = "ops": its rotation would create ops_clone, which is the master or IAM admin user',
        );
    });

    it("rejects the proxy with Serverless v2 auto-pause, and the proxy without application users", () => {
        const serverless = {
            "aurora:instanceClass": "db.serverless",
            "aurora:activityStream": "false",
            "aurora:serverlessMinCapacity": "0",
        };
        expect(problems(serverless)).to.include("aurora:proxy cannot be combined with Serverless v2 auto-pause");
        expect(problems({ ...serverless, "aurora:proxy": "false" })).to.equal("");
        expect(problems({ ...serverless, "aurora:serverlessMinCapacity": "0.5" })).to.equal("");
        expect(problems({ "aurora:appUsers": "[]" })).to.include("aurora:proxy needs at least one aurora:appUsers entry");
    });

    it("rejects application users (rotation) in a new VPC without endpoints", () => {
        expect(problems({ "aurora:vpcEndpoints": "false" })).to.include("aurora:appUsers needs aurora:vpcEndpoints");
        expect(problems({ "aurora:vpcEndpoints": "false", "aurora:appUsers": "[]", "aurora:proxy": "false" })).to.equal("");
    });

    it("proxy pool settings: percentages, idle share within the maximum, timeouts", () => {
        expect(problems({ "aurora:proxyMaxConnectionsPercent": "100", "aurora:proxyMaxIdleConnectionsPercent": "100" })).to.equal("");
        expect(problems({ "aurora:proxyMaxConnectionsPercent": "0" })).to.include(
            "aurora:proxyMaxConnectionsPercent = 0: must be an integer from 1 to 100",
        );
        expect(problems({ "aurora:proxyMaxConnectionsPercent": "40" })).to.include(
            "aurora:proxyMaxIdleConnectionsPercent = 50: must be an integer from 0 to 40",
        );
        expect(problems({ "aurora:proxyIdleClientTimeoutSeconds": "28801" })).to.include("aurora:proxyIdleClientTimeoutSeconds = 28801");
        expect(problems({ "aurora:proxyBorrowTimeoutSeconds": "3601" })).to.include("aurora:proxyBorrowTimeoutSeconds = 3601");
        expect(problems({ "aurora:proxyBorrowTimeoutSeconds": "0" })).to.equal("");
    });
});

describe("docs: secrets-rotation.md and connection-management.md match the code", () => {
    const read = (file: string) => require("fs").readFileSync(require("path").join(__dirname, "..", "docs", file), "utf8") as string;

    it("the rotation doc names the pinned rotation application, the secret names and the function's log group", async () => {
        const doc = read("secrets-rotation.md");
        expect(doc).to.include(`version ${ROTATION_APPLICATION.semanticVersion}`);
        expect(doc).to.include("SecretsManagerRDSPostgreSQLRotationMultiUser");
        const run = await stackRun("prod");
        for (const secret of ofType(run, SECRET)) {
            expect(doc).to.include(secret.inputs.name.replace(/^aurora-prod/, "aurora-$STACK"));
        }
        expect(doc).to.include(
            `/aws/lambda/${one(run, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack").inputs.parameters.functionName}`,
        );
    });

    it("the connection budget table holds each stack's computed max_connections and proxy share", async () => {
        const doc = read("connection-management.md");
        for (const stack of STACKS) {
            const run = await stackRun(stack);
            const writerMax = run.outputs.maxConnections[`aurora-${stack}-instance-1`] as number;
            const row = doc.split("\n").find((line) => line.startsWith(`| ${stack} |`))!;
            expect(row, stack).to.include(`| ${writerMax.toLocaleString("en-US")} |`);
            if (run.outputs.proxyConnectionBudget !== undefined) {
                expect(row).to.include(`| ${run.outputs.proxyConnectionBudget.toLocaleString("en-US")} |`);
                expect(row).to.include(`| ${(writerMax - run.outputs.proxyConnectionBudget).toLocaleString("en-US")} |`);
            } else {
                expect(row).to.include("no proxy");
            }
        }
    });
});
