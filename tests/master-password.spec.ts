/**
 * Who keeps the master password (aurora:masterPassword): RDS on every committed stack; or, with
 * `secret` (what Global Database members and Blue/Green Deployments need), a generated write-only
 * password in the stack's own secret, rotated by AWS's single-user function in the database subnets,
 * and read by everything that logs in as the master user.
 */
import { expect } from "chai";
import { SINGLE_USER_ROTATION_APPLICATION } from "../components/secrets";
import { changedSteps } from "../tools/plan";
import { previewStack } from "../tools/preview";
import { STACKS, configProblems, one, ofType, policyDoc, secondUp, stackRun } from "./helpers";

const CLUSTER = "aws:rds/cluster:Cluster";
const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const SAR = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack";
const OWN = { "aurora:masterPassword": "secret" };

describe("master password: RDS-managed or the stack's own secret (aurora:masterPassword, REQ-004)", () => {
    for (const stack of STACKS) {
        it(`${stack}: RDS keeps the master password by default, and rotates it without a function of ours`, async () => {
            const run = await stackRun(stack);
            const cluster = one(run, CLUSTER);
            expect(cluster.inputs).to.include({ manageMasterUserPassword: true });
            expect(cluster.inputs.masterPasswordWo, "no password of ours").to.equal(undefined);
            expect(run.outputs.masterSecretArn).to.equal(cluster.state.masterUserSecrets[0].secretArn);
            expect(one(run, ROTATION, "-master-rotation").inputs.rotationLambdaArn).to.equal(undefined);
        });
    }

    it("secret: a generated password sent write-only, in the stack's secret encrypted with the secrets key", async () => {
        const run = await previewStack("staging", OWN);
        const cluster = one(run, CLUSTER);
        const password = one(run, "random:index/randomPassword:RandomPassword", "-master-password");
        expect(cluster.inputs).to.deep.include({ masterPasswordWo: password.state.result, masterPasswordWoVersion: 1 });
        expect(cluster.inputs.manageMasterUserPassword, "RDS does not manage it").to.equal(undefined);
        expect(cluster.inputs.masterPassword, "never the stored masterPassword").to.equal(undefined);
        expect(password.inputs.overrideSpecial, "characters RDS refuses in a master password").to.not.match(/[/@" ]/);

        const secret = one(run, SECRET, "-master-secret");
        expect(secret.inputs).to.include({ name: "aurora-staging-master", kmsKeyId: run.outputs.kmsKeyArns.secrets });
        expect(run.outputs.masterSecretArn).to.equal(secret.state.arn);
        const version = one(run, "aws:secretsmanager/secretVersion:SecretVersion", "-master-secret");
        expect(version.inputs.secretString, "the value is write-only too").to.equal(undefined);
        expect(version.inputs.secretStringWoVersion).to.equal(1);
        for (const initial of ofType(run, "aws:secretsmanager/secretVersion:SecretVersion")) {
            // A label no rotation moves: AWS never purges the version, so no `up` writes the initial password back.
            expect(initial.inputs.versionStages, initial.name).to.deep.equal(["AWSCURRENT", "initial"]);
            expect(initial.options.ignoreChanges, initial.name).to.include("versionStages");
        }
        expect(JSON.parse(version.inputs.secretStringWo), "the shape AWS's PostgreSQL rotation functions read").to.deep.equal({
            engine: "postgres",
            host: cluster.state.endpoint,
            port: 5432,
            username: "dbadmin",
            password: password.state.result,
            dbname: "app",
            dbClusterIdentifier: "aurora-staging",
        });
    });

    it("secret: AWS's single-user function in the database subnets rotates it on the configured schedule", async () => {
        const run = await previewStack("staging", OWN);
        const stack = one(run, SAR, "-master-rotation");
        expect(stack.inputs).to.deep.include({
            name: "aurora-staging-master-rotation",
            applicationId: SINGLE_USER_ROTATION_APPLICATION.applicationId,
            semanticVersion: SINGLE_USER_ROTATION_APPLICATION.semanticVersion,
        });
        const multiUser = ofType(run, SAR).find((s) => s.name === "aurora-staging-rotation")!;
        expect(stack.inputs.parameters, "the same network and key as the application users' function").to.deep.include({
            vpcSubnetIds: multiUser.inputs.parameters.vpcSubnetIds,
            vpcSecurityGroupIds: multiUser.inputs.parameters.vpcSecurityGroupIds,
            kmsKeyArn: run.outputs.kmsKeyArns.secrets,
            endpoint: "https://secretsmanager.eu-west-1.amazonaws.com",
            functionName: "aurora-staging-master-rotation",
        });
        expect(multiUser.inputs.parameters.masterSecretArn, "the users' rotations log in with the stack's master secret").to.equal(
            run.outputs.masterSecretArn,
        );
        const rotation = one(run, ROTATION, "-master-rotation");
        expect(rotation.inputs).to.deep.include({
            secretId: run.outputs.masterSecretArn,
            rotationLambdaArn: stack.state.outputs.RotationLambdaARN,
            rotationRules: { automaticallyAfterDays: 30 },
            rotateImmediately: false,
        });
        expect(ofType(run, "aws:ec2/securityGroup:SecurityGroup").filter((g) => g.name.endsWith("-rotation-sg"))).to.have.length(1);
        expect(run.outputs.rotationSchedule.master).to.equal("every 30 days (single-user rotation function)");
    });

    it("secret: the bootstrap function reads the stack's secret, and the pack passes as up and as a new stack's preview", async () => {
        for (const mode of ["up", "preview"] as const) {
            const run = await previewStack("prod", OWN, {}, mode);
            expect(
                run.policyViolations.filter((v) => v.enforcementLevel === "mandatory"),
                `mandatory violations (${mode})`,
            ).to.deep.equal([]);
            if (mode === "up") {
                const role = policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "-bootstrap").inputs.policy);
                const read = role.Statement.find((s) => s.Sid === "ReadTheDatabaseSecrets")!;
                expect(read.Resource).to.include(run.outputs.masterSecretArn);
            }
        }
    });

    it(
        "secret: the second `pulumi up` plans nothing (read-back model); an unknown " +
            "mode, or one whose rotation cannot reach Secrets Manager, is refused",
        async () => {
            const plan = await secondUp("prod", OWN);
            expect(changedSteps(plan).map((s) => `${s.operation} ${s.name}`)).to.deep.equal([]);
            expect(configProblems({ "aurora:masterPassword": "plaintext" })).to.include(
                'aurora:masterPassword = "plaintext": must be one of "managed", "secret"',
            );
            expect(configProblems({ "aurora:masterPassword": "secret", "aurora:vpcEndpoints": "false" })).to.include(
                'aurora:masterPassword = "secret" needs aurora:vpcEndpoints: its rotation function runs in the isolated database subnets',
            );
        },
    );
});
