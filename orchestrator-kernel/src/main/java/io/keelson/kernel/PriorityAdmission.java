package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;

/**
 * kube-apiserver's Priority admission: a new pod's {@code priorityClassName} becomes its {@code priority} and
 * {@code preemptionPolicy} (the global default class, or 0, when it names none), and at most one PriorityClass
 * is the global default.
 */
final class PriorityAdmission implements AdmissionPlugin {
    @Override
    public String name() {
        return "Priority";
    }

    @Override
    public void mutate(AdmissionRequest request) {
        if (request.operation() != AdmissionRequest.Operation.CREATE || !(request.object() instanceof Pod pod)
                || pod.getSpec() == null) {
            return;
        }
        CacheReads<PriorityClass> classes = request.kernel().reads(PriorityClass.class);
        String className = pod.getSpec().getPriorityClassName();
        PriorityClass pc;
        if (className == null || className.isEmpty()) {
            pc = classes.sharedAll().stream()
                    .filter(c -> Boolean.TRUE.equals(c.getGlobalDefault())).findFirst().orElse(null);
        } else {
            pc = classes.shared(null, className);
            if (pc == null) {
                throw Statuses.forbidden(request.type(), request.name(), "no PriorityClass with name " + className
                        + " was found");
            }
        }
        int priority = pc == null || pc.getValue() == null ? 0 : pc.getValue();
        Integer given = pod.getSpec().getPriority();
        if (given != null && given != priority) {
            throw Statuses.forbidden(request.type(), request.name(), "the integer value of priority (" + given
                    + ") must not be provided in pod spec; priority admission controller computed " + priority
                    + " from the given PriorityClass name");
        }
        pod.getSpec().setPriority(priority);
        if (pc != null && pc.getMetadata() != null && (className == null || className.isEmpty())) {
            pod.getSpec().setPriorityClassName(pc.getMetadata().getName());
        }
        if (pod.getSpec().getPreemptionPolicy() == null) {
            pod.getSpec().setPreemptionPolicy(pc == null || pc.getPreemptionPolicy() == null
                    ? "PreemptLowerPriority" : pc.getPreemptionPolicy());
        }
    }

    @Override
    public void validate(AdmissionRequest request) {
        if (request.operation() == AdmissionRequest.Operation.DELETE
                || !(request.object() instanceof PriorityClass pc) || !Boolean.TRUE.equals(pc.getGlobalDefault())) {
            return;
        }
        for (PriorityClass other : request.kernel().resources(PriorityClass.class).list(ListRequest.all()).items()) {
            if (Boolean.TRUE.equals(other.getGlobalDefault())
                    && !other.getMetadata().getName().equals(pc.getMetadata().getName())) {
                throw Statuses.forbidden(request.type(), pc.getMetadata().getName(), "PriorityClass "
                        + other.getMetadata().getName() + " is already marked as default. Only one default can exist");
            }
        }
    }
}
