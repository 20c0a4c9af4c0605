import { expect } from "chai";
import {
    activityStreamCmk,
    clusterStorageEncrypted,
    clusterUsesTlsParameterGroup,
    kmsKeyDeletionWindow,
    kmsKeyRotation,
    logGroupCmk,
    parameterGroupTls,
    performanceInsightsCmk,
    secretsCmk,
    snsTopicCmk,
} from "../../policies/encryption";
import { compliantStack, check, expectNone, expectViolations, mutate, res, stackOf } from "./harness";

describe("encryption policies (REQ-002)", () => {
    const s = compliantStack("prod");

    describe("rds-cluster-storage-encrypted-cmk", () => {
        it("REQ-002: passes an encrypted cluster with a customer-managed key", async () =>
            expectNone(await check(clusterStorageEncrypted, s.cluster)));
        it("REQ-002: flags storageEncrypted missing or false", async () => {
            expectViolations(
                await check(clusterStorageEncrypted, mutate(s.cluster, { storageEncrypted: undefined })),
                "Cluster storage is not encrypted",
            );
            expectViolations(
                await check(clusterStorageEncrypted, mutate(s.cluster, { storageEncrypted: false })),
                "set storageEncrypted to true",
            );
        });
        it("REQ-002: flags a missing kmsKeyId and an AWS managed key", async () => {
            expectViolations(
                await check(clusterStorageEncrypted, mutate(s.cluster, { kmsKeyId: undefined })),
                "does not use a customer-managed KMS key: set kmsKeyId",
            );
            expectViolations(
                await check(clusterStorageEncrypted, mutate(s.cluster, { kmsKeyId: "alias/aws/rds" })),
                "uses the AWS managed key 'alias/aws/rds'",
            );
        });
        it("reports as mandatory on the cluster's URN, and ignores other types", async () => {
            const [v] = await check(clusterStorageEncrypted, mutate(s.cluster, { storageEncrypted: false }));
            expect(v).to.deep.include({ policy: "rds-cluster-storage-encrypted-cmk", enforcementLevel: "mandatory", urn: s.cluster.urn });
            expectNone(await check(clusterStorageEncrypted, [s.key, s.writer, s.topic]));
        });
    });

    describe("rds-performance-insights-cmk", () => {
        it("REQ-002: passes instances with a CMK and clusters without PI", async () =>
            expectNone(await check(performanceInsightsCmk, [s.cluster, s.writer, s.reader])));
        it("REQ-002: flags PI enabled without a key or with the AWS managed key, on instances and clusters", async () => {
            expectViolations(
                await check(performanceInsightsCmk, mutate(s.writer, { performanceInsightsKmsKeyId: undefined })),
                "Performance Insights is enabled without a customer-managed key: set performanceInsightsKmsKeyId (got 'unset').",
            );
            expectViolations(
                await check(
                    performanceInsightsCmk,
                    mutate(s.writer, { performanceInsightsKmsKeyId: "arn:aws:kms:eu-west-1:1:alias/aws/rds" }),
                ),
                "(got 'arn:aws:kms:eu-west-1:1:alias/aws/rds')",
            );
            expectViolations(
                await check(performanceInsightsCmk, mutate(s.cluster, { performanceInsightsEnabled: true })),
                "set performanceInsightsKmsKeyId (got 'unset')",
            );
            const standalone = res("aws:rds/instance:Instance", "legacy", { performanceInsightsEnabled: true });
            expectViolations(await check(performanceInsightsCmk, standalone), "without a customer-managed key");
        });
        it("ignores instances with PI disabled", async () =>
            expectNone(
                await check(
                    performanceInsightsCmk,
                    mutate(s.writer, { performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }),
                ),
            ));
    });

    describe("rds-activity-stream-cmk", () => {
        it("REQ-002 REQ-010: passes a stream with a CMK", async () => expectNone(await check(activityStreamCmk, s.activityStream)));
        it("REQ-002 REQ-010: flags a stream without a key or with an AWS managed key", async () => {
            expectViolations(
                await check(activityStreamCmk, mutate(s.activityStream, { kmsKeyId: undefined })),
                "Activity stream is not encrypted with a customer-managed key: set kmsKeyId (got 'unset')",
            );
            expectViolations(
                await check(activityStreamCmk, mutate(s.activityStream, { kmsKeyId: "alias/aws/rds" })),
                "(got 'alias/aws/rds')",
            );
        });
    });

    describe("secrets-encrypted-with-cmk", () => {
        it("REQ-002 REQ-004: passes a secret and a managed master secret with CMKs", async () =>
            expectNone(await check(secretsCmk, [s.secret, s.cluster, s.secretVersion])));
        it("REQ-002 REQ-004: flags a secret on the default aws/secretsmanager key", async () => {
            expectViolations(
                await check(secretsCmk, mutate(s.secret, { kmsKeyId: undefined })),
                "Secret is not encrypted with a customer-managed key: set kmsKeyId (got 'aws/secretsmanager')",
            );
            expectViolations(
                await check(secretsCmk, mutate(s.secret, { kmsKeyId: "alias/aws/secretsmanager" })),
                "(got 'alias/aws/secretsmanager')",
            );
        });
        it("REQ-002 REQ-004: flags manageMasterUserPassword without masterUserSecretKmsKeyId", async () => {
            expectViolations(
                await check(secretsCmk, mutate(s.cluster, { masterUserSecretKmsKeyId: undefined })),
                "set masterUserSecretKmsKeyId to a customer-managed key",
            );
            expectNone(
                await check(secretsCmk, mutate(s.cluster, { masterUserSecretKmsKeyId: undefined, manageMasterUserPassword: undefined })),
            );
        });
    });

    describe("cloudwatch-log-group-cmk", () => {
        it("REQ-002 REQ-006: passes an encrypted log group", async () => expectNone(await check(logGroupCmk, s.logGroup)));
        it("REQ-002 REQ-006: flags a log group without kmsKeyId", async () => {
            expectViolations(
                await check(logGroupCmk, mutate(s.logGroup, { kmsKeyId: undefined })),
                "Log group is not encrypted with a customer-managed key: set kmsKeyId.",
            );
        });
    });

    describe("sns-topic-cmk", () => {
        it("REQ-002: passes a topic with a CMK", async () => expectNone(await check(snsTopicCmk, s.topic)));
        it("REQ-002: flags a topic without a key or on alias/aws/sns", async () => {
            expectViolations(
                await check(snsTopicCmk, mutate(s.topic, { kmsMasterKeyId: undefined })),
                "Topic is not encrypted with a customer-managed key: set kmsMasterKeyId (got 'unset')",
            );
            expectViolations(await check(snsTopicCmk, mutate(s.topic, { kmsMasterKeyId: "alias/aws/sns" })), "(got 'alias/aws/sns')");
        });
    });

    describe("kms-key-rotation-enabled", () => {
        it("REQ-002: passes a rotating symmetric key and an asymmetric key without rotation", async () => {
            expectNone(await check(kmsKeyRotation, s.key));
            expectNone(await check(kmsKeyRotation, mutate(s.key, { enableKeyRotation: undefined, customerMasterKeySpec: "RSA_2048" })));
        });
        it("REQ-002: flags a symmetric key without rotation", async () => {
            expectViolations(
                await check(kmsKeyRotation, mutate(s.key, { enableKeyRotation: false })),
                "KMS key rotation is not enabled: set enableKeyRotation to true.",
            );
            expectViolations(
                await check(kmsKeyRotation, mutate(s.key, { enableKeyRotation: undefined, customerMasterKeySpec: "SYMMETRIC_DEFAULT" })),
                "KMS key rotation is not enabled",
            );
        });
    });

    describe("kms-key-deletion-window", () => {
        it("REQ-002 REQ-008: passes 30 days and an unset window (provider default 30)", async () => {
            expectNone(await check(kmsKeyDeletionWindow, s.key));
            expectNone(await check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: undefined })));
            expectNone(await check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: 7 })));
        });
        it("REQ-002 REQ-008: flags a window below the minimum, which is configurable", async () => {
            expectViolations(
                await check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: 5 })),
                "KMS key deletionWindowInDays is 5; it must be at least 7.",
            );
            const config = { "kms-key-deletion-window": { minimumDeletionWindowDays: 30 } };
            expectViolations(
                await check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: 14 }), { config }),
                "is 14; it must be at least 30",
            );
        });
    });

    describe("aurora-postgresql-parameter-group-tls", () => {
        const params = (force: string | undefined, min: string | undefined) =>
            mutate(s.parameterGroup, {
                parameters: [
                    ...(force === undefined ? [] : [{ name: "rds.force_ssl", value: force, applyMethod: "pending-reboot" }]),
                    ...(min === undefined ? [] : [{ name: "ssl_min_protocol_version", value: min, applyMethod: "pending-reboot" }]),
                ],
            });
        it("REQ-002: passes force_ssl=1 with TLSv1.2 or TLSv1.3", async () => {
            expectNone(await check(parameterGroupTls, s.parameterGroup));
            expectNone(await check(parameterGroupTls, params("1", "TLSv1.3")));
        });
        it("REQ-002: flags a missing or disabled rds.force_ssl", async () => {
            expectViolations(
                await check(parameterGroupTls, params(undefined, "TLSv1.2")),
                "Cluster parameter group does not enforce TLS: rds.force_ssl must be 1 (got unset).",
            );
            expectViolations(await check(parameterGroupTls, params("0", "TLSv1.2")), "rds.force_ssl must be 1 (got 0)");
        });
        it("REQ-002: flags a missing or too old ssl_min_protocol_version", async () => {
            expectViolations(
                await check(parameterGroupTls, params("1", undefined)),
                "ssl_min_protocol_version must be one of TLSv1.2, TLSv1.3 (got unset)",
            );
            expectViolations(await check(parameterGroupTls, params("1", "TLSv1.1")), "(got TLSv1.1)");
            expectViolations(
                await check(parameterGroupTls, mutate(s.parameterGroup, { parameters: undefined })),
                "rds.force_ssl",
                "ssl_min_protocol_version",
            );
        });
        it("ignores non aurora-postgresql families", async () => {
            expectNone(await check(parameterGroupTls, mutate(s.parameterGroup, { family: "aurora-mysql8.0", parameters: [] })));
        });
    });

    describe("aurora-postgresql-cluster-tls-parameter-group (stack)", () => {
        const both = (cluster = s.cluster, group = s.parameterGroup) => stackOf({ cluster, parameterGroup: group });
        it("REQ-002: passes a cluster whose group (matched by name) forces TLS", async () =>
            expectNone(await check(clusterUsesTlsParameterGroup, both())));
        it("REQ-002: flags the default parameter group", async () => {
            expectViolations(
                await check(clusterUsesTlsParameterGroup, both(mutate(s.cluster, { dbClusterParameterGroupName: undefined }))),
                "Cluster uses the default cluster parameter group",
            );
            const [v] = expectViolations(
                await check(
                    clusterUsesTlsParameterGroup,
                    both(mutate(s.cluster, { dbClusterParameterGroupName: "default.aurora-postgresql17" })),
                ),
                "default cluster parameter group",
            );
            expect(v.urn).to.equal(s.cluster.urn);
        });
        it("REQ-002: flags a group that does not force TLS, and one not declared in the stack", async () => {
            const weak = mutate(s.parameterGroup, { parameters: [{ name: "rds.force_ssl", value: "0" }] });
            expectViolations(
                await check(clusterUsesTlsParameterGroup, both(s.cluster, weak)),
                "Cluster parameter group 'aurora-pg17' does not enforce TLS: rds.force_ssl must be 1 (got 0); ssl_min_protocol_version",
            );
            expectViolations(
                await check(clusterUsesTlsParameterGroup, [s.cluster]),
                "Cluster parameter group 'aurora-pg17' is not declared in this stack",
            );
        });
        it("REQ-002: matches an auto-named group by its id (a property dependency of the cluster)", async () => {
            const group = res(
                "aws:rds/clusterParameterGroup:ClusterParameterGroup",
                "auto",
                { family: "aurora-postgresql17", parameters: s.parameterGroup.inputs.parameters },
                { state: { id: "auto-1234", arn: "arn:aws:rds:eu-west-1:1:cluster-pg:auto-1234" } },
            );
            expectNone(await check(clusterUsesTlsParameterGroup, [mutate(s.cluster, { dbClusterParameterGroupName: "auto-1234" }), group]));
        });
        it("ignores clusters of other engines", async () => {
            expectNone(
                await check(clusterUsesTlsParameterGroup, [
                    mutate(s.cluster, { engine: "aurora-mysql", dbClusterParameterGroupName: undefined }),
                ]),
            );
        });
    });
});
