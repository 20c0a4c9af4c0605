/**
 * Aurora Auto Scaling of a cluster's readers: an Application Auto Scaling target on the cluster's
 * `rds:cluster:ReadReplicaCount` and a target-tracking policy on the readers' average CPU or
 * connections (Aurora guide, "Amazon Aurora Auto Scaling with Aurora Replicas").
 *
 * The readers AWS adds are not Pulumi resources: they have the writer's class, promotion tier 15 and
 * identifiers starting `application-autoscaling-`; cluster-level metrics, the Role=READER connection
 * alarm and the db-cluster events cover them. AWS removes them itself when load falls, and a cluster
 * cannot be deleted while they exist (docs/reader-auto-scaling.md has the destroy procedure).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ReaderAutoScalingSettings } from "./cluster-settings";

export interface ReaderAutoScalingArgs extends ReaderAutoScalingSettings {
    /** The cluster's identifier (`cluster:<identifier>` is the scalable target's resource id). */
    readonly clusterIdentifier: pulumi.Input<string>;
    /** Region of the cluster, where the scalable target and policy are created. */
    readonly region: string;
    /** The declared readers: the floor, since AWS removes only the readers it added. */
    readonly minReaders: number;
    /** Prefix of the policy's name, e.g. `aurora-prod`. */
    readonly namePrefix: string;
    readonly tags: Readonly<Record<string, string>>;
}

export class ReaderAutoScaling extends pulumi.ComponentResource {
    public readonly target: aws.appautoscaling.Target;
    public readonly policy: aws.appautoscaling.Policy;

    constructor(name: string, args: ReaderAutoScalingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:cluster:ReaderAutoScaling", name, {}, opts);
        this.target = new aws.appautoscaling.Target(
            `${name}-target`,
            {
                region: args.region,
                serviceNamespace: "rds",
                scalableDimension: "rds:cluster:ReadReplicaCount",
                resourceId: pulumi.interpolate`cluster:${args.clusterIdentifier}`,
                minCapacity: args.minReaders,
                maxCapacity: args.maxReaders,
                tags: { ...args.tags },
            },
            { parent: this },
        );
        this.policy = new aws.appautoscaling.Policy(
            `${name}-policy`,
            {
                region: args.region,
                name: `${args.namePrefix}-readers-target-tracking`,
                policyType: "TargetTrackingScaling",
                serviceNamespace: this.target.serviceNamespace,
                scalableDimension: this.target.scalableDimension,
                resourceId: this.target.resourceId,
                targetTrackingScalingPolicyConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: args.metric },
                    targetValue: args.targetValue,
                    scaleInCooldown: args.scaleInCooldownSeconds,
                    scaleOutCooldown: args.scaleOutCooldownSeconds,
                    disableScaleIn: false,
                },
            },
            { parent: this },
        );
        this.registerOutputs({ targetId: this.target.id, policyArn: this.policy.arn });
    }
}
