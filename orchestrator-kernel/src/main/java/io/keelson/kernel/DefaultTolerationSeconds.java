package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-apiserver's DefaultTolerationSeconds admission: a new pod tolerates the not-ready and unreachable
 * NoExecute taints for 300 s, unless it already tolerates them, so that a node failure evicts it after 5 minutes.
 */
final class DefaultTolerationSeconds implements AdmissionPlugin {
    static final String NOT_READY = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    static final long DEFAULT_SECONDS = 300;

    @Override
    public String name() {
        return "DefaultTolerationSeconds";
    }

    @Override
    public void mutate(AdmissionRequest request) {
        if (request.operation() == AdmissionRequest.Operation.DELETE || !request.subresource().isEmpty()
                || !(request.object() instanceof Pod pod) || pod.getSpec() == null) {
            return;
        }
        List<Toleration> tolerations = new ArrayList<>(pod.getSpec().getTolerations());
        for (String key : List.of(NOT_READY, UNREACHABLE)) {
            if (tolerations.stream().noneMatch(t -> toleratesNoExecute(t, key))) {
                tolerations.add(new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoExecute")
                        .withTolerationSeconds(DEFAULT_SECONDS).build());
            }
        }
        pod.getSpec().setTolerations(tolerations);
    }

    /** A toleration of the key (or of every key) with the NoExecute effect (or every effect). */
    private static boolean toleratesNoExecute(Toleration t, String key) {
        boolean keyMatches = t.getKey() == null || t.getKey().isEmpty() || t.getKey().equals(key);
        boolean effectMatches = t.getEffect() == null || t.getEffect().isEmpty() || t.getEffect().equals("NoExecute");
        return keyMatches && effectMatches;
    }
}
