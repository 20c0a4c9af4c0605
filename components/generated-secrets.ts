/**
 * What every secret this library generates shares: the characters of its passwords and the labels
 * of its first version, and its copy in the DR region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Special characters of generated passwords: RDS refuses `/`, `@`, `"` and spaces in a master password. */
export const PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";

/**
 * Labels of a secret's first version: AWSCURRENT, and one no rotation moves. Without it, once
 * rotations have taken AWSCURRENT and AWSPREVIOUS away, AWS purges the version, the provider drops it
 * from the state, and the next `pulumi up` writes the initial password back as current
 * (terraform-provider-aws #37302; terraform-aws-modules/terraform-aws-secrets-manager #24).
 * Rotations move the AWS labels, so versionStages is ignored after creation.
 */
export const INITIAL_VERSION_STAGES = ["AWSCURRENT", "initial"];

/** A copy of a secret in the DR region, kept current by Secrets Manager replication (rotations included). */
export interface SecretReplica {
    readonly region: string;
    /** A key in that region. */
    readonly kmsKeyArn: pulumi.Input<string>;
}

/** The `replicas` argument of a secret copied to `replica` (none without one). */
export function replicasOf(replica: SecretReplica | undefined): Pick<aws.secretsmanager.SecretArgs, "replicas"> {
    return replica === undefined ? {} : { replicas: [{ region: replica.region, kmsKeyId: replica.kmsKeyArn }] };
}
