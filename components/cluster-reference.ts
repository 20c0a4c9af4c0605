/**
 * What the components around a cluster (secrets and proxy, bootstrap, alarms, backup) need from it,
 * as one typed reference instead of a bag of ids: `AuroraCluster.reference` provides it, and a
 * cluster managed elsewhere can be described by hand.
 */
import * as pulumi from "@pulumi/pulumi";

/** One instance of the cluster. */
export interface InstanceReference {
    /** Identifier, known when the program runs: alarms are named after it. */
    readonly identifier: string;
    readonly instanceClass: string;
    /** max_connections of the instance (connection alarms, the proxy budget, the bootstrap's check). */
    readonly maxConnections: number;
    /** The instance's resource when this program declares it: what must wait for the instance waits on it. */
    readonly resource?: pulumi.Resource;
}

export interface ClusterReference {
    readonly clusterIdentifier: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    /** The cluster's resource id (`cluster-...`): the resource of `rds-db:connect` policies. */
    readonly resourceId: pulumi.Input<string>;
    readonly writerEndpoint: pulumi.Input<string>;
    readonly readerEndpoint: pulumi.Input<string>;
    readonly port: number;
    readonly databaseName: string;
    /** Master (administration only) user; application users may not reuse it. */
    readonly masterUsername: string;
    /** Database user that IAM database authentication admits for administration. */
    readonly iamAdminDbUser: string;
    /** ARN of the master user's secret. */
    readonly masterSecretArn: pulumi.Input<string>;
    /** The engine version a Blue/Green Deployment will upgrade to ("" for none): RDS Proxy is refused beside one. */
    readonly blueGreenTargetEngineVersion: string;
    /** Who keeps that secret: `managed` (RDS, which rotates it) or `secret` (this program: a rotation function is needed). */
    readonly masterPassword: string;
    /** The instances, the initial writer first. */
    readonly instances: readonly InstanceReference[];
    /** Name of the instance parameter group (the db-parameter-group event source). */
    readonly instanceParameterGroupName: pulumi.Input<string>;
    /** True when a Serverless v2 instance can pause (0 ACU minimum): RDS Proxy cannot serve it. */
    readonly canAutoPause: boolean;
}

/** max_connections of the initial writer: what the proxy's connection budget and the bootstrap's check derive from. */
export function writerMaxConnections(cluster: Pick<ClusterReference, "instances">): number {
    return cluster.instances[0].maxConnections;
}
