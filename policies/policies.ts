/**
 * The full aurora-guardrails pack as an importable array. Tests, the offline preview
 * (tools/policy-runner.ts) and the compliance matrix (tools/compliance-matrix.ts) use this; only
 * policies/index.ts wraps it in a PolicyPack.
 */
import { dataSafetyPolicies } from "./data-safety";
import { encryptionPolicies } from "./encryption";
import { identityMonitoringPolicies } from "./identity-monitoring";
import { networkPolicies } from "./network";
import { operationsPolicies } from "./operations";
import { taggingPolicies } from "./tagging";
import { GuardrailPolicy } from "./util";

export { ControlAnchors, GuardrailPolicy } from "./util";

/** The name under which the pack is published (`pulumi policy publish`, `pulumi policy enable <org>/aurora-guardrails`). */
export const PACK_NAME = "aurora-guardrails";

/** Level of any policy that does not set one (every policy here does). */
export const PACK_ENFORCEMENT_LEVEL = "advisory" as const;

export const policies: GuardrailPolicy[] = [
    ...encryptionPolicies,
    ...networkPolicies,
    ...dataSafetyPolicies,
    ...taggingPolicies,
    ...identityMonitoringPolicies,
    ...operationsPolicies,
];
