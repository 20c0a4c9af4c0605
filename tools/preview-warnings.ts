/**
 * What the offline preview must say besides the resource list, so that its output never claims more
 * than the stack delivers: resources that would exist without doing their job, and placeholders that
 * were never replaced. Computed from the recorded resources alone, so it holds for any stack.
 */
import { DEFAULT_RUNBOOK_BASE_URL } from "../components/alarm-settings";
import { RecordedResource } from "./mock-engine";

/** Every warning for `resources` (empty when there is nothing to say). */
export function previewWarnings(resources: readonly RecordedResource[]): string[] {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const warnings: string[] = [];

    const subscribed = new Set(ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs.topic));
    for (const topic of ofType("aws:sns/topic:Topic").filter((t) => !subscribed.has(t.state.arn))) {
        warnings.push(
            `alert topic ${topic.inputs.name} has no subscribers: ` +
                `alarms and RDS events reach nobody (set aurora:alarmEmails or aurora:alarmHttpsEndpoints)`,
        );
    }

    const placeholder = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) =>
        String(a.inputs.alarmDescription).includes(DEFAULT_RUNBOOK_BASE_URL),
    );
    if (placeholder.length > 0) {
        warnings.push(
            `${placeholder.length} alarm description(s) link runbooks under the placeholder ${DEFAULT_RUNBOOK_BASE_URL}: ` +
                `set aurora:runbookBaseUrl to where your docs/ folder is published`,
        );
    }
    return warnings;
}
