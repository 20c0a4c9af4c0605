import { expect } from "chai";
import {
    clusterBackupRetention,
    clusterCopyTagsToSnapshot,
    clusterDeletionProtection,
    clusterFinalSnapshot,
    productionResourcesProtected,
} from "../../policies/data-safety";
import { compliantStack, check, expectNone, expectViolations, mutate, tagsFor } from "./harness";

describe("deletion protection and data safety policies (REQ-008, REQ-005)", () => {
    const s = compliantStack("prod");
    const dev = compliantStack("dev");

    describe("rds-cluster-deletion-protection", () => {
        it("REQ-008: passes a production cluster with deletion protection", async () =>
            expectNone(await check(clusterDeletionProtection, s.cluster)));
        it("REQ-008: flags a production cluster (resource tag Environment=prod) without it", async () => {
            const [v] = expectViolations(
                await check(clusterDeletionProtection, mutate(s.cluster, { deletionProtection: false })),
                "Production cluster does not have deletion protection: set deletionProtection to true.",
            );
            expect(v.enforcementLevel).to.equal("mandatory");
            expectViolations(
                await check(clusterDeletionProtection, mutate(s.cluster, { deletionProtection: undefined })),
                "deletion protection",
            );
        });
        it("REQ-008: production is also recognised from tagsAll (provider default tags) and the Environment stack tag", async () => {
            const untagged = mutate(dev.cluster, { deletionProtection: false, tags: undefined });
            expectNone(await check(clusterDeletionProtection, untagged));
            expectViolations(
                await check(clusterDeletionProtection, mutate(untagged, { tagsAll: { Environment: "Production" } })),
                "deletion protection",
            );
            expectViolations(
                await check(clusterDeletionProtection, untagged, { stackTags: { Environment: "prod" } }),
                "deletion protection",
            );
        });
        it("REQ-008: non-production clusters are not applicable (dev may be deleted)", async () => {
            expectNone(await check(clusterDeletionProtection, mutate(dev.cluster, { deletionProtection: false })));
        });
        it("REQ-008: the production environments are configurable", async () => {
            const staging = mutate(compliantStack("staging").cluster, { deletionProtection: false });
            expectNone(await check(clusterDeletionProtection, staging));
            const config = { "rds-cluster-deletion-protection": { productionEnvironments: ["staging", "prod"] } };
            expectViolations(
                await check(clusterDeletionProtection, staging, { config }),
                "Production cluster does not have deletion protection",
            );
        });
    });

    describe("rds-cluster-final-snapshot", () => {
        it("REQ-008: passes a final snapshot with an identifier", async () => expectNone(await check(clusterFinalSnapshot, s.cluster)));
        it("REQ-008: flags skipFinalSnapshot and a missing finalSnapshotIdentifier", async () => {
            expectViolations(
                await check(clusterFinalSnapshot, mutate(s.cluster, { skipFinalSnapshot: true })),
                "Production cluster skips the final snapshot: set skipFinalSnapshot to false.",
            );
            expectViolations(
                await check(clusterFinalSnapshot, mutate(s.cluster, { finalSnapshotIdentifier: undefined })),
                "Production cluster has no finalSnapshotIdentifier",
            );
        });
        it("REQ-008: ignores dev clusters", async () =>
            expectNone(await check(clusterFinalSnapshot, mutate(dev.cluster, { skipFinalSnapshot: true }))));
    });

    describe("rds-cluster-backup-retention", () => {
        it("REQ-005: passes 30 days and exactly the minimum", async () => {
            expectNone(await check(clusterBackupRetention, s.cluster));
            expectNone(await check(clusterBackupRetention, mutate(s.cluster, { backupRetentionPeriod: 7 })));
        });
        it("REQ-005: flags a short retention, and an unset one (provider default 1 day)", async () => {
            expectViolations(
                await check(clusterBackupRetention, mutate(s.cluster, { backupRetentionPeriod: 3 })),
                "Production cluster keeps backups for 3 day(s); the minimum is 7: raise backupRetentionPeriod.",
            );
            expectViolations(
                await check(clusterBackupRetention, mutate(s.cluster, { backupRetentionPeriod: undefined })),
                "keeps backups for 1 day(s)",
            );
        });
        it("REQ-005: the minimum is configurable", async () => {
            const config = { "rds-cluster-backup-retention": { minimumRetentionDays: 35 } };
            expectViolations(await check(clusterBackupRetention, s.cluster, { config }), "keeps backups for 30 day(s); the minimum is 35");
        });
    });

    describe("rds-cluster-copy-tags-to-snapshot (advisory)", () => {
        it("REQ-008: passes copyTagsToSnapshot and flags its absence as advisory", async () => {
            expectNone(await check(clusterCopyTagsToSnapshot, s.cluster));
            const [v] = expectViolations(
                await check(clusterCopyTagsToSnapshot, mutate(s.cluster, { copyTagsToSnapshot: undefined })),
                "Production cluster does not copy tags to snapshots",
            );
            expect(v.enforcementLevel).to.equal("advisory");
        });
    });

    describe("production-data-resources-protected", () => {
        it("REQ-008: passes protected production keys and clusters, and unprotected dev ones", async () => {
            expectNone(await check(productionResourcesProtected, [s.key, s.cluster, dev.key, dev.cluster]));
        });
        it("REQ-008: flags a production key or cluster without the protect option", async () => {
            expectViolations(
                await check(productionResourcesProtected, [
                    mutate(s.key, {}, { protect: false }),
                    mutate(s.cluster, {}, { protect: false }),
                ]),
                "Production aws:kms/key:Key is not protected: set the protect resource option",
                "Production aws:rds/cluster:Cluster is not protected",
            );
        });
        it("REQ-008: other production resources need no protect option", async () => {
            expectNone(await check(productionResourcesProtected, [s.topic, s.secret, mutate(s.writer, { tags: tagsFor("prod") })]));
        });
    });
});
