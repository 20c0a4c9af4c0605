/**
 * What every secret this library generates shares: the characters of its passwords and the labels
 * of its first version.
 */

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
