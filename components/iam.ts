/**
 * IAM and account helpers shared by the components: policy documents, service trust policies,
 * AWS managed policy ARNs, and the account and partition the stack deploys into.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export type Statement = Record<string, unknown>;

/** An IAM (or KMS key, or SNS topic) policy document as the JSON string AWS expects. */
export function policyDocument(statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * A trust policy letting one AWS service assume the role; with `sourceAccount`, only on behalf of
 * this account (the confused-deputy guard, where the service passes aws:SourceAccount).
 */
export function assumeRolePolicy(service: string, sourceAccount?: string): string {
    return policyDocument([
        {
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            ...(sourceAccount === undefined ? {} : { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }),
        },
    ]);
}

/** ARN of an AWS managed policy under `service-role/`. */
export function serviceRolePolicyArn(partition: pulumi.Input<string>, policyName: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${policyName}`;
}

/** The partition and account the stack deploys into (invokes, parented to the asking component). */
export function deploymentAccount(parent: pulumi.Resource): { partition: pulumi.Output<string>; accountId: pulumi.Output<string> } {
    return {
        partition: aws.getPartitionOutput({}, { parent }).partition,
        accountId: aws.getCallerIdentityOutput({}, { parent }).accountId,
    };
}
