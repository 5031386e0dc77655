package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;

/** Approves, rejects or holds a pod before it is bound (gang scheduling holds pods until the gang fits). */
public interface PermitPlugin extends Plugin {
    Result permit(CycleState state, Pod pod, String nodeName);

    /**
     * @param status Success, a rejection, or Wait
     * @param timeout how long a Wait may last before the pod is rejected
     */
    record Result(Status status, Duration timeout) {
        public static Result allow() {
            return new Result(Status.success(), Duration.ZERO);
        }

        public static Result waitFor(Duration timeout) {
            return new Result(Status.of(Status.Code.WAIT), timeout);
        }

        public static Result reject(Status status) {
            return new Result(status, Duration.ZERO);
        }
    }
}
