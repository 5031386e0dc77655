package io.keelson.kernel.scheduler.framework;

/**
 * What a PostFilter plugin achieved.
 *
 * @param status Success when it made room; otherwise why not (its reasons join the FailedScheduling message)
 * @param nominatedNodeName the node the pod should go to once room is made; null if none
 */
public record PostFilterResult(Status status, String nominatedNodeName) {
    public static PostFilterResult nominate(String nodeName) {
        return new PostFilterResult(Status.success(), nodeName);
    }

    public static PostFilterResult of(Status status) {
        return new PostFilterResult(status, null);
    }
}
