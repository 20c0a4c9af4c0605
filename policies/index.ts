/**
 * Entry point run by the Pulumi CLI (`pulumi preview --policy-pack policies`). Constructing the
 * PolicyPack starts the analyzer's gRPC server, so nothing may import this file: tests and tools
 * import ./policies instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
    policies,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    displayName: "Aurora PostgreSQL guard rails",
    description:
        "Encryption, private access, deletion protection, tagging, " +
        "identity and monitoring for Amazon Aurora PostgreSQL and its supporting AWS resources.",
    tags: ["aws", "rds", "aurora", "postgresql"],
});
