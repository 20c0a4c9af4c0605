import { expect } from "chai";
import { KEY_PURPOSES, KeyPolicyPurpose, KmsKeys, keyPolicy } from "../components/kms";
import { MOCK_ACCOUNT_ID } from "../tools/mock-engine";
import { previewStack } from "../tools/preview";
import { STACKS, expectEvery, errorOf, ofType, one, policyDoc, runComponent, stackConfig, stackRun } from "./helpers";

const ctx = { partition: "aws", accountId: MOCK_ACCOUNT_ID, region: "eu-west-1" };
const root = `arn:aws:iam::${MOCK_ACCOUNT_ID}:root`;

function statements(purpose: KeyPolicyPurpose) {
    return policyDoc(keyPolicy(purpose, ctx)).Statement;
}

describe("components/kms: customer-managed keys (REQ-002)", () => {
    for (const stack of STACKS) {
        it(`REQ-002 ${stack}: one rotating CMK per purpose in use, with a 30-day deletion window and an alias`, async () => {
            const run = await stackRun(stack);
            const keys = ofType(run, "aws:kms/key:Key").filter((k) => k.parent!.includes("aurora:kms:KmsKeys"));
            // The activity-stream key exists only where a stream uses it.
            const purposes = KEY_PURPOSES.filter((p) => p !== "activity-stream" || stackConfig(stack).cluster.activityStream);
            expect(keys.map((k) => k.inputs.tags.Purpose).sort()).to.deep.equal([...purposes].sort());
            for (const key of keys) {
                expect(key.inputs).to.include({
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    keyUsage: "ENCRYPT_DECRYPT",
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                });
                expect(key.inputs.tags).to.include({ Environment: stack, ManagedBy: "pulumi" });
            }
            const aliases = ofType(run, "aws:kms/alias:Alias")
                .filter((a) => a.parent!.includes("aurora:kms:KmsKeys"))
                .map((a) => a.inputs.name)
                .sort();
            expect(aliases).to.deep.equal(purposes.map((p) => `alias/aurora-${stack}-${p}`).sort());
        });
    }

    it(
        "REQ-010: prod keeps its protected activity-stream key while the " +
            "stream is off (major upgrade), so audit records stay readable",
        async () => {
            const upgrading = await previewStack("prod", { "aurora:activityStream": "false" });
            expect(
                upgrading.resources.filter((r) => r.type === "aws:rds/clusterActivityStream:ClusterActivityStream"),
                "streams",
            ).to.have.length(0);
            const key = upgrading.resources.find((r) => r.type === "aws:kms/key:Key" && r.inputs.tags?.Purpose === "activity-stream");
            expect(key?.options.protect, "prod activity-stream key").to.equal(true);
        },
    );

    it("REQ-008: keys are protected from deletion in prod, not in dev", async () => {
        const prod = ofType(await stackRun("prod"), "aws:kms/key:Key");
        expect(prod).to.have.length(7, "six stack keys and the DR region's backup key");
        const dev = ofType(await stackRun("dev"), "aws:kms/key:Key");
        expectEvery(prod, (k) => k.options.protect);
        expect(dev.some((k) => k.options.protect)).to.equal(false);
    });

    it("every key policy lets the account root administer but not use the key directly", () => {
        for (const purpose of KEY_PURPOSES) {
            const admin = statements(purpose)[0];
            expect(admin.Principal).to.deep.equal({ AWS: root });
            expect(admin.Action).to.include("kms:ScheduleKeyDeletion");
            expect(admin.Action).to.not.include("kms:Decrypt");
            expect(admin.Action).to.not.include("kms:*");
        }
    });

    it("Performance Insights and activity-stream keys are usable by this account only through RDS", () => {
        for (const purpose of ["performance-insights", "activity-stream"] as const) {
            const use = statements(purpose)[1];
            expect(use.Principal).to.deep.equal({ AWS: root });
            expect(use.Condition.StringEquals).to.deep.equal({
                "kms:CallerAccount": MOCK_ACCOUNT_ID,
                "kms:ViaService": ["rds.eu-west-1.amazonaws.com"],
            });
        }
    });

    it("the storage key (and the DR backup key) is usable only through RDS and AWS Backup, with grants", () => {
        for (const purpose of ["storage", "backup"] as const) {
            const use = statements(purpose)[1];
            expect(use.Principal).to.deep.equal({ AWS: root });
            expect(use.Condition.StringEquals["kms:ViaService"]).to.deep.equal([
                "rds.eu-west-1.amazonaws.com",
                "backup.eu-west-1.amazonaws.com",
            ]);
            expect(use.Action).to.include.members(["kms:CreateGrant", "kms:ListGrants", "kms:Decrypt", "kms:GenerateDataKey*"]);
        }
    });

    it("the secrets key is usable only through Secrets Manager and RDS", () => {
        const use = statements("secrets")[1];
        expect(use.Condition.StringEquals["kms:ViaService"]).to.deep.equal([
            "secretsmanager.eu-west-1.amazonaws.com",
            "rds.eu-west-1.amazonaws.com",
        ]);
    });

    it("the logs key trusts the regional CloudWatch Logs principal for this account's log groups only", () => {
        const [, logs] = statements("logs");
        expect(logs.Principal).to.deep.equal({ Service: "logs.eu-west-1.amazonaws.com" });
        expect(logs.Condition).to.deep.equal({
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${MOCK_ACCOUNT_ID}:log-group:*` },
        });
        expect(logs.Action).to.include("kms:GenerateDataKey*");
    });

    it("the alerts key lets CloudWatch alarms (this account) and RDS event notifications publish to encrypted SNS", () => {
        const [, alarms, rdsEvents, viaSns] = statements("alerts");
        expect(alarms.Principal).to.deep.equal({ Service: "cloudwatch.amazonaws.com" });
        expect(alarms.Action).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
        expect(alarms.Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } });
        expect(rdsEvents.Principal).to.deep.equal({ Service: "events.rds.amazonaws.com" });
        expect(rdsEvents.Action).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
        expect(rdsEvents.Condition, "no condition key RDS is not documented to send (it would deny every event)").to.equal(undefined);
        expect(viaSns.Condition.StringEquals["kms:ViaService"]).to.deep.equal(["sns.eu-west-1.amazonaws.com"]);
    });

    it("activity-stream consumers may decrypt only records bound to a cluster", () => {
        const consumers = statements("activity-stream")[2];
        expect(consumers.Action).to.equal("kms:Decrypt");
        expect(consumers.Condition).to.deep.equal({ Null: { "kms:EncryptionContext:aws:rds:dbc-id": "false" } });
    });

    it("the deployed policy is the one keyPolicy renders, with the account from the caller identity", async () => {
        const run = await runComponent(
            () => new KmsKeys("kms-policy", { aliasPrefix: "t-kms", region: "eu-west-1", tags: { Environment: "dev" } }),
        );
        const key = one(run, "aws:kms/key:Key", "-logs");
        expect(JSON.parse(key.inputs.policy)).to.deep.equal(JSON.parse(keyPolicy("logs", ctx)));
        expect(key.options.protect, "protect defaults to true").to.equal(true);
        expect(one(run, "aws:kms/key:Key", "-activity-stream").inputs.tags.Purpose, "activityStreamKey defaults to true").to.equal(
            "activity-stream",
        );
    });

    it("activityStreamKey: false creates neither the activity-stream key nor its alias, and leaves it out of keyArns", async () => {
        let kms: KmsKeys | undefined;
        const run = await runComponent(
            () =>
                (kms = new KmsKeys("kms-nostream", { aliasPrefix: "t-nostream", region: "eu-west-1", activityStreamKey: false, tags: {} })),
        );
        const names = [...ofType(run, "aws:kms/key:Key"), ...ofType(run, "aws:kms/alias:Alias")].map((r) => r.name);
        expect(
            names.filter((n) => n.endsWith("-activity-stream")),
            "activity-stream resources",
        ).to.deep.equal([]);
        expect(Object.keys(kms!.keyArns).sort()).to.deep.equal(KEY_PURPOSES.filter((p) => p !== "activity-stream").sort());
    });

    it("rejects a deletion window outside 7-30 days and a bad alias prefix, naming field and value", async () => {
        const error = await errorOf(() =>
            runComponent(() => new KmsKeys("kms-bad", { aliasPrefix: "Bad--", region: "eu-west-1", deletionWindowDays: 6, tags: {} })),
        );
        expect(error.message).to.include("deletionWindowDays = 6: must be an integer from 7 to 30");
        expect(error.message).to.include('aliasPrefix = "Bad--"');
        const accepted = await runComponent(
            () => new KmsKeys("kms-edge", { aliasPrefix: "t-edge", region: "eu-west-1", deletionWindowDays: 7, protect: false, tags: {} }),
        );
        for (const key of ofType(accepted, "aws:kms/key:Key")) expect(key.inputs.deletionWindowInDays, key.name).to.equal(7);
    });
});
