/**
 * Who may publish to the alert topic: this account's CloudWatch alarms, and RDS for this stack's
 * event sources only.
 */
import { policyDocument } from "./iam";

/** ARNs of the RDS resources whose events the subscriptions deliver (RDS publishes with the source resource's ARN as aws:SourceArn). */
export interface RdsEventSources {
    readonly clusterIdentifier: string;
    readonly instanceIdentifiers: readonly string[];
    readonly parameterGroupNames: readonly string[];
}

/**
 * The topic policy: only this account's CloudWatch alarms, and RDS for the event sources of this
 * stack, may publish; the account administers it. RDS sends the ARN of the resource that raised the
 * event (`cluster:`, `db:`, `pg:`), not of the event subscription (RDS User Guide, "Granting
 * permissions to publish notifications to an Amazon SNS topic").
 */
export function topicPolicy(ctx: {
    partition: string;
    accountId: string;
    region: string;
    topicArn: string;
    rdsEventSources: RdsEventSources;
}): string {
    const { partition: p, accountId, region, topicArn, rdsEventSources: sources } = ctx;
    const rds = `arn:${p}:rds:${region}:${accountId}`;
    const rdsSourceArns = [
        `${rds}:cluster:${sources.clusterIdentifier}`,
        ...sources.instanceIdentifiers.map((id) => `${rds}:db:${id}`),
        ...sources.parameterGroupNames.map((name) => `${rds}:pg:${name}`),
    ];
    return policyDocument([
        {
            Sid: "AccountAdministersTheTopic",
            Effect: "Allow",
            Principal: { AWS: `arn:${p}:iam::${accountId}:root` },
            Action: [
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:AddPermission",
                "sns:RemovePermission",
                "sns:DeleteTopic",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
            ],
            Resource: topicArn,
        },
        {
            Sid: "CloudWatchAlarmsOfThisAccountPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": `arn:${p}:cloudwatch:${region}:${accountId}:alarm:*` },
            },
        },
        {
            Sid: "RdsEventsOfThisStackPublish",
            Effect: "Allow",
            Principal: { Service: "events.rds.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": rdsSourceArns } },
        },
    ]);
}
