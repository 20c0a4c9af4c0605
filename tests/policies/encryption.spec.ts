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
        it("REQ-002: passes an encrypted cluster with a customer-managed key", () => expectNone(check(clusterStorageEncrypted, s.cluster)));
        it("REQ-002: flags storageEncrypted missing or false", () => {
            expectViolations(check(clusterStorageEncrypted, mutate(s.cluster, { storageEncrypted: undefined })), "Cluster storage is not encrypted");
            expectViolations(check(clusterStorageEncrypted, mutate(s.cluster, { storageEncrypted: false })), "set storageEncrypted to true");
        });
        it("REQ-002: flags a missing kmsKeyId and an AWS managed key", () => {
            expectViolations(check(clusterStorageEncrypted, mutate(s.cluster, { kmsKeyId: undefined })), "does not use a customer-managed KMS key: set kmsKeyId");
            expectViolations(check(clusterStorageEncrypted, mutate(s.cluster, { kmsKeyId: "alias/aws/rds" })), "uses the AWS managed key 'alias/aws/rds'");
        });
        it("reports as mandatory on the cluster's URN, and ignores other types", () => {
            const [v] = check(clusterStorageEncrypted, mutate(s.cluster, { storageEncrypted: false }));
            expect(v).to.deep.include({ policy: "rds-cluster-storage-encrypted-cmk", enforcementLevel: "mandatory", urn: s.cluster.urn });
            expectNone(check(clusterStorageEncrypted, [s.key, s.writer, s.topic]));
        });
    });

    describe("rds-performance-insights-cmk", () => {
        it("REQ-002: passes instances with a CMK and clusters without PI", () => expectNone(check(performanceInsightsCmk, [s.cluster, s.writer, s.reader])));
        it("REQ-002: flags PI enabled without a key or with the AWS managed key, on instances and clusters", () => {
            expectViolations(check(performanceInsightsCmk, mutate(s.writer, { performanceInsightsKmsKeyId: undefined })), "Performance Insights is enabled without a customer-managed key: set performanceInsightsKmsKeyId (got 'unset').");
            expectViolations(check(performanceInsightsCmk, mutate(s.writer, { performanceInsightsKmsKeyId: "arn:aws:kms:eu-west-1:1:alias/aws/rds" })), "(got 'arn:aws:kms:eu-west-1:1:alias/aws/rds')");
            expectViolations(check(performanceInsightsCmk, mutate(s.cluster, { performanceInsightsEnabled: true })), "set performanceInsightsKmsKeyId (got 'unset')");
            const standalone = res("aws:rds/instance:Instance", "legacy", { performanceInsightsEnabled: true });
            expectViolations(check(performanceInsightsCmk, standalone), "without a customer-managed key");
        });
        it("ignores instances with PI disabled", () => expectNone(check(performanceInsightsCmk, mutate(s.writer, { performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }))));
    });

    describe("rds-activity-stream-cmk", () => {
        it("REQ-002 REQ-010: passes a stream with a CMK", () => expectNone(check(activityStreamCmk, s.activityStream)));
        it("REQ-002 REQ-010: flags a stream without a key or with an AWS managed key", () => {
            expectViolations(check(activityStreamCmk, mutate(s.activityStream, { kmsKeyId: undefined })), "Activity stream is not encrypted with a customer-managed key: set kmsKeyId (got 'unset')");
            expectViolations(check(activityStreamCmk, mutate(s.activityStream, { kmsKeyId: "alias/aws/rds" })), "(got 'alias/aws/rds')");
        });
    });

    describe("secrets-encrypted-with-cmk", () => {
        it("REQ-002 REQ-004: passes a secret and a managed master secret with CMKs", () => expectNone(check(secretsCmk, [s.secret, s.cluster, s.secretVersion])));
        it("REQ-002 REQ-004: flags a secret on the default aws/secretsmanager key", () => {
            expectViolations(check(secretsCmk, mutate(s.secret, { kmsKeyId: undefined })), "Secret is not encrypted with a customer-managed key: set kmsKeyId (got 'aws/secretsmanager')");
            expectViolations(check(secretsCmk, mutate(s.secret, { kmsKeyId: "alias/aws/secretsmanager" })), "(got 'alias/aws/secretsmanager')");
        });
        it("REQ-002 REQ-004: flags manageMasterUserPassword without masterUserSecretKmsKeyId", () => {
            expectViolations(check(secretsCmk, mutate(s.cluster, { masterUserSecretKmsKeyId: undefined })), "set masterUserSecretKmsKeyId to a customer-managed key");
            expectNone(check(secretsCmk, mutate(s.cluster, { masterUserSecretKmsKeyId: undefined, manageMasterUserPassword: undefined })));
        });
    });

    describe("cloudwatch-log-group-cmk", () => {
        it("REQ-002 REQ-006: passes an encrypted log group", () => expectNone(check(logGroupCmk, s.logGroup)));
        it("REQ-002 REQ-006: flags a log group without kmsKeyId", () => {
            expectViolations(check(logGroupCmk, mutate(s.logGroup, { kmsKeyId: undefined })), "Log group is not encrypted with a customer-managed key: set kmsKeyId.");
        });
    });

    describe("sns-topic-cmk", () => {
        it("REQ-002: passes a topic with a CMK", () => expectNone(check(snsTopicCmk, s.topic)));
        it("REQ-002: flags a topic without a key or on alias/aws/sns", () => {
            expectViolations(check(snsTopicCmk, mutate(s.topic, { kmsMasterKeyId: undefined })), "Topic is not encrypted with a customer-managed key: set kmsMasterKeyId (got 'unset')");
            expectViolations(check(snsTopicCmk, mutate(s.topic, { kmsMasterKeyId: "alias/aws/sns" })), "(got 'alias/aws/sns')");
        });
    });

    describe("kms-key-rotation-enabled", () => {
        it("REQ-002: passes a rotating symmetric key and an asymmetric key without rotation", () => {
            expectNone(check(kmsKeyRotation, s.key));
            expectNone(check(kmsKeyRotation, mutate(s.key, { enableKeyRotation: undefined, customerMasterKeySpec: "RSA_2048" })));
        });
        it("REQ-002: flags a symmetric key without rotation", () => {
            expectViolations(check(kmsKeyRotation, mutate(s.key, { enableKeyRotation: false })), "KMS key rotation is not enabled: set enableKeyRotation to true.");
            expectViolations(check(kmsKeyRotation, mutate(s.key, { enableKeyRotation: undefined, customerMasterKeySpec: "SYMMETRIC_DEFAULT" })), "KMS key rotation is not enabled");
        });
    });

    describe("kms-key-deletion-window", () => {
        it("REQ-002 REQ-008: passes 30 days and an unset window (provider default 30)", () => {
            expectNone(check(kmsKeyDeletionWindow, s.key));
            expectNone(check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: undefined })));
            expectNone(check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: 7 })));
        });
        it("REQ-002 REQ-008: flags a window below the minimum, which is configurable", () => {
            expectViolations(check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: 5 })), "KMS key deletionWindowInDays is 5; it must be at least 7.");
            const config = { "kms-key-deletion-window": { minimumDeletionWindowDays: 30 } };
            expectViolations(check(kmsKeyDeletionWindow, mutate(s.key, { deletionWindowInDays: 14 }), { config }), "is 14; it must be at least 30");
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
        it("REQ-002: passes force_ssl=1 with TLSv1.2 or TLSv1.3", () => {
            expectNone(check(parameterGroupTls, s.parameterGroup));
            expectNone(check(parameterGroupTls, params("1", "TLSv1.3")));
        });
        it("REQ-002: flags a missing or disabled rds.force_ssl", () => {
            expectViolations(check(parameterGroupTls, params(undefined, "TLSv1.2")), "Cluster parameter group does not enforce TLS: rds.force_ssl must be 1 (got unset).");
            expectViolations(check(parameterGroupTls, params("0", "TLSv1.2")), "rds.force_ssl must be 1 (got 0)");
        });
        it("REQ-002: flags a missing or too old ssl_min_protocol_version", () => {
            expectViolations(check(parameterGroupTls, params("1", undefined)), "ssl_min_protocol_version must be one of TLSv1.2, TLSv1.3 (got unset)");
            expectViolations(check(parameterGroupTls, params("1", "TLSv1.1")), "(got TLSv1.1)");
            expectViolations(check(parameterGroupTls, mutate(s.parameterGroup, { parameters: undefined })), "rds.force_ssl", "ssl_min_protocol_version");
        });
        it("ignores non aurora-postgresql families", () => {
            expectNone(check(parameterGroupTls, mutate(s.parameterGroup, { family: "aurora-mysql8.0", parameters: [] })));
        });
    });

    describe("aurora-postgresql-cluster-tls-parameter-group (stack)", () => {
        const both = (cluster = s.cluster, group = s.parameterGroup) => stackOf({ cluster, parameterGroup: group });
        it("REQ-002: passes a cluster whose group (matched by name) forces TLS", () => expectNone(check(clusterUsesTlsParameterGroup, both())));
        it("REQ-002: flags the default parameter group", () => {
            expectViolations(check(clusterUsesTlsParameterGroup, both(mutate(s.cluster, { dbClusterParameterGroupName: undefined }))), "Cluster uses the default cluster parameter group");
            const [v] = expectViolations(check(clusterUsesTlsParameterGroup, both(mutate(s.cluster, { dbClusterParameterGroupName: "default.aurora-postgresql17" }))), "default cluster parameter group");
            expect(v.urn).to.equal(s.cluster.urn);
        });
        it("REQ-002: flags a group that does not force TLS, and one not declared in the stack", () => {
            const weak = mutate(s.parameterGroup, { parameters: [{ name: "rds.force_ssl", value: "0" }] });
            expectViolations(check(clusterUsesTlsParameterGroup, both(s.cluster, weak)), "Cluster parameter group 'aurora-pg17' does not enforce TLS: rds.force_ssl must be 1 (got 0); ssl_min_protocol_version");
            expectViolations(check(clusterUsesTlsParameterGroup, [s.cluster]), "Cluster parameter group 'aurora-pg17' is not declared in this stack");
        });
        it("REQ-002: matches an auto-named group by its id (a property dependency of the cluster)", () => {
            const group = res("aws:rds/clusterParameterGroup:ClusterParameterGroup", "auto", { family: "aurora-postgresql17", parameters: s.parameterGroup.inputs.parameters }, { state: { id: "auto-1234", arn: "arn:aws:rds:eu-west-1:1:cluster-pg:auto-1234" } });
            expectNone(check(clusterUsesTlsParameterGroup, [mutate(s.cluster, { dbClusterParameterGroupName: "auto-1234" }), group]));
        });
        it("ignores clusters of other engines", () => {
            expectNone(check(clusterUsesTlsParameterGroup, [mutate(s.cluster, { engine: "aurora-mysql", dbClusterParameterGroupName: undefined })]));
        });
    });
});
